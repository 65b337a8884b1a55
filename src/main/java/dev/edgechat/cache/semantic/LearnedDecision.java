package dev.edgechat.cache.semantic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A logistic regression over {@link MatchSignals}, with the weights and the calibration curve it was
 * trained to, read from {@code /semantic-matcher/decision.txt} (src/main/resources): the score of a
 * pair is the chance, by the training pairs, that the two questions mean the same.
 *
 * <p>The curve maps a tolerated share of wrong hits to a score threshold. Each point is a score
 * threshold with the precision and recall that pairs scored by a model that had not seen their domain
 * reached from that threshold up (cross-validation leaving one domain out): {@link
 * #scoreThreshold(double)} takes the lowest threshold whose precision, over every hit from there up,
 * is at least {@code 1 - maxWrongShare}: it aims to hold an operator's bound on domains the weights
 * did not fit, and on labeled pairs it holds it roughly, not exactly (docs/answer-cache.md lists
 * where it falls short: at a share of 0.05, 5.1 % wrong under nested cross-validation, 5.3 % on the
 * held-out pairs). It first also asked every stricter point to hold the bound; near the top of the
 * curve a point holds few hits, so two wrong ones there pushed the threshold past most true hits
 * (same signals, nested cross-validation, share 0.03: recall 0.08 with that rule, 0.40 with this
 * one, at precision 0.959 and 0.969). A stricter bound still never lowers the threshold: the
 * points that hold it are among those that hold a looser one. The file is written by {@code
 * SemanticEvaluation --write} (test scope; the command is in
 * docs/answer-cache.md) and never edited by hand.
 *
 * <p>Design note: a fit of eleven weights to a few thousand pairs is some 40 lines of gradient
 * descent in the evaluation harness; no ML library is pulled into the edge for it, and the edge only
 * computes a dot product and a sigmoid.
 */
final class LearnedDecision {

  private static final String RESOURCE = "/semantic-matcher/decision.txt";
  private static volatile LearnedDecision shared;

  /** One point of the cross-validated curve: from {@code score} up, this precision and recall. */
  record CurvePoint(double score, double precision, double recall) {
  }

  private final String model;
  private final double[] weights;
  private final List<CurvePoint> curve;

  LearnedDecision(String model, double[] weights, List<CurvePoint> curve) {
    this.model = Objects.requireNonNull(model, "model");
    if (weights.length != MatchSignals.NAMES.size()) {
      throw new IllegalArgumentException("expected " + MatchSignals.NAMES.size() + " weights, got " + weights.length);
    }
    this.weights = weights.clone();
    this.curve = curve.stream().sorted(Comparator.comparingDouble(CurvePoint::score)).toList();
    if (this.curve.isEmpty()) {
      throw new IllegalArgumentException("a decision needs its calibration curve");
    }
  }

  /** The decision shipped with the edge, read once per process. */
  static LearnedDecision shared() {
    LearnedDecision loaded = shared;
    if (loaded == null) {
      synchronized (LearnedDecision.class) {
        loaded = shared;
        if (loaded == null) {
          try (InputStream in = LearnedDecision.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
              throw new IllegalStateException(RESOURCE + " is missing from the class path");
            }
            loaded = parse(RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
          } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
          }
          shared = loaded;
        }
      }
    }
    return loaded;
  }

  /**
   * Reads a decision file: {@code model NAME}, one {@code weight SIGNAL VALUE} per signal of
   * {@link MatchSignals#NAMES}, and {@code curve SCORE PRECISION RECALL} lines; {@code #} starts a
   * comment. A missing or unknown signal or a malformed line fails with the line named.
   */
  static LearnedDecision parse(String source, String text) {
    String model = null;
    Map<String, Double> byName = new HashMap<>();
    List<CurvePoint> curve = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new java.io.StringReader(text))) {
      int number = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        number++;
        int comment = line.indexOf('#');
        String entry = (comment >= 0 ? line.substring(0, comment) : line).strip();
        if (entry.isEmpty()) {
          continue;
        }
        String[] parts = entry.split("\\s+");
        try {
          switch (parts[0]) {
            case "model" -> model = parts[1];
            case "weight" -> {
              if (!MatchSignals.NAMES.contains(parts[1]) || byName.put(parts[1], Double.parseDouble(parts[2])) != null) {
                throw new IllegalArgumentException("unknown or repeated signal " + parts[1]);
              }
            }
            case "curve" -> curve.add(new CurvePoint(Double.parseDouble(parts[1]), Double.parseDouble(parts[2]),
                Double.parseDouble(parts[3])));
            default -> throw new IllegalArgumentException("unknown entry " + parts[0]);
          }
        } catch (RuntimeException e) {
          throw new IllegalStateException(source + " line " + number + ": " + e.getMessage() + ": \"" + line + "\"", e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    double[] weights = new double[MatchSignals.NAMES.size()];
    for (int i = 0; i < weights.length; i++) {
      Double weight = byName.get(MatchSignals.NAMES.get(i));
      if (weight == null) {
        throw new IllegalStateException(source + ": no weight for signal " + MatchSignals.NAMES.get(i));
      }
      weights[i] = weight;
    }
    if (model == null) {
      throw new IllegalStateException(source + ": no model line");
    }
    return new LearnedDecision(model, weights, curve);
  }

  /** The chance by the training pairs that the pair of {@code signals} means the same, in (0, 1). */
  double score(MatchSignals signals) {
    double[] values = signals.values();
    double sum = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i] * values[i];
    }
    return 1 / (1 + Math.exp(-sum));
  }

  /**
   * The least score of a hit when at most {@code maxWrongShare} of hits may be wrong: the lowest
   * point of the curve from which cross-validated precision is at least {@code 1 - maxWrongShare};
   * above 1 (nothing matches) when no point reaches it.
   */
  double scoreThreshold(double maxWrongShare) {
    if (!(maxWrongShare >= 0 && maxWrongShare < 1)) {
      throw new IllegalArgumentException("the tolerated share of wrong hits must be in [0, 1), was " + maxWrongShare);
    }
    for (CurvePoint point : curve) {
      if (point.precision() >= 1 - maxWrongShare) {
        return point.score();
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  /** The embedding model the weights were trained with. */
  String model() {
    return model;
  }

  List<CurvePoint> curve() {
    return curve;
  }

  double[] weights() {
    return weights.clone();
  }
}
