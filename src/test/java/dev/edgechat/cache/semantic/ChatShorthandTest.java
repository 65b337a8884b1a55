package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChatShorthandTest {

  /** Verifies whole words are written out in any case, with the punctuation around them kept. */
  @Test
  void expand_wholeWordsOnly() {
    assertThat(ChatShorthand.expand("can u ship rn?")).isEqualTo("can you ship right now?");
    assertThat(ChatShorthand.expand("U there? my card DOESNT work, pls help"))
        .isEqualTo("you there? my card does not work, please help");
    assertThat(ChatShorthand.expand("is the U-turn fee ur fee")).isEqualTo("is the U-turn fee your fee");
    assertThat(ChatShorthand.expand("Can I use my umbrella?")).isEqualTo("Can I use my umbrella?");
    assertThat(ChatShorthand.expand("It's u's turn")).isEqualTo("It's u's turn");
    assertThat(ChatShorthand.expand("do u ship to the U.S.? or the U.K.")).isEqualTo("do you ship to the U.S.? or the U.K.");
    assertThat(ChatShorthand.expand("is u\u0308ber u")).isEqualTo("is u\u0308ber you");
  }

  /** Verifies a question without shorthand comes back as the same string, not a copy. */
  @Test
  void expand_nothingToExpand_sameString() {
    String question = "How do I reset my password?";
    assertThat(ChatShorthand.expand(question)).isSameAs(question);
  }
}
