package dev.edgechat.bench;

import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.cache.TieredAnswerCache;
import dev.edgechat.cache.semantic.MeaningGuard;
import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench semantic}: the latency of one semantic lookup as the edge does it (embed
 * the question with the real model on the worker pool, search the site's graph index, run the
 * meaning guard, fetch the matched answer), one lookup at a time, over an index of
 * {@code --entries} cached questions. Prints p50/p90/p99/max for paraphrases (hits) and for
 * unrelated questions (misses), and the hit rate; edge-config defaults (threshold, candidates).
 */
@Command(name = "semantic", mixinStandardHelpOptions = true,
    description = "Measures semantic-cache lookups in-process: embedding + index search + meaning guard + answer fetch.")
final class SemanticLookupBench implements Callable<Integer> {

  private static final String SITE = "bench";
  private static final String[] VERBS = {"change", "cancel", "reset", "update", "delete", "renew", "track",
      "return", "upgrade", "pay", "find", "export", "share", "verify", "transfer", "order", "book", "replace"};
  private static final String[] THINGS = {"password", "order", "subscription", "email address", "delivery address",
      "invoice", "account", "booking", "membership", "payment method", "profile picture", "phone number",
      "gift card", "warranty", "reservation", "plan", "username", "newsletter", "parcel", "refund", "ticket",
      "appointment", "loyalty points", "billing details", "data", "contract", "licence", "device", "card", "report"};

  @Option(names = "--entries", defaultValue = "2000", description = "cached questions in the index (default: ${DEFAULT-VALUE})")
  private int entries;

  @Option(names = "--lookups", defaultValue = "2000", description = "measured lookups of each kind (default: ${DEFAULT-VALUE})")
  private int lookups;

  // as many as are measured: an edge that serves traffic has long compiled its lookup path (JIT),
  // and with fewer the first measured lookups still pay for compilation
  @Option(names = "--warmup", defaultValue = "2000", description = "unrecorded lookups first (default: ${DEFAULT-VALUE})")
  private int warmup;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      LiveConfig config = new ConfigLoader(vertx, Files.createTempDirectory("bench-config"), Map.of()).load().await();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      TieredAnswerCache answers = new TieredAnswerCache(config, null, registry, Scheduler.of(vertx));
      MiniLmQuestionEmbedder embedder = new MiniLmQuestionEmbedder(vertx, 1);
      SemanticCache semantic = new SemanticCache(vertx, config, embedder, answers, MeaningGuard::new, registry,
          Scheduler.of(vertx));
      semantic.warmUp().await();
      List<String> cached = cachedQuestions(entries);
      List<Future<Void>> indexed = new ArrayList<>(cached.size());
      for (String question : cached) {
        AnswerKey key = AnswerKey.of(SITE, 1, question);
        long life = answers.store(key, new CachedAnswer(List.of("An answer to: ", question), new JsonArray(), "static"));
        indexed.add(semantic.remember(key, question, null, life));
      }
      Future.all(indexed).await(); // the index is filled on its worker thread
      System.out.printf(Locale.ROOT, "index: %d cached questions of one site; threshold %.2f, %d candidates%n",
          semantic.size(SITE), config.get().cache().semanticThreshold(), config.get().cache().semanticCandidates());
      measure(vertx, semantic, "warm-up", i -> paraphrase(cached.get(i % cached.size())), warmup);
      measure(vertx, semantic, "paraphrases", i -> paraphrase(cached.get((i * 7) % cached.size())), lookups);
      measure(vertx, semantic, "unrelated", i -> "What is the weather like in city number " + i + " today?", lookups);
      Histogram embedding = new Histogram(3_600_000_000L, 3);
      for (int i = 0; i < lookups; i++) {
        String question = paraphrase(cached.get((i * 7) % cached.size()));
        long start = System.nanoTime();
        embedder.embed(question).await();
        embedding.recordValue(System.nanoTime() - start);
      }
      print("embed only", lookups, Double.NaN, embedding);
      embedder.close().await();
      semantic.close().await();
      return 0;
    } finally {
      vertx.close().await();
    }
  }

  /** "How do I change my password?" and the like, {@code count} distinct ones. */
  private static List<String> cachedQuestions(int count) {
    List<String> questions = new ArrayList<>();
    for (int i = 0; questions.size() < count; i++) {
      String verb = VERBS[i % VERBS.length];
      String thing = THINGS[(i / VERBS.length) % THINGS.length];
      int round = i / (VERBS.length * THINGS.length);
      questions.add(round == 0 ? "How do I " + verb + " my " + thing + "?"
          : "How do I " + verb + " my " + thing + " for store " + round + "?");
    }
    return questions;
  }

  /** The same request in other words. */
  private static String paraphrase(String question) {
    return question.replace("How do I ", "What is the way to ").replace("?", ", please?");
  }

  private static void measure(Vertx vertx, SemanticCache semantic, String name,
      java.util.function.IntFunction<String> questions, int count) {
    Histogram histogram = new Histogram(3_600_000_000L, 3);
    int hits = 0;
    for (int i = 0; i < count; i++) {
      String question = questions.apply(i);
      long start = System.nanoTime();
      SemanticCache.Probe probe = Future.<SemanticCache.Probe>future(promise -> vertx.runOnContext(v ->
          semantic.find(AnswerKey.of(SITE, 1, question), question).onComplete(promise))).await();
      histogram.recordValue(System.nanoTime() - start);
      hits += probe.answer().isPresent() ? 1 : 0;
    }
    print(name, count, 100.0 * hits / count, histogram);
  }

  private static void print(String name, int count, double hitPercent, Histogram histogram) {
    System.out.printf(Locale.ROOT, "%-12s %5d lookups, %5.1f %% hits: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms,"
            + " max %.2f ms%n", name, count, hitPercent, histogram.getValueAtPercentile(50) / 1e6,
        histogram.getValueAtPercentile(90) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
        histogram.getMaxValue() / 1e6);
  }
}
