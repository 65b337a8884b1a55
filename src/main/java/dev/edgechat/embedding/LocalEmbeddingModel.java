package dev.edgechat.embedding;

import dev.edgechat.vectors.Vectors;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Embeds texts in-process with the quantized all-MiniLM-L6-v2 model (ONNX, 384 dimensions), the
 * model the semantic answer cache uses too. Inference blocks (a millisecond or two per short text,
 * more for a long chunk, which the library cuts into 510-token pieces and averages), and loading the
 * model takes about a second, so both run on the shared worker pool {@value #EXECUTOR_NAME}, never on
 * an event loop. The pool is the one {@code MiniLmQuestionEmbedder} uses: Vert.x gives every shared
 * executor of one name the same threads, so question and chunk embeddings together never take more
 * cores than {@code cache.embedderThreads}. The model is loaded once per process, by the first call.
 */
public final class LocalEmbeddingModel implements EmbeddingModel {

  /** Shared with {@code dev.edgechat.cache.semantic.MiniLmQuestionEmbedder}. */
  static final String EXECUTOR_NAME = "edgechat-embedder";
  static final String NAME = "all-minilm-l6-v2-q";
  private static final int DIMENSIONS = 384;

  private static volatile AllMiniLmL6V2QuantizedEmbeddingModel model;

  private final WorkerExecutor executor;

  /**
   * @param threads the size of the worker pool if this creates it; inference is CPU-bound, so more
   *     threads than cores only queue inside ONNX Runtime
   */
  public LocalEmbeddingModel(Vertx vertx, int threads) {
    Objects.requireNonNull(vertx, "vertx");
    if (threads < 1) {
      throw new IllegalArgumentException("embedder threads must be at least 1, was " + threads);
    }
    this.executor = vertx.createSharedWorkerExecutor(EXECUTOR_NAME, threads);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int dimensions() {
    return DIMENSIONS;
  }

  /** {@inheritDoc} Fails with {@link IllegalArgumentException} if a text is blank. */
  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    List<String> copy = List.copyOf(texts);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i).isBlank()) {
        return Future.failedFuture(new IllegalArgumentException("text " + i + " of " + copy.size() + " is blank"));
      }
    }
    if (copy.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // ordered=false: calls run side by side on the pool's threads; each keeps its own order
    return executor.executeBlocking(() -> embedNow(copy), false);
  }

  /** Loads the model now, so that the first call does not wait for it. */
  public Future<Void> warmUp() {
    return executor.executeBlocking(() -> {
      model();
      return null;
    }, false);
  }

  /** Releases this model's hold on the shared worker pool. */
  public Future<Void> close() {
    return executor.close();
  }

  private static List<float[]> embedNow(List<String> texts) {
    AllMiniLmL6V2QuantizedEmbeddingModel loaded = model();
    List<float[]> vectors = new ArrayList<>(texts.size());
    for (String text : texts) {
      vectors.add(Vectors.unitLength(loaded.embed(text).content().vector()));
    }
    return vectors;
  }

  private static AllMiniLmL6V2QuantizedEmbeddingModel model() {
    AllMiniLmL6V2QuantizedEmbeddingModel loaded = model;
    if (loaded == null) {
      synchronized (LocalEmbeddingModel.class) {
        loaded = model;
        if (loaded == null) {
          // The executor given here only parallelizes embedAll, which we never call; running inline
          // keeps the library from starting a thread pool of its own.
          loaded = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
          model = loaded;
        }
      }
    }
    return loaded;
  }
}
