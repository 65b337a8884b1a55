package dev.edgechat.cache.semantic;

import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edgechat.cache.semantic.WordNetTable.Part;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Synonyms from Princeton WordNet 3.1 ({@link WordNetTable}, made from the data extJWNL reads). Two
 * words are synonyms when, in any part of speech and any sense, they share a synset ("cost" and
 * "price", "phone" and "call"), or one shares a synset with a word derived from the other ("choose"
 * is in a synset with "select", from which "selection" derives). Hypernyms are deliberately not
 * followed: "mortgage" is a kind of "loan", and asking about one is not asking about the other.
 *
 * <p>The table is read from the class path once per JVM, by the first {@link #shared()} (50–70 ms
 * and 6 MB of heap, in memory from then on); call that on a worker thread, never on an event loop.
 * After that a lookup is in-memory and takes microseconds; each word's expansion is cached (the most
 * used 50,000 words).
 */
final class WordNetSynonyms implements Synonyms {

  private static volatile WordNetSynonyms shared;

  /** Words seen in visitors' questions are unbounded: keep the expansions of the most used ones. */
  private static final int CACHED_WORDS = 50_000;

  private final WordNetTable table;
  private final WordNetMorphology morphology;
  private final Map<String, Set<String>> baseForms = bounded();
  private final Map<String, Set<String>> expansions = bounded();

  WordNetSynonyms(WordNetTable table) {
    this.table = Objects.requireNonNull(table, "table");
    this.morphology = new WordNetMorphology(table);
  }

  private static Map<String, Set<String>> bounded() {
    return Caffeine.newBuilder().maximumSize(CACHED_WORDS).executor(Runnable::run).<String, Set<String>>build().asMap();
  }

  /** The one instance of this JVM, reading the table if this is the first call. */
  static WordNetSynonyms shared() {
    WordNetSynonyms loaded = shared;
    if (loaded == null) {
      synchronized (WordNetSynonyms.class) {
        loaded = shared;
        if (loaded == null) {
          loaded = new WordNetSynonyms(WordNetTable.shared());
          shared = loaded;
        }
      }
    }
    return loaded;
  }

  @Override
  public boolean synonyms(String one, String other) {
    String a = one.toLowerCase(Locale.ROOT);
    String b = other.toLowerCase(Locale.ROOT);
    if (a.equals(b)) {
      return true;
    }
    Set<String> aBases = baseForms(a);
    Set<String> bBases = baseForms(b);
    return intersects(expansion(a), bBases) || intersects(expansion(b), aBases);
  }

  /** A word with a base form in WordNet, in any part of speech, or one of the guard's own word lists. */
  @Override
  public boolean known(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return baseForms(w).size() > 1 || table.inAnyIndex(w) || Lexicon.FUNCTION_WORDS.contains(w);
  }

  private static boolean intersects(Set<String> some, Set<String> others) {
    for (String word : others) {
      if (some.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** The word itself and its lemmas in every part of speech: "selections" → selection; "chose" → choose. */
  Set<String> baseForms(String word) {
    return baseForms.computeIfAbsent(word, w -> {
      Set<String> bases = new HashSet<>();
      bases.add(w);
      for (Part part : Part.values()) {
        for (String base : morphology.baseForms(part, w)) {
          bases.add(base.toLowerCase(Locale.ROOT));
        }
      }
      return Set.copyOf(bases);
    });
  }

  /** Every lemma in a synset of the word, and every word derived from one of those lemmas. */
  Set<String> expansion(String word) {
    return expansions.computeIfAbsent(word, w -> {
      Set<String> related = new HashSet<>();
      for (String base : baseForms(w)) {
        table.addRelated(base, related);
      }
      return Set.copyOf(related);
    });
  }
}
