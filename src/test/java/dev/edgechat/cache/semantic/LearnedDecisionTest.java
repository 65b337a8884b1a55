package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The decision file's reading and the mapping of a tolerated share of wrong hits to a score threshold. */
class LearnedDecisionTest {

  private static String file(String curve) {
    StringBuilder text = new StringBuilder("model test\n");
    for (String name : MatchSignals.NAMES) {
      text.append("weight ").append(name).append(" 0.5 # a comment\n");
    }
    return text.append(curve).toString();
  }

  /**
   * Verifies that the threshold is the lowest point whose precision, over every hit from there up,
   * holds the bound: a dip above it (fewer hits, a noisier figure) does not move it up, and a stricter
   * bound never lowers it.
   */
  @Test
  void scoreThreshold_dipInTheCurve_lowestPointThatHolds() {
    LearnedDecision decision = LearnedDecision.parse("test", file(
        "curve 0.5 0.96 0.8\ncurve 0.6 0.93 0.7\ncurve 0.7 0.97 0.6\ncurve 0.8 0.99 0.4\ncurve 0.9 1.0 0.1\n"));
    assertThat(decision.scoreThreshold(0.05)).isEqualTo(0.5);
    assertThat(decision.scoreThreshold(0.08)).isEqualTo(0.5);
    assertThat(decision.scoreThreshold(0.035)).isEqualTo(0.7);
    assertThat(decision.scoreThreshold(0.02)).isEqualTo(0.8);
    assertThat(decision.scoreThreshold(0.0)).isEqualTo(0.9);
  }

  /** Verifies that a bound no point reaches matches nothing, and that a share outside [0, 1) is refused. */
  @Test
  void scoreThreshold_unreachableOrInvalid_nothingOrRefused() {
    LearnedDecision decision = LearnedDecision.parse("test", file("curve 0.5 0.90 0.8\ncurve 0.9 0.95 0.1\n"));
    assertThat(decision.scoreThreshold(0.01)).isGreaterThan(1);
    assertThatThrownBy(() -> decision.scoreThreshold(1.0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> decision.scoreThreshold(-0.1)).isInstanceOf(IllegalArgumentException.class);
  }

  /** Verifies that a file missing a weight, naming an unknown signal or lacking its curve fails, naming the problem. */
  @Test
  void parse_malformedFile_failsNamingIt() {
    assertThatThrownBy(() -> LearnedDecision.parse("f", "model m\nweight bias 1\ncurve 0.5 0.9 0.5\n"))
        .hasMessageContaining("no weight for signal cosine");
    assertThatThrownBy(() -> LearnedDecision.parse("f", file("weight nonsense 1\ncurve 0.5 0.9 0.5\n")))
        .hasMessageContaining("line").hasMessageContaining("nonsense");
    assertThatThrownBy(() -> LearnedDecision.parse("f", file(""))).hasMessageContaining("curve");
  }

  /** Verifies that the shipped file reads, and its score is a sigmoid of the weighted signals. */
  @Test
  void shared_shippedFile_readsAndScores() {
    LearnedDecision shipped = LearnedDecision.shared();
    assertThat(shipped.curve()).hasSize(99);
    double[] values = new double[MatchSignals.NAMES.size()];
    values[0] = 1;
    double score = shipped.score(new MatchSignals(values, MeaningGuard.Verdict.SAME));
    assertThat(score).isEqualTo(1 / (1 + Math.exp(-shipped.weights()[0])));
    assertThat(List.of(shipped.scoreThreshold(0.03), shipped.scoreThreshold(0.12))).allMatch(t -> t > 0 && t < 1);
  }
}
