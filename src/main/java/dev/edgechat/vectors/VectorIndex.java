package dev.edgechat.vectors;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * Vectors by key in a jvector graph index: approximate nearest neighbours by cosine, with adds,
 * replacements and removals while searches run.
 *
 * <p>jvector works on int ordinals; this class maps keys to them, reuses the ordinals of removed
 * vectors once the graph has been compacted (removed nodes are taken out when they are a quarter of
 * it), so memory follows the live vectors.
 *
 * <p>A search, and the search that links an added node into the graph, start at the graph's entry
 * node and go through removed nodes but only find live ones. A node added while no live node can
 * be reached that way (every vector removed, or the only one replaced: a site's only document
 * ingested again, a chunk put again) would be linked to nothing and never found. So a removal that
 * leaves no live vector starts the graph over, empty, and removals never land in the middle of an
 * add (which could begin from the last live node and end with none).
 *
 * <p>Thread safety: any thread may search, add and remove at once (jvector allows concurrent inserts
 * and searches); removals and compaction take the write lock, removals for the reason above,
 * compaction because jvector's {@code removeDeletedNodes} must run alone. The work is CPU-bound (an
 * insert visits a few thousand vectors): callers run it on worker threads, never an event loop.
 *
 * @param <K> the key of a vector, e.g. a chunk id
 */
public final class VectorIndex<K> implements AutoCloseable {

  /** A key found by a search, and its cosine similarity to the query. */
  public record Match<K>(K key, float score) {
  }

  private static final VectorTypeSupport VECTORS = VectorizationProvider.getInstance().getVectorTypeSupport();
  private static final int MAX_DEGREE = 16;
  private static final int BEAM_WIDTH = 100;
  private static final float NEIGHBOR_OVERFLOW = 1.2f;
  private static final float ALPHA = 1.2f;
  private static final int MIN_COMPACTION = 64;

  private final int dimensions;
  private final Map<Integer, VectorFloat<?>> vectors = new ConcurrentHashMap<>();
  private final Map<Integer, K> keys = new ConcurrentHashMap<>();
  private final Map<K, Integer> ordinals = new ConcurrentHashMap<>();
  private final RandomAccessVectorValues values;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  // guarded by lock: a new one (under the write lock) when the last live vector is removed
  private GraphIndexBuilder graph;
  // guarded by this: ordinals removed but still in the graph, ordinals free for reuse
  private final List<Integer> removed = new ArrayList<>();
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  private int nextOrdinal;
  /** Puts and removes of one key are atomic: those of keys in different stripes run side by side. */
  private final Object[] stripes = new Object[64];

  public VectorIndex(int dimensions) {
    if (dimensions <= 0) {
      throw new IllegalArgumentException("dimensions must be positive: " + dimensions);
    }
    this.dimensions = dimensions;
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
    this.values = new MapRandomAccessVectorValues(vectors, dimensions);
    this.graph = emptyGraph();
  }

  private GraphIndexBuilder emptyGraph() {
    return new GraphIndexBuilder(BuildScoreProvider.randomAccessScoreProvider(values, VectorSimilarityFunction.COSINE),
        dimensions, MAX_DEGREE, BEAM_WIDTH, NEIGHBOR_OVERFLOW, ALPHA);
  }

  public int dimensions() {
    return dimensions;
  }

  /** Live vectors. */
  public int size() {
    return keys.size();
  }

  public boolean contains(K key) {
    return ordinals.containsKey(key);
  }

  /** A copy of the keys of the live vectors. */
  public Set<K> keys() {
    return new HashSet<>(ordinals.keySet());
  }

  /** Adds the vector of {@code key}, replacing the one it had. */
  public void put(K key, float[] vector) {
    Objects.requireNonNull(key);
    if (vector.length != dimensions) {
      throw new IllegalArgumentException("expected " + dimensions + " dimensions, got " + vector.length);
    }
    synchronized (stripe(key)) {
      removeNow(key);
      lock.readLock().lock();
      try {
        int ordinal = claimOrdinal();
        VectorFloat<?> stored = VECTORS.createFloatVector(vector.clone());
        vectors.put(ordinal, stored);
        keys.put(ordinal, key);
        ordinals.put(key, ordinal);
        graph.addGraphNode(ordinal, stored);
      } finally {
        lock.readLock().unlock();
      }
    }
    compactIfWorthIt();
  }

  private Object stripe(K key) {
    return stripes[Math.floorMod(key.hashCode(), stripes.length)];
  }

  /** Adds many vectors using every core: how an index is built at start. */
  public void putAll(Map<K, float[]> vectorsByKey) {
    vectorsByKey.entrySet().parallelStream().forEach(e -> put(e.getKey(), e.getValue()));
  }

  /** Removes the vector of {@code key}; false when there was none. */
  public boolean remove(K key) {
    boolean removed;
    synchronized (stripe(key)) {
      removed = removeNow(key);
    }
    compactIfWorthIt();
    return removed;
  }

  /** Removes the key's vector, under the write lock; the caller holds the key's stripe. */
  private boolean removeNow(K key) {
    if (!ordinals.containsKey(key)) {
      return false; // nothing to lock for: only this key's stripe changes it
    }
    lock.writeLock().lock();
    try {
      int ordinal = ordinals.remove(key);
      keys.remove(ordinal);
      if (keys.isEmpty()) {
        startOver();
      } else {
        graph.markNodeDeleted(ordinal);
        synchronized (this) {
          removed.add(ordinal);
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
    return true;
  }

  /**
   * No live vector is left: an empty graph instead of removed nodes, so that the next vector added
   * becomes the entry node rather than a node no search reaches. Runs under the write lock.
   */
  private void startOver() {
    GraphIndexBuilder old = graph;
    graph = emptyGraph();
    vectors.clear();
    synchronized (this) {
      removed.clear();
      free.clear();
      nextOrdinal = 0;
    }
    close(old);
  }

  /** Up to {@code k} keys nearest to {@code query}, nearest first, among those {@code accept} takes. */
  public List<Match<K>> nearest(float[] query, int k, Predicate<K> accept) {
    List<Match<K>> found = new ArrayList<>(k);
    if (k <= 0) {
      return found;
    }
    lock.readLock().lock();
    try {
      if (keys.isEmpty()) {
        return found;
      }
      SearchResult result = GraphSearcher.search(VECTORS.createFloatVector(query), k, values,
          VectorSimilarityFunction.COSINE, graph.getGraph(), ordinal -> {
            K key = keys.get(ordinal);
            return key != null && accept.test(key);
          });
      for (SearchResult.NodeScore scored : result.getNodes()) {
        K key = keys.get(scored.node);
        if (key != null && found.size() < k) {
          // jvector scores cosine as (1 + cos) / 2; callers think in cosine
          found.add(new Match<>(key, 2 * scored.score - 1));
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return found;
  }

  /** Up to {@code k} keys nearest to {@code query}, nearest first. */
  public List<Match<K>> nearest(float[] query, int k) {
    return nearest(query, k, key -> true);
  }

  private synchronized int claimOrdinal() {
    Integer reused = free.pollFirst();
    return reused != null ? reused : nextOrdinal++;
  }

  private void compactIfWorthIt() {
    synchronized (this) {
      if (removed.size() < Math.max(MIN_COMPACTION, keys.size() / 4)) {
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
      synchronized (this) {
        gone.forEach(ordinal -> {
          vectors.remove(ordinal);
          free.addLast(ordinal);
        });
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      close(graph);
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static void close(GraphIndexBuilder graph) {
    try {
      graph.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
