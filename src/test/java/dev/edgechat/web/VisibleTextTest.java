package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** What counts as something to read: what the embedding model's tokenizer keeps. */
class VisibleTextTest {

  /** Verifies that texts of white space, zero-width, format, bidi, private-use characters, lone marks or surrogates are blank. */
  @Test
  void in_invisibleCharactersOnly_false() {
    List<String> invisible = List.of("", " \t\n", "\u200b", "\ufeff", "\u202e", "\ud800", "\udfff", "\u00a0\u2007\u202f",
        "\u200b\u200c\u200d\u2060", "\u0301\u0308", "\ue000", "\ufffd", "\u0085", "\u3000", "\u2028\u2029",
        "\udb80\udc00"); // a paired surrogate of the supplementary private-use area: private use too
    for (String text : invisible) {
      assertThat(VisibleText.in(text)).as(escaped(text)).isFalse();
    }
  }

  /** Verifies that one letter, digit, punctuation mark, symbol or emoji among invisible characters is enough. */
  @Test
  void in_anyVisibleCharacter_true() {
    List<String> visible = List.of("a", "\u200b?", "\ufeff1", "é", "e\u0301", "日本", "\ud83d\ude00", "\u202e$", "ß", "-");
    for (String text : visible) {
      assertThat(VisibleText.in(text)).as(escaped(text)).isTrue();
    }
  }

  /** Verifies that only an unpaired surrogate has no UTF-8 form; pairs are fine. */
  @Test
  void hasLoneSurrogate_pairsAndStrays() {
    assertThat(VisibleText.hasLoneSurrogate("ok \ud83d\ude00")).isFalse();
    assertThat(VisibleText.hasLoneSurrogate("a\ud800")).isTrue();
    assertThat(VisibleText.hasLoneSurrogate("\udc00b")).isTrue();
    assertThat(VisibleText.hasLoneSurrogate("\ude00\ud83d")).isTrue();
  }

  private static String escaped(String text) {
    StringBuilder out = new StringBuilder();
    text.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
    return out.toString();
  }
}
