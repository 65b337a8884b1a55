package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.edgechat.cache.semantic.SemanticEvaluation.Counts;
import dev.edgechat.cache.semantic.SemanticEvaluation.Pair;
import dev.edgechat.cache.semantic.SemanticEvaluation.Scored;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Measures the learned decision behind {@link SemanticMatcher#matches(float[], String, float[],
 * String, double)} on issue 19's labeled pairs, embedded with the real model (all-MiniLM-L6-v2, as
 * the edge runs it), through the 5-argument {@code matches} itself.
 *
 * <p>Development pairs: {@code labeled-pairs.tsv}, {@code dev-a.tsv}, {@code dev-b.tsv} (2,015 pairs,
 * 14 domains); the weights are fitted on them and every figure on them here is cross-validated by
 * domain. Held-out pairs: {@code heldout.tsv} (884 pairs of 8 other domains), measured once per
 * design and never read, but consulted by five designs; {@code heldout-2.tsv} (400 pairs of 8 more
 * domains), written after the current design and measured once; {@code labeled-pairs-heldout.tsv},
 * the older held-out set. Every floor below is just below what was
 * measured, as stated at each: a regression floor, not an aim. Issue 19's aim on the held-out part,
 * precision 0.97 at recall 0.70, is not reached (see docs/answer-cache.md).
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class LearnedDecisionEvaluationTest {

  private static final List<String> DEVELOPMENT = List.of("labeled-pairs", "dev-a", "dev-b");

  private static Vertx vertx;
  private static List<Scored> development;
  private static List<Scored> heldOut;
  private static List<Scored> olderHeldOut;
  private static List<Scored> freshHeldOut;

  @BeforeAll
  static void embed() throws IOException {
    vertx = Vertx.vertx();
    Function<String, float[]> model = EvaluationModels.load("minilm", vertx);
    MeaningGuard guard = new MeaningGuard();
    List<Pair> dev = new ArrayList<>();
    for (String name : DEVELOPMENT) {
      dev.addAll(SemanticEvaluation.loadResource("/semantic/" + name + ".tsv", name));
    }
    development = SemanticEvaluation.score(dev, model, guard, System.out);
    heldOut = SemanticEvaluation.score(SemanticEvaluation.loadResource("/semantic/heldout.tsv", "heldout"), model,
        guard, System.out);
    olderHeldOut = SemanticEvaluation.score(
        SemanticEvaluation.loadResource("/semantic/labeled-pairs-heldout.tsv", "held-out"), model, guard, System.out);
    freshHeldOut = SemanticEvaluation.score(SemanticEvaluation.loadResource("/semantic/heldout-2.tsv", "heldout-2"),
        model, guard, System.out);
  }

  @AfterAll
  static void close() {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  /**
   * Verifies that the shipped weights are the ones the development pairs fit, so the decision file
   * is reproducible by the documented command and moves when the pairs or signals do.
   */
  @Test
  void shippedWeights_areFittedOnTheDevelopmentPairs() {
    double[] fitted = SemanticEvaluation.fit(development, SemanticMatcher.DEFAULT_THRESHOLD);
    double[] shipped = LearnedDecision.shared().weights();
    for (int i = 0; i < fitted.length; i++) {
      assertThat(shipped[i]).as("weight of %s", MatchSignals.NAMES.get(i)).isCloseTo(fitted[i], within(1e-3));
    }
    assertThat(LearnedDecision.shared().model()).isEqualTo("all-minilm-l6-v2-q");
  }

  /**
   * Verifies the bound under nested cross-validation by domain (weights and the share's threshold
   * both chosen without the domain scored). Measured (issue 19, current design): share 0.03 P 0.973
   * R 0.350; 0.05 P 0.950 R 0.575; 0.10 P 0.903 R 0.733; 0.12 P 0.882 R 0.765 (the first design:
   * 0.967 / 0.254, 0.956 / 0.446, 0.902 / 0.659, 0.881 / 0.703). Floors just below; precision must
   * also stay within the bound at the loosest shares, where the pairs are many.
   */
  @Test
  void tolerance_crossValidatedByDomain_nearTheBound() {
    double[] shares = {0.03, 0.05, 0.10, 0.12};
    double[] precisionFloors = {0.96, 0.94, 0.89, 0.87};
    double[] recallFloors = {0.34, 0.56, 0.72, 0.75};
    List<Counts> nested = SemanticEvaluation.nested(development, SemanticMatcher.DEFAULT_THRESHOLD, shares);
    for (int s = 0; s < shares.length; s++) {
      System.out.printf(Locale.ROOT, "nested cross-validation, share %.2f: %s%n", shares[s], nested.get(s).describe());
      assertThat(nested.get(s).precision()).as("precision at share %.2f", shares[s])
          .isGreaterThanOrEqualTo(precisionFloors[s]);
      assertThat(nested.get(s).recall()).as("recall at share %.2f", shares[s]).isGreaterThanOrEqualTo(recallFloors[s]);
    }
    assertThat(nested.get(2).precision()).isGreaterThanOrEqualTo(1 - 0.10);
  }

  /**
   * Verifies the figures of the current design on heldout.tsv (884 pairs, 401 same; consulted once
   * per design, five times in all, so no longer untouched: docs/answer-cache.md): share 0.03 P 0.993
   * R 0.352; 0.05 P 0.941 R 0.636; 0.11 P 0.872 R 0.763, where the rule without a bound has P 0.844
   * R 0.756. (The first design: 0.03 1.000 / 0.252, 0.05 0.962 / 0.501, 0.12 0.870 / 0.718.) Floors
   * just below.
   */
  @Test
  void heldOut_floorsJustBelowTheFigures() {
    assertOperatingPoints("held-out", heldOut, new double[] {0.99, 0.34, 0.93, 0.62, 0.86, 0.75});
  }

  /**
   * Verifies the figures on heldout-2.tsv (400 pairs, 180 same, 8 domains of its own, written after
   * this design's last change by a writer who read neither the matcher nor the other pairs; measured
   * once): share 0.03 (the edge's default) P 0.959 R 0.394; 0.05 P 0.867 R 0.578; 0.11 P 0.813 R
   * 0.722, where the rule without a bound has P 0.797 R 0.761 (the first design, measured on it
   * afterwards: 0.03 1.000 / 0.283, 0.05 0.875 / 0.506, 0.11 0.778 / 0.700, rule 0.761 / 0.744). On
   * these domains wrong hits run at up to about three times the share asked. Floors just below.
   */
  @Test
  void freshHeldOut_floorsJustBelowTheFigures() {
    assertOperatingPoints("fresh held-out", freshHeldOut, new double[] {0.95, 0.38, 0.86, 0.57, 0.80, 0.71});
  }

  /**
   * Measures {@code pairs} at shares 0.03, 0.05 and {@link SemanticMatcher#DEFAULT_MAX_WRONG_SHARE}
   * and holds them to {@code floors}: precision then recall at each, in that order; at the last
   * share precision must also beat the rule without a bound.
   */
  private static void assertOperatingPoints(String name, List<Scored> pairs, double[] floors) {
    SemanticMatcher matcher = new SemanticMatcher(SemanticMatcher.DEFAULT_THRESHOLD);
    double[] shares = {0.03, 0.05, SemanticMatcher.DEFAULT_MAX_WRONG_SHARE};
    Counts rule = rule(matcher, pairs);
    for (int i = 0; i < shares.length; i++) {
      Counts counts = hits(matcher, pairs, shares[i]);
      System.out.printf(Locale.ROOT, "%s, share %.2f: %s%n", name, shares[i], counts.describe());
      assertThat(counts.precision()).as("%s precision at share %.2f", name, shares[i])
          .isGreaterThanOrEqualTo(floors[2 * i]);
      assertThat(counts.recall()).as("%s recall at share %.2f", name, shares[i])
          .isGreaterThanOrEqualTo(floors[2 * i + 1]);
    }
    System.out.println(name + ", rule without a bound: " + rule.describe());
    assertThat(hits(matcher, pairs, shares[2]).precision()).as("%s: learned decision against the rule", name)
        .isGreaterThan(rule.precision());
  }

  /**
   * Verifies the learned decision on the older held-out set at share 0.11: measured P 0.948 R 0.635
   * (73 true, 4 false hits; the first design at 0.12: 0.935 / 0.626; the rule without a bound,
   * issue 19's figure: 0.949 / 0.652). Floors just below.
   */
  @Test
  void olderHeldOut_atComparisonShare_floorsJustBelowTheFigures() {
    Counts counts = hits(new SemanticMatcher(SemanticMatcher.DEFAULT_THRESHOLD), olderHeldOut,
        SemanticMatcher.DEFAULT_MAX_WRONG_SHARE);
    System.out.println("older held-out, share 0.11: " + counts.describe());
    assertThat(counts.precision()).isGreaterThanOrEqualTo(0.94);
    assertThat(counts.recall()).isGreaterThanOrEqualTo(0.62);
  }

  /** Verifies that a stricter bound never adds hits and that a share outside [0, 1) is refused. */
  @Test
  void matches_stricterShare_neverMoreHits() {
    SemanticMatcher matcher = new SemanticMatcher(SemanticMatcher.DEFAULT_THRESHOLD);
    int previous = Integer.MAX_VALUE;
    for (double share : new double[] {0.15, 0.12, 0.08, 0.05, 0.03, 0.01}) {
      Counts counts = hits(matcher, development, share);
      int all = counts.truePositives() + counts.falsePositives();
      assertThat(all).as("hits at share %.2f", share).isLessThanOrEqualTo(previous);
      previous = all;
    }
    for (int round = 0; round < 3; round++) { // the last round after the JIT compiled the path
      long started = System.nanoTime();
      hits(matcher, development, SemanticMatcher.DEFAULT_MAX_WRONG_SHARE);
      long learned = System.nanoTime() - started;
      started = System.nanoTime();
      rule(matcher, development);
      long rule = System.nanoTime() - started;
      System.out.printf(Locale.ROOT, "per pair: learned decision %.3f ms, rule without a bound %.3f ms%n",
          learned / 1e6 / development.size(), rule / 1e6 / development.size());
    }
    Scored any = development.get(0);
    for (double share : new double[] {-0.01, 1.0, Double.NaN}) {
      assertThatThrownBy(() -> matcher.matches(any.questionVector(), any.pair().question(), any.candidateVector(),
          any.pair().candidate(), share)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** Counts of the learned decision held to {@code share}. */
  private static Counts hits(SemanticMatcher matcher, List<Scored> pairs, double share) {
    return counts(pairs, pair -> matcher.matches(pair.questionVector(), pair.pair().question(),
        pair.candidateVector(), pair.pair().candidate(), share));
  }

  /** Counts of the hand-set rule (no bound). */
  private static Counts rule(SemanticMatcher matcher, List<Scored> pairs) {
    return counts(pairs, pair -> matcher.matches(pair.questionVector(), pair.pair().question(),
        pair.candidateVector(), pair.pair().candidate()));
  }

  private static Counts counts(List<Scored> pairs, Predicate<Scored> matches) {
    int tp = 0;
    int fp = 0;
    int positives = 0;
    for (Scored pair : pairs) {
      boolean same = pair.pair().same();
      positives += same ? 1 : 0;
      if (matches.test(pair)) {
        tp += same ? 1 : 0;
        fp += same ? 0 : 1;
      }
    }
    return new Counts(tp, fp, positives);
  }
}
