package dev.edgechat.cache.semantic;

import java.util.Objects;

/**
 * Decides whether a cached question may answer a new one: their embeddings must be close (cosine at
 * least the threshold) and the {@link MeaningGuard} must find the same anchors in both. A difference
 * the guard only doubts (one content word swapped in a question otherwise reworded) is overruled by
 * a cosine of at least {@link #REWORDED_THRESHOLD}.
 */
public final class SemanticMatcher {

  /**
   * Chosen from the development pairs ({@code src/test/resources/semantic/labeled-pairs.tsv}, 569
   * pairs) by {@code SemanticMatchEvaluationTest}: of the thresholds 0.50, 0.51, … 0.99, the lowest
   * from which the guarded matcher's precision is at least 0.95 at every stricter one, with {@link
   * #REWORDED_THRESHOLD}. There it has precision 0.96 and recall 0.70; the held-out pairs
   * ({@code labeled-pairs-heldout.tsv}), measured once after both were fixed, are reported in
   * docs/answer-cache.md.
   */
  public static final double DEFAULT_THRESHOLD = 0.58;

  /**
   * The least cosine at which a pair the guard only doubts is accepted: on the development pairs,
   * the lowest step of the sweep above every hard negative the guard doubts (the highest, "do you
   * sell refurbished phones" vs "is there a warranty on refurbished phones", is at 0.78). Never
   * below the threshold.
   */
  public static final double REWORDED_THRESHOLD = 0.79;

  private final double threshold;
  private final double rewordedThreshold;
  private final MeaningGuard guard;

  /** @param threshold the least cosine of a hit, edge-config {@code cache.semanticThreshold} */
  public SemanticMatcher(double threshold) {
    this(threshold, new MeaningGuard());
  }

  public SemanticMatcher(double threshold, MeaningGuard guard) {
    this(threshold, REWORDED_THRESHOLD, guard);
  }

  /** @param rewordedThreshold the least cosine that overrules a difference the guard only doubts */
  public SemanticMatcher(double threshold, double rewordedThreshold, MeaningGuard guard) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("cache.semanticThreshold must be in (0, 1], was " + threshold);
    }
    if (!(rewordedThreshold > 0 && rewordedThreshold <= 1)) {
      throw new IllegalArgumentException("reworded threshold must be in (0, 1], was " + rewordedThreshold);
    }
    this.threshold = threshold;
    this.rewordedThreshold = Math.max(threshold, rewordedThreshold);
    this.guard = Objects.requireNonNull(guard, "guard");
  }

  /**
   * Whether {@code candidate}, a cached question with vector {@code c}, means the same as {@code
   * question} with vector {@code q}. The cheap cosine test runs first.
   */
  public boolean matches(float[] q, String question, float[] c, String candidate) {
    double cosine = cosine(q, c);
    if (cosine < threshold) {
      return false;
    }
    MeaningGuard.Verdict verdict = guard.compare(question, candidate);
    return verdict.sameMeaning() || verdict.doubtOnly() && cosine >= rewordedThreshold;
  }

  /**
   * Whether {@code candidate} means the same as {@code question}, held to a tolerated share of
   * wrong hits {@code maxWrongShare} (the site's {@code semantic.maxWrongShare}, else
   * {@code cache.semanticMaxWrongShare}). For now the same decision as the four-argument form.
   */
  public boolean matches(float[] q, String question, float[] c, String candidate, double maxWrongShare) {
    return matches(q, question, c, candidate);
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
