package dev.edgechat.embedding;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.edgechat.vectors.Vectors;
import dev.edgechat.web.VisibleText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
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
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final WorkerExecutor executor;
  /** One per process: the question embedder and the knowledge base's local model share it. */
  private static volatile SingleThreadedModel model;

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
   * by design, see {@link SingleThreadedModel}); unit vectors in the same order. A blank text fails
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

  private static SingleThreadedModel model() {
    SingleThreadedModel loaded = model;
    if (loaded == null) {
      synchronized (MiniLmQuestionEmbedder.class) {
        loaded = model;
        if (loaded == null) {
          loaded = new SingleThreadedModel();
          model = loaded;
        }
      }
    }
    return loaded;
  }

  /**
   * The library's quantized all-MiniLM-L6-v2 (the same model and tokenizer files, mean pooling),
   * but in an ONNX Runtime session that runs each inference on the calling thread alone: no
   * intra-op pool whose threads spin between inferences, competing for the cores with the event
   * loops (on a small machine that was the embedding's tail). One question is too small to gain
   * from splitting anyway; throughput comes from {@code cache.embedderThreads}.
   */
  private static final class SingleThreadedModel extends AbstractInProcessEmbeddingModel {

    private static final String MODEL = "all-minilm-l6-v2-q.onnx";
    private static final String TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

    private final OnnxBertBiEncoder encoder;

    SingleThreadedModel() {
      // the executor only parallelizes embedAll over several texts, which is never called
      super(Runnable::run);
      ClassLoader loader = SingleThreadedModel.class.getClassLoader();
      try (InputStream modelFile = Objects.requireNonNull(loader.getResourceAsStream(MODEL), MODEL);
          InputStream tokenizer = Objects.requireNonNull(loader.getResourceAsStream(TOKENIZER), TOKENIZER);
          OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session = environment.createSession(modelFile.readAllBytes(), options);
        this.encoder = new OnnxBertBiEncoder(environment, session, tokenizer, PoolingMode.MEAN);
      } catch (IOException | OrtException e) {
        throw new IllegalStateException("the question embedding model could not be loaded", e);
      }
    }

    @Override
    protected OnnxBertBiEncoder model() {
      return encoder;
    }

    @Override
    protected Integer knownDimension() {
      return DIMENSIONS;
    }
  }
}
