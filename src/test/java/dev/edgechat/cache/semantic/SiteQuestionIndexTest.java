package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.cache.AnswerKey;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The per-site graph index of cached questions, on random unit vectors whose nearest neighbour is known exactly. */
class SiteQuestionIndexTest {

  private static final int DIMENSIONS = 32;
  private static final long FAR_FUTURE = Long.MAX_VALUE;

  private final Random random = new Random(7);

  private float[] randomUnit() {
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

  /** A vector very close to {@code v}. */
  private float[] near(float[] v) {
    float[] n = v.clone();
    n[0] += 0.01f;
    return n;
  }

  private static AnswerKey key(int i) {
    return AnswerKey.of("demo", 1, "question " + i);
  }

  /** Verifies that the nearest entry is found first among many, with its key, words and vector. */
  @Test
  void nearest_manyEntries_findsTheClosestFirst() {
    SiteQuestionIndex index = new SiteQuestionIndex(1, DIMENSIONS, 10_000);
    float[][] vectors = new float[500][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = randomUnit();
      index.add(key(i), "question " + i, vectors[i], FAR_FUTURE);
    }
    for (int i = 0; i < vectors.length; i += 37) {
      List<SiteQuestionIndex.Entry> found = index.nearest(near(vectors[i]), 3, 0);
      assertThat(found).hasSize(3);
      assertThat(found.get(0).key()).isEqualTo(key(i));
      assertThat(found.get(0).question()).isEqualTo("question " + i);
      assertThat(found.get(0).vector()).isEqualTo(vectors[i]);
    }
  }

  /** Verifies that an empty index finds nothing, and that removed and expired entries are never returned. */
  @Test
  void nearest_removedOrExpired_notReturned() {
    SiteQuestionIndex index = new SiteQuestionIndex(1, DIMENSIONS, 100);
    assertThat(index.nearest(randomUnit(), 3, 0)).isEmpty();
    float[] removed = randomUnit();
    float[] expired = randomUnit();
    float[] live = randomUnit();
    index.add(key(1), "removed", removed, FAR_FUTURE);
    index.add(key(2), "expired", expired, 1_000);
    index.add(key(3), "live", live, FAR_FUTURE);
    index.remove(key(1));
    assertThat(index.nearest(near(removed), 3, 2_000)).extracting(SiteQuestionIndex.Entry::key).containsExactly(key(3));
    assertThat(index.nearest(near(expired), 3, 2_000)).extracting(SiteQuestionIndex.Entry::key).containsExactly(key(3));
    assertThat(index.size()).isEqualTo(1);
  }

  /** Verifies that beyond its bound the oldest entries give way, and the newest stay findable. */
  @Test
  void add_beyondBound_oldestGiveWay() {
    SiteQuestionIndex index = new SiteQuestionIndex(1, DIMENSIONS, 50);
    float[][] vectors = new float[200][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = randomUnit();
      index.add(key(i), "question " + i, vectors[i], FAR_FUTURE);
    }
    assertThat(index.size()).isEqualTo(50);
    assertThat(index.nearest(near(vectors[0]), 1, 0).get(0).key()).isNotEqualTo(key(0));
    for (int i = 150; i < 200; i += 7) {
      assertThat(index.nearest(near(vectors[i]), 1, 0).get(0).key()).isEqualTo(key(i));
    }
  }

  /**
   * Verifies that after many removals (compaction and ordinals reused) every live entry is still
   * found as its own nearest neighbour.
   */
  @Test
  void removeAndAdd_manyRounds_liveEntriesStayFindable() {
    SiteQuestionIndex index = new SiteQuestionIndex(1, DIMENSIONS, 10_000);
    float[][] vectors = new float[1200][];
    for (int i = 0; i < vectors.length; i++) {
      vectors[i] = randomUnit();
      index.add(key(i), "question " + i, vectors[i], FAR_FUTURE);
      if (i >= 100) {
        index.remove(key(i - 100));
      }
    }
    assertThat(index.size()).isEqualTo(100);
    for (int i = 1100; i < 1200; i++) {
      assertThat(index.nearest(near(vectors[i]), 1, 0)).as("entry %d", i)
          .extracting(SiteQuestionIndex.Entry::key).containsExactly(key(i));
    }
  }

  /** Verifies that adding the same key again renews its life instead of adding a second entry. */
  @Test
  void add_sameKeyTwice_renewsOneEntry() {
    SiteQuestionIndex index = new SiteQuestionIndex(1, DIMENSIONS, 100);
    float[] v = randomUnit();
    index.add(key(1), "question 1", v, 1_000);
    index.add(key(1), "question 1", v, 5_000);
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.nearest(v, 3, 2_000)).extracting(SiteQuestionIndex.Entry::key).containsExactly(key(1));
  }
}
