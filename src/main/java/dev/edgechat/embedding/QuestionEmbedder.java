package dev.edgechat.embedding;

import io.vertx.core.Future;

/** Turns a visitor's question into a vector the semantic cache can compare by cosine. */
public interface QuestionEmbedder {

  /**
   * Embeds one question. Texts that differ only in leading, trailing or repeated whitespace get the
   * same vector.
   *
   * @return a future that succeeds with an L2-normalized vector of {@link #dimensions()} floats, or
   *     fails with {@link IllegalArgumentException} for a blank question and with the model's error
   *     if it cannot run
   */
  Future<float[]> embed(String question);

  /**
   * Embeds one question on the calling thread, which must be a worker thread (it blocks for a
   * millisecond or two); same vector and failures as {@link #embed}, thrown.
   */
  float[] embedNow(String question);

  /** The length of every vector {@link #embed} returns. */
  int dimensions();

  /**
   * The model's name as {@link EmbeddingModel#name()} gives it for the same model, so that another
   * part (origin's retrieval) can tell whether a vector of this embedder stands for its own; null
   * when it matches no {@link EmbeddingModel}.
   */
  default String modelName() {
    return null;
  }
}
