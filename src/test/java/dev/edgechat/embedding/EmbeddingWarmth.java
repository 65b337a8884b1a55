package dev.edgechat.embedding;

import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.Locale;

/**
 * What one question's embedding costs when the model's weights are not in the processor's caches: the
 * edge's {@link MiniLmQuestionEmbedder#embedNow} timed three ways, in this order: back to back (the
 * weights stay in the last-level cache, as in {@code bench semantic}), after touching a 64 MB array
 * (another request's work evicted them), and after a 20 ms pause (a server between visitors). A
 * profiling tool run by hand (docs/benchmarks.md, "The miss path"), not a test: {@code java -cp
 * TEST_CLASSPATH dev.edgechat.embedding.EmbeddingWarmth [N]}.
 */
public final class EmbeddingWarmth {

  private static final String[] QUESTIONS = {"How do I reset my password? 12", "Do you ship to Canada? 7",
      "Can I change the address of an order I already placed? 99", "What does express delivery cost? 3"};

  private EmbeddingWarmth() {
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Vertx vertx = Vertx.vertx();
    try {
      MiniLmQuestionEmbedder embedder = new MiniLmQuestionEmbedder(vertx, 1);
      int[] junk = new int[16 << 20];
      for (String way : new String[] {"back to back", "after 64 MB touched", "after a 20 ms pause"}) {
        long[] nanos = new long[n];
        for (int i = -n / 5; i < n; i++) { // the first fifth warms up and is not counted
          if (way.startsWith("after 64")) {
            for (int k = 0; k < junk.length; k += 16) {
              junk[k]++;
            }
          } else if (way.startsWith("after a")) {
            Thread.sleep(20);
          }
          long started = System.nanoTime();
          embedder.embedNow(QUESTIONS[Math.floorMod(i, QUESTIONS.length)]);
          if (i >= 0) {
            nanos[i] = System.nanoTime() - started;
          }
        }
        Arrays.sort(nanos);
        System.out.printf(Locale.ROOT, "%-22s %d embeddings: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms%n", way, n,
            nanos[n / 2] / 1e6, nanos[n * 9 / 10] / 1e6, nanos[n * 99 / 100] / 1e6);
      }
    } finally {
      vertx.close().await();
    }
  }
}
