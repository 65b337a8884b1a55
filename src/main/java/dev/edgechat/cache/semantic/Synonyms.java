package dev.edgechat.cache.semantic;

/** Tells whether two single words can stand for each other, for {@link MeaningGuard}'s subject rule. */
@FunctionalInterface
public interface Synonyms {

  /** Never treats two different words as synonyms: the guard's strictest setting. */
  Synonyms NONE = (one, other) -> one.equalsIgnoreCase(other);

  /**
   * Whether {@code one} and {@code other} (lower-case words as written, in any inflection) can mean
   * the same thing in some sense. Must be symmetric and fast: the guard calls it while comparing.
   */
  boolean synonyms(String one, String other);

  /**
   * Whether {@code word} (lower-case, as written, in any inflection) is a word of the language, so
   * not a misspelling: a word it does not know may be a typo of a word one letter away. By default
   * every word is known, so no word is taken for a typo.
   */
  default boolean known(String word) {
    return true;
  }
}
