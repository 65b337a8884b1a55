package dev.edgechat.cache.semantic;

import dev.edgechat.cache.AnswerKey;
import dev.edgechat.vectors.VectorIndex;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cached first questions of one site at one knowledge-base version, over a
 * {@link VectorIndex} (approximate nearest neighbours by cosine). One index per site is what makes
 * site isolation a hard filter: a search never sees another site's questions, whatever their
 * similarity.
 *
 * <p>Entries live as long as their answers; expired ones are skipped and removed, and beyond
 * {@code maxEntries} the oldest give way. The vector index compacts removed nodes and reuses
 * their ordinals, so memory follows the live entries.
 *
 * <p>Thread safety: searches and inserts may run concurrently. Callers run on worker threads: a
 * search visits a few hundred vectors, an insert a few thousand.
 */
final class SiteQuestionIndex {

  /** One cached question: where its answer is, its words (for the meaning guard) and its vector. */
  record Entry(AnswerKey key, String question, float[] vector, long expiresAtMillis) {
  }

  /** Searches ask for this many more nodes than wanted, so that expired ones do not crowd out live ones. */
  private static final int OVERFETCH = 4;

  private final long kbVersion;
  private final int maxEntries;
  private final VectorIndex<AnswerKey> vectors;
  private final Map<AnswerKey, Entry> entries = new ConcurrentHashMap<>();
  // guarded by this: keys in insertion order, for eviction (a key removed meanwhile is skipped)
  private final ArrayDeque<AnswerKey> oldestFirst = new ArrayDeque<>();

  SiteQuestionIndex(long kbVersion, int dimensions, int maxEntries) {
    this.kbVersion = kbVersion;
    this.maxEntries = maxEntries;
    this.vectors = new VectorIndex<>(dimensions);
  }

  long kbVersion() {
    return kbVersion;
  }

  int size() {
    return entries.size();
  }

  /** Adds (or renews) a cached question; the oldest entries give way beyond the bound. */
  void add(AnswerKey key, String question, float[] vector, long expiresAtMillis) {
    Entry renewed = entries.computeIfPresent(key, (k, entry) -> new Entry(key, question, entry.vector(),
        expiresAtMillis));
    if (renewed != null) {
      return; // same question again: keep the node, renew its life
    }
    entries.put(key, new Entry(key, question, vector.clone(), expiresAtMillis));
    vectors.put(key, vector);
    synchronized (this) {
      oldestFirst.addLast(key);
    }
    evictBeyondBound();
  }

  /**
   * Up to {@code k} live entries nearest to {@code vector}, nearest first; expired ones met on the
   * way are removed.
   */
  List<Entry> nearest(float[] vector, int k, long nowMillis) {
    List<Entry> found = new ArrayList<>(k);
    List<AnswerKey> expired = new ArrayList<>();
    for (VectorIndex.Match<AnswerKey> match : vectors.nearest(vector, k * OVERFETCH, entries::containsKey)) {
      Entry entry = entries.get(match.key());
      if (entry == null) {
        continue;
      }
      if (entry.expiresAtMillis() <= nowMillis) {
        expired.add(entry.key());
      } else if (found.size() < k) {
        found.add(entry);
      }
    }
    expired.forEach(this::remove);
    return found;
  }

  /** Removes the entry of {@code key}, if there is one (its answer is gone). */
  void remove(AnswerKey key) {
    if (entries.remove(key) != null) {
      vectors.remove(key);
    }
  }

  private void evictBeyondBound() {
    while (entries.size() > maxEntries) {
      AnswerKey oldest;
      synchronized (this) {
        oldest = oldestFirst.pollFirst();
      }
      if (oldest == null) {
        return;
      }
      remove(oldest);
    }
  }

  /** Releases the graph. */
  void close() {
    vectors.close();
  }
}
