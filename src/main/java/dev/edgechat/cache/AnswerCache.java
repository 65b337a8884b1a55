package dev.edgechat.cache;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Complete answers of this edge's region, by {@link AnswerKey}. */
public interface AnswerCache {

  /**
   * The fresh cached answer, or empty; counted in the cache's lookup metrics. Never fails: a cache
   * that is down or slow is a miss, and answers go on from origin.
   */
  Future<Optional<CachedAnswer>> lookup(AnswerKey key);

  /**
   * The fresh answer in this process's memory (L1), at once: counted as an L1 hit when found; when
   * not, nothing is counted and the caller goes on with {@link #lookup}, which counts the outcome.
   * What lets a hit be answered without a single asynchronous step.
   */
  Optional<CachedAnswer> lookupHere(AnswerKey key);

  /** As {@link #lookup}, but not counted: for the semantic cache, which resolves a match it counts itself. */
  Future<Optional<CachedAnswer>> find(AnswerKey key);

  /**
   * An answer past its life but not by more than {@code cache.staleMs}, or empty: what may be
   * served, marked stale, when origin cannot answer. Never fails.
   */
  Future<Optional<CachedAnswer>> stale(AnswerKey key);

  /**
   * Keeps a complete answer for as long as its freshness allows. Never fails; best effort.
   *
   * @return the answer's life in milliseconds
   */
  long store(AnswerKey key, CachedAnswer answer);

  /**
   * Drops this process's answers of {@code site} (its knowledge base changed). Answers in Redis
   * need no dropping: their keys carry the old version, so nobody asks for them again.
   */
  void forgetSite(String site);

  /**
   * Drops this process's answers of {@code site} that a purge by document retired (see
   * {@link DocumentPurges}), and returns their keys. Answers in Redis are retired where a lookup
   * meets them. Scans this process's answers once: call it per purge, not per request.
   */
  List<AnswerKey> forgetRetired(String site);
}
