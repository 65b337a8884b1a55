package dev.edgechat.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.knowledge.Passage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline model quotes the best-matching sentences and says that it does. */
class ExtractiveChatModelTest {

  private static ChatPrompt prompt(String question, Passage... passages) {
    return new ChatPrompt(null, List.of(passages), List.of(), question, 100, 0);
  }

  private static final Passage SHIPPING = new Passage("shipping", "Shipping", null, "static",
      "We ship to the EU and Canada. Standard delivery takes 2 to 4 days. Express costs 9.90 euros.", 1);
  private static final Passage RETURNS = new Passage("returns", "Returns", null, "static",
      "You can return items within 30 days. Gift cards cannot be returned.", 0.5);

  /** Verifies that the answer quotes the sentence that matches the question and is marked as extractive. */
  @Test
  void answer_matchingSentence_quotedAndHonest() {
    String answer = ExtractiveChatModel.answer(prompt("How much does express delivery cost?", SHIPPING, RETURNS));
    assertThat(answer).startsWith(ExtractiveChatModel.PREFIX).contains("Express costs 9.90 euros.")
        .doesNotContain("Gift cards");
  }

  /** Verifies that a sentence matching far fewer of the question's words than the best one is left out. */
  @Test
  void answer_weakMatchBesideStrongOne_leftOut() {
    Passage payment = new Passage("payment", "Payment", null, "static",
        "Your card is charged when your order ships.", 0.4);
    assertThat(ExtractiveChatModel.answer(prompt("Do you ship to Canada?", SHIPPING, payment)))
        .contains("We ship to the EU and Canada.").doesNotContain("card is charged");
  }

  /** Verifies that the answer cites exactly the passages it quotes, so sources name no unused document. */
  @Test
  void extract_citations_onlyQuotedPassages() {
    ExtractiveChatModel.Extract extract = ExtractiveChatModel.extract(
        prompt("How much does express delivery cost?", SHIPPING, RETURNS));
    assertThat(extract.quoted()).containsExactly(SHIPPING);
    assertThat(ExtractiveChatModel.extract(prompt("Is the moon made of cheese?", SHIPPING)).quoted()).isEmpty();
  }

  /** Verifies that inflected words match ("returning" finds "return"). */
  @Test
  void answer_inflectedQuestion_stillMatches() {
    assertThat(ExtractiveChatModel.answer(prompt("returning gift cards?", SHIPPING, RETURNS)))
        .contains("Gift cards cannot be returned.");
  }

  /** Verifies that with nothing relevant the model says so instead of quoting noise. */
  @Test
  void answer_nothingRelevant_saysSo() {
    assertThat(ExtractiveChatModel.answer(prompt("Is the moon made of cheese?", SHIPPING)))
        .isEqualTo(ExtractiveChatModel.NOTHING_FOUND);
    assertThat(ExtractiveChatModel.answer(prompt("anything")))
        .isEqualTo(ExtractiveChatModel.NOTHING_FOUND);
  }

  /** Verifies that tokens keep their leading white space, so they concatenate back to the answer. */
  @Test
  void tokens_concatenated_equalText() {
    String text = "Hello  world,\n\n> quoted text.";
    assertThat(String.join("", ExtractiveChatModel.tokens(text))).isEqualTo(text);
    assertThat(ExtractiveChatModel.tokens(text)).hasSize(5);
  }
}
