package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A lookup judges its candidates on its question's anchors read once ({@link SemanticMatcher#judge});
 * that must decide as {@link SemanticMatcher#matches(float[], String, float[], String, double)} does,
 * and give the guard's verdict the rejection reasons are counted by.
 */
class SemanticMatcherJudgeTest {

  private static final List<String[]> PAIRS = List.of(
      new String[] {"Can I return the shoes?", "Can I return the gift card?"},
      new String[] {"How do I log in?", "How do I log out?"},
      new String[] {"Is it possible to change my delivery address?", "Can I change my delivery address?"},
      new String[] {"Do you ship to Canada?", "Do you ship to Mexico?"},
      new String[] {"How long does delivery take?", "How long does delivery take to arrive?"},
      new String[] {"Are you open on Sunday?", "Are you open on Monday?"},
      new String[] {"What is your refund policy?", "How do refunds work?"},
      new String[] {"Can I pay with PayPal?", "Can I not pay with PayPal?"});

  /**
   * Verifies that judging on anchors read once decides as matching on the texts, at several cosines
   * and bounds, with each question's anchors reused for every candidate as a lookup reuses them.
   */
  @Test
  void judge_sameDecisionAsMatches_andTheGuardsVerdict() {
    SemanticMatcher matcher = new SemanticMatcher(0.5);
    MeaningGuard guard = new MeaningGuard();
    int[] decided = new int[2]; // refused, matched: the pairs must exercise both
    for (double cosine : new double[] {0.55, 0.75, 0.9, 0.99}) {
      float[] q = {1f, 0f};
      float[] c = {(float) cosine, (float) Math.sqrt(1 - cosine * cosine)};
      double exact = SemanticMatcher.cosine(q, c);
      for (double bound : new double[] {0.03, 0.05, 0.12}) {
        for (String[] asked : PAIRS) {
          Anchors question = Anchors.of(asked[0]);
          for (String[] cached : PAIRS) {
            SemanticMatcher.Judgement judged = matcher.judge(exact, question, Anchors.of(cached[1]), bound);
            assertThat(judged.matches()).as("%s / %s at cosine %.2f, bound %.2f", asked[0], cached[1], cosine, bound)
                .isEqualTo(matcher.matches(q, asked[0], c, cached[1], bound));
            assertThat(judged.verdict()).isEqualTo(guard.compare(asked[0], cached[1]));
            decided[judged.matches() ? 1 : 0]++;
          }
        }
      }
    }
    assertThat(decided[0]).as("refused").isPositive();
    assertThat(decided[1]).as("matched").isPositive();
  }
}
