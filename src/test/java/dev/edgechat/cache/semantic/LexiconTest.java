package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.junit5.Timeout;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class LexiconTest {

  private static Lexicon.WordList list(String... entries) {
    return new Lexicon.WordList("test.txt", List.of(entries));
  }

  /** Verifies that the word lists load from the class path, maps and opposites included. */
  @Test
  void lists_loadFromClassPath() {
    assertThat(Lexicon.DAYS).contains("saturday", "weekend").doesNotContain("may");
    assertThat(Lexicon.PLACES).containsEntry("paris", "paris").containsEntry("holland", "netherlands")
        .containsEntry("rio de janeiro", "rio de janeiro");
    assertThat(Lexicon.NUMBER_WORDS).containsEntry("twelfth", "12").containsEntry("twice", "2");
    assertThat(Lexicon.PHRASES).containsEntry("sign in", "log_in").containsEntry("out of stock", "out_of_stock");
    assertThat(Lexicon.NUMBER_UNITS).startsWith("st", "nd", "rd", "th");
    assertThat(Lexicon.longestSpelling(Lexicon.PHRASES)).isEqualTo(3);
    Opposite first = Lexicon.OPPOSITES.get(0);
    assertThat(first.strict()).isTrue();
    assertThat(first.one()).isEqualTo("import");
    assertThat(first.oneForms()).containsExactlyInAnyOrder("import", "imported", "importing");
    assertThat(Lexicon.OPPOSITES.get(2).oneForms()).contains("enabled", "turn_on").doesNotContain("turn_oned");
  }

  /** Verifies that "spelling = meaning" maps and a spelling alone means itself. */
  @Test
  void spellings_aloneMeansItself() {
    assertThat(Lexicon.spellings(list("paris", "holland = netherlands")))
        .isEqualTo(Map.of("paris", "paris", "holland", "netherlands"));
  }

  /** Verifies that a word listed twice or a malformed line fails with the list named. */
  @Test
  void parse_malformed_failsNamingTheList() {
    assertThatThrownBy(() -> Lexicon.words(list("monday", "monday")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("test.txt").hasMessageContaining("monday");
    assertThatThrownBy(() -> Lexicon.spellings(list("a = b = c"))).hasMessageContaining("test.txt");
    assertThatThrownBy(() -> Lexicon.spellings(list("usa = united states", "usa = america")))
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> Lexicon.opposites(list("strict verbs import: import")))
        .hasMessageContaining("test.txt");
    assertThatThrownBy(() -> Lexicon.opposites(list("strict nouns a: a | b: b"))).hasMessageContaining("test.txt");
    assertThatThrownBy(() -> Lexicon.opposites(list("strict words a: | b: b"))).hasMessageContaining("without forms");
  }
}
