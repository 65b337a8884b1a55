package dev.edgechat.answer;

import dev.edgechat.cache.AnswerKey;
import java.util.Objects;

/**
 * What a caller asks {@link AnswerEngine} to answer, and how the cache may take part.
 *
 * @param key the exact key its answer is cached under; null only with {@link Lookup#NONE}
 * @param text the question's text for the semantic level (looked up by, remembered by), or null
 *     when it has none
 * @param lookup how the cache is read
 * @param rememberByMeaning whether a stored answer is made findable by meaning (with a {@code text})
 */
public record Question(AnswerKey key, String text, Lookup lookup, boolean rememberByMeaning) {

  /** How the cache takes part. */
  public enum Lookup {
    /** Not at all: the upstream answers, nothing is read or stored, nobody shares the answer. */
    NONE,
    /** An exact match only: this process's memory, then the region's Redis. */
    EXACT,
    /** An exact match, then a cached question meaning the same (when there is a {@code text}). */
    BY_MEANING,
    /** Not read: the upstream answers and its answer is stored (a refresh); never shared. */
    WRITE_ONLY
  }

  public Question {
    Objects.requireNonNull(lookup);
    if (lookup != Lookup.NONE) {
      Objects.requireNonNull(key, "key");
    }
  }

  /** A question the cache takes no part in (not cacheable, or a follow-up whose history is unknown). */
  public static Question uncached() {
    return new Question(null, null, Lookup.NONE, false);
  }

  /** Whether a cached answer may answer it. */
  public boolean readsCache() {
    return lookup == Lookup.EXACT || lookup == Lookup.BY_MEANING;
  }
}
