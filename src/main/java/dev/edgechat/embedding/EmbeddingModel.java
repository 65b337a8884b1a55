package dev.edgechat.embedding;

import io.vertx.core.Future;
import java.util.List;

/** Turns texts into unit-length vectors that can be compared by dot product (cosine). */
public interface EmbeddingModel {

  /**
   * The model's identity, e.g. {@code all-minilm-l6-v2-q} or a remote model id: vectors of two
   * models with different names are never mixed, and cache keys include it.
   */
  String name();

  /**
   * The length of every vector {@link #embed} returns; 0 for a model that passes on whatever length
   * its upstream returns for it (the gateway's {@link RemoteEmbeddingModel#passThrough}).
   */
  int dimensions();

  /**
   * Embeds {@code texts}. Safe to call from any thread; never blocks the caller.
   *
   * @return a future that succeeds with one L2-normalized vector of {@link #dimensions()} floats
   *     per text (a pass-through model's: the upstream's vectors as they came), in the order of {@code texts} (an empty list for no texts), or fails with an
   *     {@link EmbeddingException} saying why the model could not embed them (an
   *     {@link IllegalArgumentException} for a text the local model cannot take)
   */
  Future<List<float[]>> embed(List<String> texts);
}
