package dev.edgechat.cache;

import io.vertx.core.Future;
import java.util.Optional;

/** Complete answers of this edge's region, by {@link AnswerKey}. */
public interface AnswerCache {

  /**
   * The cached answer, or empty. Never fails: a cache that is down or slow is a miss, and answers
   * go on from origin.
   */
  Future<Optional<CachedAnswer>> lookup(AnswerKey key);

  /** Keeps a complete answer for as long as its freshness allows. Never fails; best effort. */
  void store(AnswerKey key, CachedAnswer answer);

  /**
   * Drops this process's answers of {@code site} (its knowledge base changed). Answers in Redis
   * need no dropping: their keys carry the old version, so nobody asks for them again.
   */
  void forgetSite(String site);
}
