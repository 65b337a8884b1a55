package dev.edgechat.cache.semantic;

import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measures the semantic matcher on labeled pairs: every question is embedded once with the real
 * model, then precision and recall ("same" is positive) are computed for cosine alone and for {@link
 * SemanticMatcher#matches} (cosine and {@link MeaningGuard}), over thresholds 0.50 to 0.99.
 *
 * <p>Two sets. The development pairs, {@code semantic/labeled-pairs.tsv} (its blocks "development"
 * and "fresh"; the second was held out in the first round and tuned on in the second, for issue 3),
 * are what the guard was built against and both thresholds are chosen on. The held-out pairs,
 * {@code semantic/labeled-pairs-heldout.tsv}, were written before the issue-3 changes to the guard
 * and thresholds and are used for nothing but the figures and assertions below. The curves, the
 * results per block and per kind of pair, and the guard's mistakes go to stdout
 * (target/surefire-reports/*-output.txt).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class SemanticMatchEvaluationTest {

  private static final String LABELED_PAIRS = "/semantic/labeled-pairs.tsv";
  private static final String HELD_OUT_PAIRS = "/semantic/labeled-pairs-heldout.tsv";
  private static final String HELD_OUT = "held-out";
  private static final String BLOCK_MARKER = "# block:";
  private static final double TARGET_PRECISION = 0.95;
  /** Issue 3's aim, at the default thresholds. */
  private static final double TARGET_RECALL = 0.60;
  private static final double HALF_HELD_OUT_PRECISION = 0.90;
  /** Just below the held-out figures measured once (precision 0.949, recall 0.652): regression floors. */
  private static final double HELD_OUT_PRECISION_FLOOR = 0.94;
  private static final double HELD_OUT_RECALL_FLOOR = 0.63;
  private static final int FIRST_STEP = 50;
  private static final int LAST_STEP = 99;

  private static MiniLmQuestionEmbedder embedder;
  private static List<ScoredPair> scored;
  private static final List<Long> embedNanos = new ArrayList<>();
  private static long modelLoadNanos;

  /**
   * One line of the labeled set; {@code index} counts data lines from 0, {@code block} is the name
   * given by the last "# block:" line above it ("development" before any).
   */
  private record LabeledPair(int index, boolean same, String question, String candidate, String kind, String block) {
  }

  private record ScoredPair(LabeledPair pair, float[] questionVector, float[] candidateVector, double cosine) {
  }

  /** Counts at one threshold. */
  private record Score(double threshold, int truePositives, int falsePositives, int positives) {

    double precision() {
      int predicted = truePositives + falsePositives;
      return predicted == 0 ? 1.0 : (double) truePositives / predicted;
    }

    double recall() {
      return positives == 0 ? 0.0 : (double) truePositives / positives;
    }
  }

  @BeforeAll
  static void embedLabeledSet(Vertx vertx, VertxTestContext ctx) throws IOException {
    List<LabeledPair> pairs = new ArrayList<>(loadPairs(LABELED_PAIRS, "development", 0));
    pairs.addAll(loadPairs(HELD_OUT_PAIRS, HELD_OUT, pairs.size()));
    LinkedHashSet<String> questions = new LinkedHashSet<>();
    for (LabeledPair pair : pairs) {
      questions.add(pair.question());
      questions.add(pair.candidate());
    }
    embedder = new MiniLmQuestionEmbedder(vertx, 1);
    Map<String, float[]> vectors = new HashMap<>();
    long loadStart = System.nanoTime();
    embedder.warmUp()
        .compose(v -> {
          modelLoadNanos = System.nanoTime() - loadStart;
          return embedOneAtATime(questions, vectors);
        })
        .onComplete(ctx.succeeding(v -> {
          scored = new ArrayList<>();
          for (LabeledPair pair : pairs) {
            float[] q = vectors.get(pair.question());
            float[] c = vectors.get(pair.candidate());
            scored.add(new ScoredPair(pair, q, c, SemanticMatcher.cosine(q, c)));
          }
          ctx.completeNow();
        }));
  }

  /** Prints the report on the test thread: sweeping the guard over the set takes longer than a loop may block. */
  @AfterAll
  static void reportAndClose(VertxTestContext ctx) {
    if (scored != null) {
      printReport();
    }
    (embedder == null ? Future.<Void>succeededFuture() : embedder.close()).onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Verifies issue 3's aim on the development pairs, at the default thresholds: precision 0.95 at
   * recall 0.60.
   */
  @Test
  void guardedMatcher_atDefaultThresholds_reachesTheAimOnDevelopmentPairs() {
    Score guarded = guarded(SemanticMatcher.DEFAULT_THRESHOLD, development());
    assertThat(guarded.precision()).as("development precision at %.2f", SemanticMatcher.DEFAULT_THRESHOLD)
        .isGreaterThanOrEqualTo(TARGET_PRECISION);
    assertThat(guarded.recall()).as("development recall at %.2f", SemanticMatcher.DEFAULT_THRESHOLD)
        .isGreaterThanOrEqualTo(TARGET_RECALL);
  }

  /**
   * Verifies the held-out pairs, which nothing was chosen on, at the default thresholds. Issue 3's
   * aim is precision 0.95 at recall 0.60; measured once after the thresholds were fixed, they gave
   * precision 0.949 (75 true hits, 4 false) and recall 0.652: the aim is missed by one false hit.
   * These are floors just below that, not the aim.
   */
  @Test
  void guardedMatcher_atDefaultThresholds_holdsOnHeldOutPairs() {
    Score guarded = guarded(SemanticMatcher.DEFAULT_THRESHOLD, heldOut());
    assertThat(guarded.precision()).as("held-out precision at %.2f", SemanticMatcher.DEFAULT_THRESHOLD)
        .isGreaterThanOrEqualTo(HELD_OUT_PRECISION_FLOOR);
    assertThat(guarded.recall()).as("held-out recall at %.2f", SemanticMatcher.DEFAULT_THRESHOLD)
        .isGreaterThanOrEqualTo(HELD_OUT_RECALL_FLOOR);
  }

  /** Verifies that cosine alone at the default threshold is less precise: the guard is what makes it work. */
  @Test
  void cosineAlone_atDefaultThreshold_isLessPrecise() {
    for (Predicate<ScoredPair> set : List.of(development(), heldOut())) {
      Score cosineOnly = cosineOnly(SemanticMatcher.DEFAULT_THRESHOLD, set);
      Score guarded = guarded(SemanticMatcher.DEFAULT_THRESHOLD, set);
      assertThat(cosineOnly.precision()).isLessThan(guarded.precision());
    }
  }

  /** Verifies that both default thresholds are the ones the development pairs choose, so they move when those do. */
  @Test
  void defaultThresholds_areChosenByTheDevelopmentPairs() {
    assertThat(SemanticMatcher.REWORDED_THRESHOLD).isEqualTo(chooseRewordedThreshold(development()));
    assertThat(SemanticMatcher.DEFAULT_THRESHOLD)
        .isEqualTo(chooseThreshold(development(), SemanticMatcher.REWORDED_THRESHOLD));
  }

  /**
   * Verifies that thresholds chosen on one half of the development pairs (even lines, then odd
   * lines) keep precision 0.90 on the other half, so the rule does not merely fit the data it is
   * judged on.
   */
  @Test
  void threshold_chosenOnOneHalf_holdsOnTheOther() {
    Predicate<ScoredPair> even = pair -> pair.pair().index() % 2 == 0;
    Predicate<ScoredPair> odd = even.negate();
    List<Score> heldOutScores = new ArrayList<>();
    for (boolean chooseOnEven : new boolean[] {true, false}) {
      Predicate<ScoredPair> tuning = development().and(chooseOnEven ? even : odd);
      Predicate<ScoredPair> heldOut = development().and(chooseOnEven ? odd : even);
      double reworded = chooseRewordedThreshold(tuning);
      double threshold = chooseThreshold(tuning, reworded);
      Score held = guarded(threshold, reworded, heldOut);
      System.out.printf(Locale.ROOT, "development halves, chosen on %s lines, measured on %s lines:%n",
          chooseOnEven ? "even" : "odd", chooseOnEven ? "odd" : "even");
      printHeldOut(threshold, reworded, tuning, heldOut);
      heldOutScores.add(held);
    }
    for (Score held : heldOutScores) {
      assertThat(held.precision()).as("other half's precision at %.2f", held.threshold())
          .isGreaterThanOrEqualTo(HALF_HELD_OUT_PRECISION);
    }
  }

  private static void printHeldOut(double threshold, double reworded, Predicate<ScoredPair> tuning,
      Predicate<ScoredPair> heldOut) {
    Score tuned = guarded(threshold, reworded, tuning);
    Score held = guarded(threshold, reworded, heldOut);
    Score cosine = cosineOnly(threshold, heldOut);
    System.out.printf(Locale.ROOT, "  %.2f (reworded %.2f): chosen half P %.3f R %.3f; other half P %.3f R %.3f"
        + " (cosine alone P %.3f R %.3f)%n", threshold, reworded, tuned.precision(), tuned.recall(),
        held.precision(), held.recall(), cosine.precision(), cosine.recall());
  }

  /** Verifies that embeddings are unit vectors of the stated size and ignore surrounding and repeated whitespace. */
  @Test
  void embed_whitespaceVariants_sameUnitVector(VertxTestContext ctx) {
    Future.all(embedder.embed("How do I reset my password?"), embedder.embed("  How do I\treset   my password? \n"))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          float[] plain = both.resultAt(0);
          float[] spaced = both.resultAt(1);
          assertThat(plain).hasSize(embedder.dimensions()).isEqualTo(spaced);
          assertThat(SemanticMatcher.cosine(plain, plain)).isCloseTo(1.0, within(1e-5));
          double norm = 0;
          for (float value : plain) {
            norm += value * value;
          }
          assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-5));
          ctx.completeNow();
        })));
  }

  /** Verifies that a blank question fails instead of producing a vector. */
  @Test
  void embed_blankQuestion_fails(VertxTestContext ctx) {
    embedder.embed(" \t ").onComplete(ctx.failing(error -> ctx.verify(() -> {
      assertThat(error).isInstanceOf(IllegalArgumentException.class);
      ctx.completeNow();
    })));
  }

  // ---------------------------------------------------------------------------------------------

  /** Both blocks of labeled-pairs.tsv. */
  private static Predicate<ScoredPair> development() {
    return pair -> !pair.pair().block().equals(HELD_OUT);
  }

  private static Predicate<ScoredPair> heldOut() {
    return pair -> pair.pair().block().equals(HELD_OUT);
  }

  private static Score cosineOnly(double threshold, Predicate<ScoredPair> subset) {
    return score(threshold, subset, pair -> pair.cosine() >= threshold);
  }

  private static Score guarded(double threshold, Predicate<ScoredPair> subset) {
    return guarded(threshold, SemanticMatcher.REWORDED_THRESHOLD, subset);
  }

  private static Score guarded(double threshold, double reworded, Predicate<ScoredPair> subset) {
    SemanticMatcher matcher = new SemanticMatcher(threshold, reworded, guard());
    return score(threshold, subset, pair -> matcher.matches(pair.questionVector(), pair.pair().question(),
        pair.candidateVector(), pair.pair().candidate()));
  }

  private static Score score(double threshold, Predicate<ScoredPair> subset, Predicate<ScoredPair> matches) {
    int truePositives = 0;
    int falsePositives = 0;
    int positives = 0;
    for (ScoredPair pair : scored) {
      if (!subset.test(pair)) {
        continue;
      }
      boolean same = pair.pair().same();
      positives += same ? 1 : 0;
      if (matches.test(pair)) {
        truePositives += same ? 1 : 0;
        falsePositives += same ? 0 : 1;
      }
    }
    return new Score(threshold, truePositives, falsePositives, positives);
  }

  /**
   * The threshold with the best guarded recall such that precision is at least 0.95 there and at
   * every stricter threshold of the sweep. Precision is not monotone in the threshold on a few
   * hundred pairs; requiring it from the threshold up keeps a lucky dip from being chosen.
   */
  private static double chooseThreshold(Predicate<ScoredPair> subset, double reworded) {
    double chosen = LAST_STEP / 100.0;
    for (int step = LAST_STEP; step >= FIRST_STEP; step--) {
      if (guarded(step / 100.0, reworded, subset).precision() < TARGET_PRECISION) {
        break;
      }
      chosen = step / 100.0;
    }
    return chosen;
  }

  /**
   * The least cosine that overrules a difference the guard only doubts: the lowest step of the
   * sweep above every hard negative of {@code subset} that the guard doubts, so that on the pairs
   * it is chosen on, overruling never accepts a negative.
   */
  private static double chooseRewordedThreshold(Predicate<ScoredPair> subset) {
    MeaningGuard guard = guard();
    double highestNegative = 0;
    for (ScoredPair pair : scored) {
      if (subset.test(pair) && !pair.pair().same()
          && guard.compare(pair.pair().question(), pair.pair().candidate()).doubtOnly()) {
        highestNegative = Math.max(highestNegative, pair.cosine());
      }
    }
    for (int step = FIRST_STEP; step <= LAST_STEP; step++) {
      if (step / 100.0 > highestNegative) {
        return step / 100.0;
      }
    }
    return 1.0;
  }

  private static MeaningGuard guard() {
    return new MeaningGuard();
  }

  private static void printReport() {
    List<Long> sorted = new ArrayList<>(embedNanos);
    sorted.sort(null);
    System.out.printf(Locale.ROOT, "labeled pairs: %d (%d same, %d different); questions embedded: %d%n",
        scored.size(), scored.stream().filter(p -> p.pair().same()).count(),
        scored.stream().filter(p -> !p.pair().same()).count(), sorted.size());
    System.out.printf(Locale.ROOT, "embedding: model load %.0f ms; per question median %.2f ms, p90 %.2f ms,"
        + " p99 %.2f ms (event loop to worker and back, one at a time)%n",
        modelLoadNanos / 1e6, percentile(sorted, 0.50), percentile(sorted, 0.90), percentile(sorted, 0.99));
    System.out.printf(Locale.ROOT, "precision/recall curve, reworded threshold %.2f"
        + " (development: %d pairs; held-out: %d pairs)%n", SemanticMatcher.REWORDED_THRESHOLD,
        scored.stream().filter(development()).count(), scored.stream().filter(heldOut()).count());
    System.out.println("threshold  dev cosine-only P  R   dev guarded P  R    held-out cosine-only P  R"
        + "   held-out guarded P  R");
    for (int step = FIRST_STEP; step <= LAST_STEP; step++) {
      double threshold = step / 100.0;
      System.out.printf(Locale.ROOT, "%.2f       %.3f  %.3f           %.3f  %.3f         %.3f  %.3f"
          + "                %.3f  %.3f%n", threshold,
          cosineOnly(threshold, development()).precision(), cosineOnly(threshold, development()).recall(),
          guarded(threshold, development()).precision(), guarded(threshold, development()).recall(),
          cosineOnly(threshold, heldOut()).precision(), cosineOnly(threshold, heldOut()).recall(),
          guarded(threshold, heldOut()).precision(), guarded(threshold, heldOut()).recall());
    }
    double reworded = chooseRewordedThreshold(development());
    System.out.printf(Locale.ROOT, "chosen on the development pairs: reworded threshold %.2f, threshold %.2f;"
        + " defaults: %.2f, %.2f%n", reworded, chooseThreshold(development(), reworded),
        SemanticMatcher.REWORDED_THRESHOLD, SemanticMatcher.DEFAULT_THRESHOLD);
    for (String set : List.of("development", HELD_OUT)) {
      Predicate<ScoredPair> subset = set.equals(HELD_OUT) ? heldOut() : development();
      Score cosine = cosineOnly(SemanticMatcher.DEFAULT_THRESHOLD, subset);
      Score guarded = guarded(SemanticMatcher.DEFAULT_THRESHOLD, subset);
      System.out.printf(Locale.ROOT, "%s set at %.2f: cosine-only P %.3f R %.3f, guarded P %.3f R %.3f"
          + " (%d true, %d false hits of %d same)%n", set, SemanticMatcher.DEFAULT_THRESHOLD, cosine.precision(),
          cosine.recall(), guarded.precision(), guarded.recall(), guarded.truePositives(), guarded.falsePositives(),
          guarded.positives());
    }
    Map<String, List<ScoredPair>> blocks = new TreeMap<>();
    scored.forEach(pair -> blocks.computeIfAbsent(pair.pair().block(), block -> new ArrayList<>()).add(pair));
    blocks.forEach((block, pairs) -> {
      Predicate<ScoredPair> inBlock = pair -> pair.pair().block().equals(block);
      Score cosine = cosineOnly(SemanticMatcher.DEFAULT_THRESHOLD, inBlock);
      Score guarded = guarded(SemanticMatcher.DEFAULT_THRESHOLD, inBlock);
      System.out.printf(Locale.ROOT, "block %s (%d pairs, %d same) at %.2f: cosine-only P %.3f R %.3f,"
          + " guarded P %.3f R %.3f%n", block, pairs.size(), guarded.positives(), SemanticMatcher.DEFAULT_THRESHOLD,
          cosine.precision(), cosine.recall(), guarded.precision(), guarded.recall());
    });
    printByKind(SemanticMatcher.DEFAULT_THRESHOLD);
  }

  /** Per kind of pair: how many pass the cosine threshold, and how many the guard then lets through. */
  private static void printByKind(double threshold) {
    MeaningGuard guard = new MeaningGuard();
    Map<String, int[]> byKind = new TreeMap<>();
    List<String> mistakes = new ArrayList<>();
    for (ScoredPair pair : scored) {
      LabeledPair labeled = pair.pair();
      int[] counts = byKind.computeIfAbsent(labeled.kind(), kind -> new int[3]);
      counts[0]++;
      boolean close = pair.cosine() >= threshold;
      MeaningGuard.Verdict verdict = guard.compare(labeled.question(), labeled.candidate());
      boolean accepted = close && (verdict.sameMeaning()
          || verdict.doubtOnly() && pair.cosine() >= Math.max(threshold, SemanticMatcher.REWORDED_THRESHOLD));
      counts[1] += close ? 1 : 0;
      counts[2] += accepted ? 1 : 0;
      if (close && accepted != labeled.same()) {
        mistakes.add(String.format(Locale.ROOT, "  %s %.3f [%s] %s | %s | %s", labeled.same() ? "rejected" : "ACCEPTED",
            pair.cosine(), labeled.block(), labeled.question(), labeled.candidate(), verdict.reason()));
      }
    }
    System.out.printf(Locale.ROOT, "at %.2f, kind: pairs / cosine >= threshold / also passes the guard%n", threshold);
    byKind.forEach((kind, counts) -> System.out.printf(Locale.ROOT, "  %-10s %3d / %3d / %3d%n",
        kind, counts[0], counts[1], counts[2]));
    System.out.println("guard decisions above the threshold that disagree with the label:");
    mistakes.forEach(System.out::println);
  }

  private static double percentile(List<Long> sortedNanos, double quantile) {
    if (sortedNanos.isEmpty()) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(quantile * sortedNanos.size()) - 1;
    return sortedNanos.get(Math.max(0, Math.min(index, sortedNanos.size() - 1))) / 1e6;
  }

  /** Embeds one question after the other, so that each timing is of one embedding alone. */
  private static Future<Void> embedOneAtATime(Iterable<String> questions, Map<String, float[]> vectors) {
    Future<Void> chain = Future.succeededFuture();
    for (String question : questions) {
      chain = chain.compose(v -> {
        long start = System.nanoTime();
        return embedder.embed(question).map(vector -> {
          embedNanos.add(System.nanoTime() - start);
          vectors.put(question, vector);
          return null;
        });
      });
    }
    return chain;
  }

  private static List<LabeledPair> loadPairs(String resource, String firstBlock, int firstIndex) throws IOException {
    List<LabeledPair> pairs = new ArrayList<>();
    try (InputStream in = Objects.requireNonNull(SemanticMatchEvaluationTest.class.getResourceAsStream(resource),
        resource);
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String header = reader.readLine();
      assertThat(header).startsWith("label\t");
      String block = firstBlock;
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith(BLOCK_MARKER)) {
          block = line.substring(BLOCK_MARKER.length()).strip().split("\\s+")[0];
          continue;
        }
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] fields = line.split("\t");
        assertThat(fields).as("line %s", line).hasSize(4);
        assertThat(fields[0]).as("label of %s", line).isIn("same", "different");
        pairs.add(new LabeledPair(firstIndex + pairs.size(), fields[0].equals("same"), fields[1], fields[2], fields[3],
            block));
      }
    }
    return pairs;
  }
}
