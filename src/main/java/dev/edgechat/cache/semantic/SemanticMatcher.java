package dev.edgechat.cache.semantic;

import java.util.Objects;

/**
 * Decides whether a cached question may answer a new one: their embeddings must be close (cosine at
 * least the threshold) and the {@link MeaningGuard} must find the same anchors in both.
 */
public final class SemanticMatcher {

  /**
   * Chosen from the development block of {@code src/test/resources/semantic/labeled-pairs.tsv} (442
   * pairs) by {@code SemanticMatchEvaluationTest}: of the thresholds 0.50, 0.51, … 0.99, the lowest
   * from which the guarded matcher's precision is at least 0.95 at every stricter one. There it has
   * precision 0.96 and recall 0.43; on the 127 "fresh" pairs, precision 0.97 and recall 0.50; on all
   * 569, precision 0.96 and recall 0.45. Cosine alone at this threshold has precision 0.43: most
   * pairs above it that the guard rejects are hard negatives.
   */
  public static final double DEFAULT_THRESHOLD = 0.67;

  private final double threshold;
  private final MeaningGuard guard;

  /** @param threshold the least cosine of a hit, edge-config {@code cache.semanticThreshold} */
  public SemanticMatcher(double threshold) {
    this(threshold, new MeaningGuard());
  }

  public SemanticMatcher(double threshold, MeaningGuard guard) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("cache.semanticThreshold must be in (0, 1], was " + threshold);
    }
    this.threshold = threshold;
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /**
   * Whether {@code candidate}, a cached question with vector {@code c}, means the same as {@code
   * question} with vector {@code q}. The cheap cosine test runs first.
   */
  public boolean matches(float[] q, String question, float[] c, String candidate) {
    return cosine(q, c) >= threshold && guard.compare(question, candidate).sameMeaning();
  }

  public double threshold() {
    return threshold;
  }

  /** The cosine of the angle between two vectors of the same length; 0 if either is all zeros. */
  public static double cosine(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("vectors differ in length: " + a.length + " vs " + b.length);
    }
    double dot = 0;
    double normA = 0;
    double normB = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      normA += a[i] * a[i];
      normB += b[i] * b[i];
    }
    return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
  }
}
