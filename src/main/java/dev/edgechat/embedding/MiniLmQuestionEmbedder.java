package dev.edgechat.embedding;

import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.edgechat.vectors.Vectors;
import dev.edgechat.web.VisibleText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Embeds questions in-process with the quantized all-MiniLM-L6-v2 model (ONNX, 384 dimensions).
 * Inference blocks for a millisecond or two, and loading the model for about a second, so both run
 * on the shared worker executor {@value #EXECUTOR_NAME}, never on an event loop. The model is loaded
 * by the first embedding (or by {@link #warmUp()}), once per process.
 */
public final class MiniLmQuestionEmbedder implements QuestionEmbedder {

  static final String EXECUTOR_NAME = "edgechat-embedder";
  private static final int DIMENSIONS = 384;
  /** langchain4j's quantized all-MiniLM-L6-v2 (model and tokenizer resources), mean pooling. */
  private static final String MODEL_FILES = "all-minilm-l6-v2-q";
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final WorkerExecutor executor;
  /** One per process: the question embedder and the knowledge base's local model share it. */
  private static volatile SingleThreadedOnnxModel model;

  /**
   * @param threads the size of the worker pool; inference is CPU-bound, so more threads than cores
   *     only queue inside ONNX Runtime
   */
  public MiniLmQuestionEmbedder(Vertx vertx, int threads) {
    Objects.requireNonNull(vertx, "vertx");
    if (threads < 1) {
      throw new IllegalArgumentException("embedder threads must be at least 1, was " + threads);
    }
    this.executor = vertx.createSharedWorkerExecutor(EXECUTOR_NAME, threads);
  }

  @Override
  public Future<float[]> embed(String question) {
    Objects.requireNonNull(question, "question");
    if (!VisibleText.in(question)) {
      return Future.failedFuture(new IllegalArgumentException("question is blank"));
    }
    return executor.executeBlocking(() -> embedNow(question), false);
  }

  @Override
  public float[] embedNow(String question) {
    String text = normalize(Objects.requireNonNull(question, "question"));
    if (!VisibleText.in(text)) {
      // the tokenizer would keep nothing of it (zero-width, format characters): the model itself would refuse it
      throw new IllegalArgumentException("question is blank");
    }
    return Vectors.unitLength(model().embed(text).content().vector());
  }

  /**
   * Embeds several texts in one task on the embedder pool, each alone (the model is single-threaded
   * by design, see {@link SingleThreadedOnnxModel}); unit vectors in the same order. A blank text fails
   * the call with {@link IllegalArgumentException}.
   */
  public Future<List<float[]>> embedAll(List<String> texts) {
    List<String> copy = List.copyOf(texts);
    for (int i = 0; i < copy.size(); i++) {
      if (!VisibleText.in(copy.get(i))) {
        return Future.failedFuture(new IllegalArgumentException("text " + i + " of " + copy.size() + " is blank"));
      }
    }
    if (copy.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return executor.executeBlocking(() -> {
      List<float[]> vectors = new ArrayList<>(copy.size());
      for (String text : copy) {
        vectors.add(embedNow(text));
      }
      return vectors;
    }, false);
  }

  /** {@inheritDoc} The same model and text normalization as {@link LocalEmbeddingModel}, which embeds through this class. */
  @Override
  public String modelName() {
    return LocalEmbeddingModel.NAME;
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  /** Loads the model now, so that the first question does not wait for it; succeeds once it is loaded. */
  public Future<Void> warmUp() {
    return executor.executeBlocking(() -> {
      model();
      return null;
    }, false);
  }

  /** Releases this embedder's hold on the shared worker pool. */
  public Future<Void> close() {
    return executor.close();
  }

  /** The text the model sees: trimmed, every run of whitespace one space. */
  static String normalize(String question) {
    return WHITESPACE.matcher(question.strip()).replaceAll(" ");
  }

  private static SingleThreadedOnnxModel model() {
    SingleThreadedOnnxModel loaded = model;
    if (loaded == null) {
      synchronized (MiniLmQuestionEmbedder.class) {
        loaded = model;
        if (loaded == null) {
          loaded = new SingleThreadedOnnxModel(MODEL_FILES, PoolingMode.MEAN, DIMENSIONS);
          model = loaded;
        }
      }
    }
    return loaded;
  }
}
