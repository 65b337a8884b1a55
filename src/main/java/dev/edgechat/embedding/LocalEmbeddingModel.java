package dev.edgechat.embedding;

import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * Embeds texts in-process with the quantized all-MiniLM-L6-v2 model (ONNX, 384 dimensions): the
 * semantic answer cache's {@link MiniLmQuestionEmbedder}, whose model is loaded once per process and
 * whose worker pool ({@code cache.embedderThreads} threads) question and chunk embeddings share,
 * so together they never take more cores than that. Never on an event loop.
 */
public final class LocalEmbeddingModel implements EmbeddingModel {

  static final String NAME = "all-minilm-l6-v2-q";

  private final MiniLmQuestionEmbedder embedder;

  /** @param threads the size of the shared embedder pool if this creates it */
  public LocalEmbeddingModel(Vertx vertx, int threads) {
    this.embedder = new MiniLmQuestionEmbedder(vertx, threads);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int dimensions() {
    return embedder.dimensions();
  }

  /** {@inheritDoc} Fails with {@link IllegalArgumentException} if a text is blank. */
  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    return embedder.embedAll(texts);
  }

  /** Loads the model now, so that the first call does not wait for it. */
  public Future<Void> warmUp() {
    return embedder.warmUp();
  }

  /** Releases this model's hold on the shared worker pool. */
  public Future<Void> close() {
    return embedder.close();
  }
}
