package dev.edgechat.sim;

import java.util.List;

/**
 * Embeds text by feature hashing: every lowercased word, and every character trigram of each
 * word framed as {@code <word>}, adds ±weight to one dimension, both chosen by a {@link StableHash}
 * of the feature; the sum is L2-normalized. Texts sharing words and word pieces share dimensions
 * with the same signs, so their cosine is high; unrelated texts meet only by hash collisions, whose
 * random signs keep their cosine near zero. Deterministic across runs and JVMs.
 */
final class HashingEmbedder {

  private static final double WORD_WEIGHT = 1.0;
  private static final double TRIGRAM_WEIGHT = 0.5;

  private HashingEmbedder() {
  }

  /** A unit vector of {@code dimensions} floats. */
  static float[] embed(String text, int dimensions) {
    double[] sums = new double[dimensions];
    List<String> words = Words.of(text);
    if (words.isEmpty()) {
      // Punctuation or blanks only: the text itself is the one feature.
      add(sums, "x:" + text.strip(), WORD_WEIGHT);
    }
    for (String word : words) {
      add(sums, "w:" + word, WORD_WEIGHT);
      String framed = "<" + word + ">";
      for (int i = 0; i + 3 <= framed.length(); i++) {
        add(sums, "t:" + framed.substring(i, i + 3), TRIGRAM_WEIGHT);
      }
    }
    double norm = 0;
    for (double sum : sums) {
      norm += sum * sum;
    }
    norm = Math.sqrt(norm);
    float[] vector = new float[dimensions];
    if (norm == 0) {
      // Features that cancelled out exactly: any fixed unit vector keeps the answer deterministic.
      vector[0] = 1f;
      return vector;
    }
    for (int i = 0; i < dimensions; i++) {
      vector[i] = (float) (sums[i] / norm);
    }
    return vector;
  }

  private static void add(double[] sums, String feature, double weight) {
    long hash = StableHash.of(feature);
    int index = (int) Long.remainderUnsigned(hash, sums.length);
    sums[index] += hash < 0 ? -weight : weight;
  }
}
