package dev.edgechat.vectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VectorIndexTest {

  private static final int DIMENSIONS = 32;

  private static float[] random(Random random) {
    float[] v = new float[DIMENSIONS];
    double norm = 0;
    for (int i = 0; i < DIMENSIONS; i++) {
      v[i] = (float) random.nextGaussian();
      norm += v[i] * v[i];
    }
    for (int i = 0; i < DIMENSIONS; i++) {
      v[i] /= (float) Math.sqrt(norm);
    }
    return v;
  }

  private static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot;
  }

  /** Verifies that a search finds the exact vector first and reports true cosines, nearest first. */
  @Test
  void nearest_findsExactVectorFirst_withCosineScores() {
    Random random = new Random(7);
    Map<Long, float[]> all = new HashMap<>();
    for (long id = 0; id < 2000; id++) {
      all.put(id, random(random));
    }
    try (VectorIndex<Long> index = new VectorIndex<>(DIMENSIONS)) {
      index.putAll(all);
      float[] query = all.get(1234L);

      List<VectorIndex.Match<Long>> found = index.nearest(query, 5);

      assertThat(index.size()).isEqualTo(2000);
      assertThat(found).hasSize(5);
      assertThat(found.get(0).key()).isEqualTo(1234L);
      for (VectorIndex.Match<Long> match : found) {
        assertThat((double) match.score()).isCloseTo(cosine(query, all.get(match.key())), within(1e-4));
      }
      for (int i = 1; i < found.size(); i++) {
        assertThat(found.get(i).score()).isLessThanOrEqualTo(found.get(i - 1).score());
      }
    }
  }

  /** Verifies that removed and filtered-out keys are never found, and that replacing a vector moves its key. */
  @Test
  void nearest_skipsRemovedAndRefused_replacementMoves() {
    Random random = new Random(11);
    try (VectorIndex<String> index = new VectorIndex<>(DIMENSIONS)) {
      float[] a = random(random);
      float[] b = random(random);
      index.put("a", a);
      index.put("b", b);
      index.put("c", random(random));

      assertThat(index.nearest(a, 1, key -> !key.equals("a")).get(0).key()).isNotEqualTo("a");
      assertThat(index.remove("a")).isTrue();
      assertThat(index.remove("a")).isFalse();
      assertThat(index.nearest(a, 3)).extracting(VectorIndex.Match::key).doesNotContain("a");

      index.put("c", b);
      assertThat(index.size()).isEqualTo(2);
      assertThat((double) index.nearest(b, 2).get(1).score()).isCloseTo(1.0, within(1e-4));
    }
  }

  /**
   * Verifies that a key put again as the index's only vector (a chunk an index refresh added before
   * the ingestion that stored it applied it too) is still found: the first node is deleted, and the
   * second must not be left where no search reaches it.
   */
  @Test
  void put_onlyKeyAgain_stillFound() {
    Random random = new Random(5);
    float[] a = random(random);
    float[] b = random(random);
    try (VectorIndex<String> index = new VectorIndex<>(DIMENSIONS)) {
      index.put("a", a);
      index.put("a", a);
      index.put("a", b);

      assertThat(index.size()).isEqualTo(1);
      assertThat(index.nearest(b, 3)).extracting(VectorIndex.Match::key).containsExactly("a");
      assertThat((double) index.nearest(b, 1).get(0).score()).isCloseTo(1.0, within(1e-4));
    }
  }

  /**
   * Verifies that vectors added after every vector of the index was removed (a site's only document
   * ingested again: its old chunks out, the new ones in) are found, and so are those added after them.
   */
  @Test
  void removeAllThenPut_newVectorsFound() {
    Random random = new Random(9);
    try (VectorIndex<Integer> index = new VectorIndex<>(DIMENSIONS)) {
      Map<Integer, float[]> old = new HashMap<>();
      for (int key = 0; key < 5; key++) {
        old.put(key, random(random));
      }
      index.putAll(old);
      old.keySet().forEach(index::remove);
      Map<Integer, float[]> fresh = new HashMap<>();
      for (int key = 10; key < 15; key++) {
        fresh.put(key, random(random));
      }
      index.putAll(fresh);
      float[] later = random(random);
      index.put(20, later);

      assertThat(index.size()).isEqualTo(6);
      for (Map.Entry<Integer, float[]> e : fresh.entrySet()) {
        assertThat(index.nearest(e.getValue(), 1)).extracting(VectorIndex.Match::key).containsExactly(e.getKey());
      }
      assertThat(index.nearest(later, 1)).extracting(VectorIndex.Match::key).containsExactly(20);
      assertThat(index.nearest(later, 10)).extracting(VectorIndex.Match::key).doesNotContainAnyElementsOf(old.keySet());
    }
  }

  /** Verifies that after many removals the graph is compacted and searches still find the live vectors. */
  @Test
  void remove_many_compactsAndKeepsLiveSearchable() {
    Random random = new Random(3);
    Map<Integer, float[]> all = new HashMap<>();
    try (VectorIndex<Integer> index = new VectorIndex<>(DIMENSIONS)) {
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 300; i++) {
          int key = round * 300 + i;
          all.put(key, random(random));
          index.put(key, all.get(key));
        }
        for (int i = 0; i < 250; i++) {
          index.remove(round * 300 + i);
        }
      }

      assertThat(index.size()).isEqualTo(5 * 50);
      for (int round = 0; round < 5; round++) {
        int live = round * 300 + 299;
        assertThat(index.nearest(all.get(live), 1).get(0).key()).isEqualTo(live);
      }
    }
  }
}
