package dev.edgechat.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The normalized question of a cache key. */
class AnswerKeyTest {

  /** Verifies that case, runs of spaces and trailing punctuation do not split the cache. */
  @Test
  void normalize_variants_sameQuestion() {
    assertThat(AnswerKey.normalize("  How do I   reset my PASSWORD?!  ")).isEqualTo("how do i reset my password");
    assertThat(AnswerKey.normalize("How do I reset my password")).isEqualTo("how do i reset my password");
    assertThat(AnswerKey.normalize("\tWie geht's?\r\n")).isEqualTo("wie geht's");
    assertThat(AnswerKey.normalize("Ｈｏｗ ｄｏ Ｉ？")).isEqualTo("how do i");
    assertThat(AnswerKey.normalize("?.!")).isEmpty();
  }

  /**
   * Verifies that the one-pass normalization of ASCII text gives what the definition by patterns
   * gives, on edge cases and on 20,000 random strings of spaces, controls, punctuation and letters.
   */
  @Test
  void normalize_ascii_sameAsDefinition() {
    List<String> cases = List.of("", " ", "a", "A?", "a ?", "a? ", "a?\n", "a.\u001f", "\u001f a \u001f", "a\u000b\u000bb",
        "x\u001c?", "? x", "a\r\nb.", "...a...", "a \u001e ", "\u001d");
    for (String text : cases) {
      assertThat(AnswerKey.normalize(text)).as("'%s'", text).isEqualTo(AnswerKey.normalizeByPatterns(text));
    }
    String alphabet = " \t\n\u000b\f\r\u001c\u001d\u001e\u001f?!.,'aZq0-";
    Random random = new Random(42);
    for (int n = 0; n < 20_000; n++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = text.toString();
      assertThat(AnswerKey.normalize(s)).as("'%s'", s).isEqualTo(AnswerKey.normalizeByPatterns(s));
    }
  }
}
