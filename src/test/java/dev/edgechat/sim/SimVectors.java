package dev.edgechat.sim;

/** The vectors the simulator's {@code /v1/embeddings} answers, for tests outside this package to compare with. */
public final class SimVectors {

  private SimVectors() {
  }

  /** The unit vector the simulator gives {@code text} at {@code dimensions}. */
  public static float[] of(String text, int dimensions) {
    return HashingEmbedder.embed(text, dimensions);
  }
}
