package dev.edgechat.answer;

import dev.edgechat.cache.AnswerKey;
import dev.edgechat.knowledge.SiteSemantic;
import java.util.Objects;

/**
 * What a caller asks {@link AnswerEngine} to answer, and how the cache may take part.
 *
 * @param key the exact key its answer is cached under; null only with {@link Lookup#NONE}
 * @param text the question's text for the semantic level (looked up by, remembered by), or null
 *     when it has none
 * @param lookup how the cache is read
 * @param rememberByMeaning whether a stored answer is made findable by meaning (with a {@code text})
 * @param semantic the site's own semantic settings (its switch, its tolerated share of wrong hits);
 *     {@link SiteSemantic#NONE}: the edge's
 */
public record Question(AnswerKey key, String text, Lookup lookup, boolean rememberByMeaning, SiteSemantic semantic) {

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

  /** A question held to the edge's semantic settings. */
  public Question(AnswerKey key, String text, Lookup lookup, boolean rememberByMeaning) {
    this(key, text, lookup, rememberByMeaning, SiteSemantic.NONE);
  }

  public Question {
    Objects.requireNonNull(lookup);
    Objects.requireNonNull(semantic, "semantic");
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
