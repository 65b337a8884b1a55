package dev.edgechat.cache.semantic;

import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import dev.edgechat.embedding.SingleThreadedOnnxModel;
import dev.edgechat.vectors.Vectors;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Function;

/**
 * The embedding models {@link SemanticEvaluation} compares, each as a function from a question to a
 * unit vector, run on the calling thread with one ONNX Runtime thread as the edge runs MiniLM:
 * {@code minilm} is the edge's own {@link MiniLmQuestionEmbedder}; {@code bge} (bge-small-en-v1.5,
 * CLS pooling, no prefix: the model's card asks for none on symmetric similarity) and {@code e5}
 * (e5-small-v2, mean pooling, every text prefixed "query: " as its card asks) come from langchain4j's
 * quantized model jars, in test scope only.
 */
final class EvaluationModels {

  static final List<String> NAMES = List.of("minilm", "bge", "e5");

  private EvaluationModels() {
  }

  /** The model named {@code name}; a MiniLM embedder's worker pool lives in {@code vertx}. */
  static Function<String, float[]> load(String name, Vertx vertx) {
    return switch (name) {
      case "minilm" -> {
        MiniLmQuestionEmbedder embedder = new MiniLmQuestionEmbedder(vertx, 1);
        yield embedder::embedNow;
      }
      case "bge" -> onnx("bge-small-en-v1.5-q", PoolingMode.CLS, "");
      case "e5" -> onnx("e5-small-v2-q", PoolingMode.MEAN, "query: ");
      default -> throw new IllegalArgumentException("unknown model " + name + ", expected one of " + NAMES);
    };
  }

  /** The full name of a model, as the decision file records it. */
  static String fullName(String name) {
    return switch (name) {
      case "minilm" -> "all-minilm-l6-v2-q";
      case "bge" -> "bge-small-en-v1.5-q";
      case "e5" -> "e5-small-v2-q";
      default -> throw new IllegalArgumentException("unknown model " + name);
    };
  }

  private static Function<String, float[]> onnx(String files, PoolingMode pooling, String prefix) {
    SingleThreadedOnnxModel model = new SingleThreadedOnnxModel(files, pooling, 384);
    return text -> Vectors.unitLength(model.embed(prefix + text.strip().replaceAll("\\s+", " ")).content().vector());
  }
}
