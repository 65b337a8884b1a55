package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.cache.semantic.WordNetTable.Part;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.Exc;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.dictionary.Dictionary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Holds {@link WordNetTable} (made by the build, {@link WordNetTableBuild}) to the WordNet it was made
 * from: extJWNL reading Princeton WordNet 3.1, which the guard asked itself before the table.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WordNetTableTest {

  /** Looked up only, as the guard did, never iterated (see {@link WordNetTableBuild#write}). */
  private static Dictionary dictionary;
  /** Iterated, for the lists of lemmas and irregular forms. */
  private static Dictionary listing;

  @BeforeAll
  static void load() throws Exception {
    dictionary = Dictionary.getDefaultResourceInstance();
    listing = Dictionary.getDefaultResourceInstance();
    assertThat(listing).isNotSameAs(dictionary);
  }

  /** Verifies that the table the build put on the class path reads back whole, with every lemma. */
  @Test
  void resource_readsBackWithEveryLemma() throws Exception {
    WordNetTable table = WordNetTable.shared();
    assertThat(table.size()).isGreaterThan(150_000);
    assertThat(table.inIndex(Part.NOUN, "credit_card")).isTrue();
    assertThat(table.inIndex(Part.VERB, "cancel")).isTrue();
    assertThat(table.exceptions(Part.VERB, "chose")).containsExactly("choose");
  }

  /**
   * Verifies that base forms, expansions and "known" read from the table are extJWNL's, for every
   * lemma of every index, every irregular form, every word of the labeled question pairs, and regular
   * inflections of every third lemma (some 250,000 words).
   */
  @Test
  void synonyms_sayWhatExtJwnlSays_wordForWord() throws Exception {
    WordNetSynonyms fromTable = new WordNetSynonyms(WordNetTable.shared());
    Set<String> words = wordsToCompare();
    assertThat(words).hasSizeGreaterThan(200_000);
    List<String> differences = new ArrayList<>();
    for (String word : words) {
      if (letterRuns(word) > WordNetMorphology.MAX_RUNS) {
        continue; // the one deliberate difference: such words skip the joining (WordNetMorphology)
      }
      Set<String> bases = referenceBaseForms(word);
      if (!fromTable.baseForms(word).equals(bases)) {
        differences.add(word + ": base forms " + fromTable.baseForms(word) + " vs extJWNL " + bases);
      } else if (!fromTable.expansion(word).equals(referenceExpansion(bases))) {
        differences.add(word + ": expansion differs");
      } else if (fromTable.known(word) != referenceKnown(word, bases)) {
        differences.add(word + ": known " + fromTable.known(word));
      }
      if (differences.size() > 20) {
        break;
      }
    }
    assertThat(differences).isEmpty();
  }

  /** Verifies that a word of many letter runs, which a visitor can type, is not joined every way (2^runs). */
  @Test
  @Timeout(10)
  void baseForms_wordOfManyRuns_returnsAtOnce() {
    WordNetSynonyms fromTable = new WordNetSynonyms(WordNetTable.shared());
    String typed = "a1".repeat(40) + "a";
    assertThat(fromTable.baseForms(typed)).containsExactly(typed);
    assertThat(fromTable.known(typed)).isFalse();
  }

  private static int letterRuns(String word) {
    return (int) Pattern.compile("[a-z']+").matcher(word).results().count();
  }

  /** Verifies the guard's kinds of synonym on the table: shared synsets, derivations, inflections, irregular forms. */
  @Test
  void synonyms_acrossSensesDerivationsAndInflections() {
    WordNetSynonyms fromTable = new WordNetSynonyms(WordNetTable.shared());
    assertThat(fromTable.synonyms("cost", "price")).isTrue();
    assertThat(fromTable.synonyms("choose", "selection")).isTrue();
    assertThat(fromTable.synonyms("chose", "selections")).isTrue();
    assertThat(fromTable.synonyms("e-mail", "email")).isTrue();
    assertThat(fromTable.synonyms("mortgage", "loan")).isFalse();
    assertThat(fromTable.known("cancelled")).isTrue();
    assertThat(fromTable.known("cancle")).isFalse();
  }

  private static Set<String> wordsToCompare() throws JWNLException, IOException {
    Set<String> words = new TreeSet<>();
    int lemma = 0;
    for (POS pos : POS.getAllPOS()) {
      for (Iterator<IndexWord> it = listing.getIndexWordIterator(pos); it.hasNext(); ) {
        String word = it.next().getLemma();
        words.add(word);
        if (lemma++ % 3 == 0 && word.indexOf(' ') < 0) {
          for (String ending : List.of("s", "es", "ed", "ing", "er", "est", "'s")) {
            words.add(word + ending);
          }
          if (word.endsWith("y")) {
            words.add(word.substring(0, word.length() - 1) + "ies");
          }
        }
      }
      for (Iterator<Exc> it = listing.getExceptionIterator(pos); it.hasNext(); ) {
        words.add(it.next().getLemma());
      }
    }
    Pattern token = Pattern.compile("[\\p{L}\\p{N}'][\\p{L}\\p{N}'.-]*");
    try (Stream<Path> files = Files.list(Path.of("src/test/resources/semantic"))) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Matcher matcher = token.matcher(Files.readString(file, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        while (matcher.find()) {
          words.add(matcher.group());
        }
      }
    }
    return words;
  }

  // The reference: what WordNetSynonyms computed on extJWNL before the table replaced it.

  private static Set<String> referenceBaseForms(String word) throws JWNLException {
    Set<String> bases = new HashSet<>();
    bases.add(word);
    for (POS pos : POS.getAllPOS()) {
      for (String base : dictionary.getMorphologicalProcessor().lookupAllBaseForms(pos, word)) {
        bases.add(base.toLowerCase(Locale.ROOT));
      }
    }
    return bases;
  }

  private static Set<String> referenceExpansion(Set<String> bases) throws JWNLException {
    Set<String> related = new HashSet<>();
    for (String base : bases) {
      for (POS pos : POS.getAllPOS()) {
        IndexWord indexWord = dictionary.getIndexWord(pos, base);
        if (indexWord != null) {
          related.addAll(WordNetTableBuild.relatedTo(indexWord));
        }
      }
    }
    return related;
  }

  private static boolean referenceKnown(String word, Set<String> bases) throws JWNLException {
    if (bases.size() > 1 || Lexicon.FUNCTION_WORDS.contains(word)) {
      return true;
    }
    for (POS pos : POS.getAllPOS()) {
      if (dictionary.getIndexWord(pos, word) != null) {
        return true;
      }
    }
    return false;
  }
}
