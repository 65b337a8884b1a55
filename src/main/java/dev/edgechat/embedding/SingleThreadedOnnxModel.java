package dev.edgechat.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;

/**
 * One of langchain4j's quantized BERT models (its {@code <files>.onnx} and
 * {@code <files>-tokenizer.json} resources) in an ONNX Runtime session that runs each inference on
 * the calling thread alone: no intra-op pool whose threads spin between inferences, competing for
 * the cores with the event loops (on a small machine that was the embedding's tail). One question is
 * too small to gain from splitting anyway; throughput comes from several callers.
 */
public final class SingleThreadedOnnxModel extends AbstractInProcessEmbeddingModel {

  private final OnnxBertBiEncoder encoder;
  private final int dimensions;

  /**
   * @param files the resources' common name, e.g. {@code all-minilm-l6-v2-q}
   * @throws IllegalStateException if the resources are missing or do not load
   */
  public SingleThreadedOnnxModel(String files, PoolingMode pooling, int dimensions) {
    // the executor only parallelizes embedAll over several texts, which is never called
    super(Runnable::run);
    this.dimensions = dimensions;
    ClassLoader loader = SingleThreadedOnnxModel.class.getClassLoader();
    String modelFile = files + ".onnx";
    String tokenizerFile = files + "-tokenizer.json";
    try (InputStream tokenizer = Objects.requireNonNull(loader.getResourceAsStream(tokenizerFile), tokenizerFile);
        OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OrtSession session = createSession(environment, loader, modelFile, options);
      this.encoder = new OnnxBertBiEncoder(environment, session, tokenizer, pooling);
    } catch (IOException | OrtException e) {
      throw new IllegalStateException("embedding model " + files + " could not be loaded", e);
    }
  }

  /**
   * The session, from the model copied to a temporary file that ONNX Runtime reads itself: handing it
   * the model as a Java array (23 MB for MiniLM) grew the heap by that much for good, since the
   * collector keeps the heap it has grown to. Where no temporary file can be written (a read-only or
   * full file system), the array it is.
   */
  private static OrtSession createSession(OrtEnvironment environment, ClassLoader loader, String modelFile,
      OrtSession.SessionOptions options) throws IOException, OrtException {
    Path copy = null;
    try {
      copy = Files.createTempFile("edgechat-model-", ".onnx");
      try (InputStream model = Objects.requireNonNull(loader.getResourceAsStream(modelFile), modelFile)) {
        Files.copy(model, copy, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | UnsupportedOperationException e) {
      delete(copy);
      try (InputStream model = Objects.requireNonNull(loader.getResourceAsStream(modelFile), modelFile)) {
        return environment.createSession(model.readAllBytes(), options);
      }
    }
    try {
      return environment.createSession(copy.toString(), options);
    } finally {
      delete(copy);
    }
  }

  private static void delete(Path copy) {
    if (copy == null) {
      return;
    }
    try {
      Files.deleteIfExists(copy);
    } catch (IOException e) {
      copy.toFile().deleteOnExit();
    }
  }

  @Override
  protected OnnxBertBiEncoder model() {
    return encoder;
  }

  @Override
  protected Integer knownDimension() {
    return dimensions;
  }
}
