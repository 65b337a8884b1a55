package dev.edgechat.cache.semantic;

import dev.edgechat.cache.AnswerKey;
import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.MapRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.RandomAccessVectorValues;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.graph.similarity.BuildScoreProvider;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The cached first questions of one site at one knowledge-base version, in a jvector graph index
 * (approximate nearest neighbours by cosine). One index per site is what makes site isolation a
 * hard filter: a search never sees another site's questions, whatever their similarity.
 *
 * <p>Entries live as long as their answers; expired ones are skipped and removed, and beyond
 * {@code maxEntries} the oldest give way. Removed nodes are compacted out of the graph once they
 * are a quarter of it, and their ordinals reused, so memory follows the live entries.
 *
 * <p>Thread safety: searches and inserts may run concurrently (jvector supports it); compaction
 * takes the write lock, because jvector's {@code removeDeletedNodes} must run alone. Callers run
 * on worker threads: a search visits a few hundred vectors, an insert a few thousand.
 */
final class SiteQuestionIndex {

  /** One cached question: where its answer is, its words (for the meaning guard) and its vector. */
  record Entry(AnswerKey key, String question, float[] vector, long expiresAtMillis) {
  }

  private static final VectorTypeSupport VECTORS = VectorizationProvider.getInstance().getVectorTypeSupport();
  private static final int MAX_DEGREE = 16;
  private static final int BEAM_WIDTH = 100;
  private static final float NEIGHBOR_OVERFLOW = 1.2f;
  private static final float ALPHA = 1.2f;
  private static final int MIN_COMPACTION = 64;
  /** Searches ask for this many more nodes than wanted, so that expired ones do not crowd out live ones. */
  private static final int OVERFETCH = 4;

  private final long kbVersion;
  private final int maxEntries;
  private final Map<Integer, VectorFloat<?>> vectors = new ConcurrentHashMap<>();
  private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();
  private final Map<AnswerKey, Integer> nodes = new ConcurrentHashMap<>();
  private final RandomAccessVectorValues values;
  private final GraphIndexBuilder graph;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  // guarded by this: insertion order (for eviction), removed nodes awaiting compaction, free ordinals
  private final ArrayDeque<Integer> oldestFirst = new ArrayDeque<>();
  private final List<Integer> removed = new ArrayList<>();
  private final ArrayDeque<Integer> freeOrdinals = new ArrayDeque<>();
  private int nextOrdinal;

  SiteQuestionIndex(long kbVersion, int dimensions, int maxEntries) {
    this.kbVersion = kbVersion;
    this.maxEntries = maxEntries;
    this.values = new MapRandomAccessVectorValues(vectors, dimensions);
    this.graph = new GraphIndexBuilder(
        BuildScoreProvider.randomAccessScoreProvider(values, VectorSimilarityFunction.COSINE),
        dimensions, MAX_DEGREE, BEAM_WIDTH, NEIGHBOR_OVERFLOW, ALPHA);
  }

  long kbVersion() {
    return kbVersion;
  }

  int size() {
    return entries.size();
  }

  /** Adds (or renews) a cached question; the oldest entries give way beyond the bound. */
  void add(AnswerKey key, String question, float[] vector, long expiresAtMillis) {
    lock.readLock().lock();
    try {
      Integer existing = nodes.get(key);
      if (existing != null) {
        // same question again: keep the node, renew its life
        entries.computeIfPresent(existing, (node, entry) -> new Entry(key, question, entry.vector(), expiresAtMillis));
        return;
      }
      int node = claimOrdinal();
      VectorFloat<?> stored = VECTORS.createFloatVector(vector.clone());
      vectors.put(node, stored);
      entries.put(node, new Entry(key, question, vector.clone(), expiresAtMillis));
      nodes.put(key, node);
      graph.addGraphNode(node, stored);
      synchronized (this) {
        oldestFirst.addLast(node);
      }
    } finally {
      lock.readLock().unlock();
    }
    evictBeyondBound();
    compactIfWorthIt();
  }

  /**
   * Up to {@code k} live entries nearest to {@code vector}, nearest first; expired ones met on the
   * way are removed.
   */
  List<Entry> nearest(float[] vector, int k, long nowMillis) {
    List<Entry> found = new ArrayList<>(k);
    List<AnswerKey> expired = new ArrayList<>();
    lock.readLock().lock();
    try {
      if (entries.isEmpty()) {
        return found;
      }
      SearchResult result = GraphSearcher.search(VECTORS.createFloatVector(vector), k * OVERFETCH, values,
          VectorSimilarityFunction.COSINE, graph.getGraph(), entries::containsKey);
      for (SearchResult.NodeScore scored : result.getNodes()) {
        Entry entry = entries.get(scored.node);
        if (entry == null) {
          continue;
        }
        if (entry.expiresAtMillis() <= nowMillis) {
          expired.add(entry.key());
        } else if (found.size() < k) {
          found.add(entry);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    expired.forEach(this::remove);
    return found;
  }

  /** Removes the entry of {@code key}, if there is one (its answer is gone). */
  void remove(AnswerKey key) {
    Integer node = nodes.remove(key);
    if (node == null) {
      return;
    }
    lock.readLock().lock();
    try {
      if (entries.remove(node) != null) {
        graph.markNodeDeleted(node);
        synchronized (this) {
          removed.add(node);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    compactIfWorthIt();
  }

  private synchronized int claimOrdinal() {
    Integer free = freeOrdinals.pollFirst();
    return free != null ? free : nextOrdinal++;
  }

  private void evictBeyondBound() {
    while (entries.size() > maxEntries) {
      Integer oldest;
      synchronized (this) {
        oldest = oldestFirst.pollFirst();
      }
      if (oldest == null) {
        return;
      }
      Entry entry = entries.get(oldest);
      if (entry != null) {
        remove(entry.key());
      }
    }
  }

  /** Takes removed nodes out of the graph once they are a quarter of it, and frees their ordinals. */
  private void compactIfWorthIt() {
    synchronized (this) {
      if (removed.size() < Math.max(MIN_COMPACTION, entries.size() / 4)) {
        return;
      }
    }
    lock.writeLock().lock();
    try {
      List<Integer> gone;
      synchronized (this) {
        gone = new ArrayList<>(removed);
        removed.clear();
      }
      if (gone.isEmpty()) {
        return;
      }
      graph.removeDeletedNodes();
      Map<Integer, Boolean> isGone = new HashMap<>();
      gone.forEach(node -> isGone.put(node, true));
      synchronized (this) {
        oldestFirst.removeIf(isGone::containsKey);
        gone.forEach(node -> {
          vectors.remove(node);
          freeOrdinals.addLast(node);
        });
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Releases the graph. */
  void close() {
    try {
      graph.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
