package dev.edgechat.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.IntSummaryStatistics;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChatAnswerTest {

  private static ChatRequest ask(String question) {
    return ChatRequest.parse(new JsonObject().put("model", "sim-1").put("messages", new JsonArray()
        .add(new JsonObject().put("role", "user").put("content", question))).toBuffer());
  }

  /** Verifies that with no spread every answer is answerTokens long. */
  @Test
  void of_noSpreadGivesAnswerTokens() {
    assertThat(ChatAnswer.of(ask("How do I reset my password?"), 50, 0, "id", 0).tokens()).hasSize(50);
  }

  /** Verifies that a spread varies lengths within [1 - spread, 1 + spread] around answerTokens, mean near it. */
  @Test
  void of_spreadVariesLengthAroundAnswerTokens() {
    IntSummaryStatistics lengths = IntStream.range(0, 2000)
        .map(i -> ChatAnswer.of(ask("question number " + i), 200, 0.5, "id", 0).tokens().size())
        .summaryStatistics();

    assertThat(lengths.getMin()).isGreaterThanOrEqualTo(100).isLessThan(120);
    assertThat(lengths.getMax()).isLessThanOrEqualTo(300).isGreaterThan(280);
    assertThat(lengths.getAverage()).isCloseTo(200, within(8.0));
  }

  /** Verifies that the same conversation always gets an answer of the same length. */
  @Test
  void of_sameConversationSameLength() {
    int first = ChatAnswer.of(ask("Do you ship to Canada?"), 200, 0.7, "a", 0).tokens().size();
    int again = ChatAnswer.of(ask("Do you ship to Canada?"), 200, 0.7, "b", 1).tokens().size();

    assertThat(again).isEqualTo(first);
  }
}
