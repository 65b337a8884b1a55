package dev.edgechat.bench;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Database;
import dev.edgechat.db.EmbeddedPostgresServer;
import dev.edgechat.db.Migrations;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.embedding.Embeddings;
import dev.edgechat.knowledge.ChunkIndex;
import dev.edgechat.knowledge.Chunker;
import dev.edgechat.knowledge.Document;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.Ingestion;
import dev.edgechat.knowledge.Site;
import dev.edgechat.knowledge.SiteVersions;
import dev.edgechat.knowledge.VectorKnowledgeBase;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench knowledge}: the knowledge base's figures, in-process on embedded Postgres
 * and Redis with the simulator as remote embedding provider. Ingestion throughput (chunks/s) with
 * the local model and with the remote one (through the batcher); the mean embedding batch size
 * when questions arrive at a constant rate; retrieval latency (embed the question, search the
 * site's vector index, fetch the chunks) on a site of {@code --chunks} chunks.
 */
@Command(name = "knowledge", mixinStandardHelpOptions = true,
    description = "Measures ingestion (local and remote embeddings), embedding batching and retrieval in-process.")
final class KnowledgeBench implements Callable<Integer> {

  private static final String[] TOPICS = {"shipping", "returns", "warranty", "payment", "account", "delivery",
      "refund", "subscription", "invoice", "membership", "gift card", "repair", "installation", "pricing",
      "discount", "loyalty points", "privacy", "security", "compatibility", "battery"};
  private static final String[] PRODUCTS = {"kettle", "blender", "toaster", "lamp", "speaker", "headphones",
      "camera", "drone", "bicycle", "tent", "backpack", "jacket", "watch", "printer", "router", "monitor",
      "keyboard", "mouse", "chair", "desk", "sofa", "mattress", "fridge", "oven", "vacuum cleaner"};
  private static final String[] FACTS = {"takes three to five working days", "is free above fifty euros",
      "needs the original receipt", "is covered for two years", "can be paid by card or invoice",
      "is handled by our service centre", "requires the serial number", "is possible within thirty days",
      "is sent by email within an hour", "works with every model since 2019"};

  @Option(names = "--chunks", defaultValue = "100000",
      description = "chunks ingested with the local model, then searched (default: ${DEFAULT-VALUE})")
  private int chunks;

  @Option(names = "--remote-chunks", defaultValue = "5000",
      description = "chunks ingested with the remote model (the sim) (default: ${DEFAULT-VALUE})")
  private int remoteChunks;

  @Option(names = "--queries", defaultValue = "2000", description = "measured retrievals (default: ${DEFAULT-VALUE})")
  private int queries;

  @Option(names = "--rate", defaultValue = "200", description = "questions/s for the batching phase (default: ${DEFAULT-VALUE})")
  private int rate;

  @Option(names = "--seconds", defaultValue = "10", description = "length of the batching phase (default: ${DEFAULT-VALUE})")
  private int seconds;

  @Option(names = "--embedding-latency-ms", defaultValue = "20",
      description = "the sim's latency per embeddings call (default: ${DEFAULT-VALUE})")
  private int embeddingLatencyMs;

  @Option(names = "--embedder-threads", defaultValue = "2",
      description = "threads of the local model (cache.embedderThreads) (default: ${DEFAULT-VALUE})")
  private int embedderThreads;

  @Override
  public Integer call() throws Exception {
    Path data = Files.createTempDirectory("edgechat-bench-knowledge");
    Vertx vertx = Vertx.vertx();
    List<AutoCloseable> toClose = new ArrayList<>();
    try {
      EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), 0);
      toClose.add(0, postgres);
      EmbeddedRedisServer redisServer = EmbeddedRedisServer.start(data.resolve("redis"), 0, "allkeys-lru", "2gb");
      toClose.add(0, redisServer);
      Migrations.migrate(postgres.url());
      Application sim = Application.start(vertx, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
          load(vertx, data, Map.of("EDGECHAT_HTTP_PORT", "0",
              "EDGECHAT_SIM_EMBEDDING_LATENCY_MS", Integer.toString(embeddingLatencyMs))), Role.SIM).await();
      String simUrl = "http://127.0.0.1:" + sim.simPort() + "/v1";
      Map<String, String> env = new HashMap<>(Map.of("EDGECHAT_CACHE_EMBEDDER_THREADS",
          Integer.toString(embedderThreads), "EDGECHAT_LLM_API_KEY", "bench"));
      LiveConfig local = load(vertx, data, env);
      env.putAll(Map.of("EDGECHAT_EMBEDDINGS_PROVIDER", "remote", "EDGECHAT_EMBEDDINGS_BASE_URL", simUrl,
          "EDGECHAT_EMBEDDINGS_DIMENSIONS", "256"));
      LiveConfig remote = load(vertx, data, env);
      Database database = Database.open(vertx, postgres.url(), local.get().postgres());
      toClose.add(0, database);
      RedisConnection redis = RedisConnection.open(vertx, "redis", redisServer.url(), 2000);
      toClose.add(0, redis);
      WorkerExecutor workers = vertx.createSharedWorkerExecutor("bench-knowledge", 2);
      DocumentStore store = new DocumentStore(database.writer());
      SiteVersions versions = new SiteVersions(database.writer());
      Chunker chunker = new Chunker(local.get().knowledge().chunkTokens(),
          local.get().knowledge().chunkOverlapTokens(), new HuggingFaceTokenCountEstimator()::estimateTokenCountInText);
      System.out.printf(Locale.ROOT, "machine: %d cores; local model on %d threads; sim embedding latency %d ms%n",
          Runtime.getRuntime().availableProcessors(), embedderThreads, embeddingLatencyMs);

      SimpleMeterRegistry remoteMeters = new SimpleMeterRegistry();
      EmbeddingModel remoteModel = Embeddings.create(vertx, remote::get, "bench", redis.api(), remoteMeters);
      ChunkIndex remoteIndex = new ChunkIndex(database.writer(), workers, workers, remoteModel.name(), remoteModel.dimensions());
      remoteIndex.load(vertx).await();
      ingest("remote", vertx, store, new Ingestion(store, chunker, remoteModel, remoteIndex, versions, workers),
          "bench-remote", remoteChunks);
      printBatches("remote ingestion", remoteMeters);

      SimpleMeterRegistry batchMeters = new SimpleMeterRegistry();
      EmbeddingModel questions = Embeddings.create(vertx, remote::get, "bench", null, batchMeters);
      batching(vertx, questions, batchMeters);

      EmbeddingModel localModel = Embeddings.create(vertx, local::get, null, null, new SimpleMeterRegistry());
      ChunkIndex localIndex = new ChunkIndex(database.writer(), workers, workers, localModel.name(), localModel.dimensions());
      localIndex.load(vertx).await();
      ingest("local", vertx, store, new Ingestion(store, chunker, localModel, localIndex, versions, workers),
          "bench-local", chunks);
      retrieval(new VectorKnowledgeBase(database.reader(), localModel, localIndex, () -> 0.0), localModel,
          localIndex);
      return 0;
    } finally {
      vertx.close().await();
      for (AutoCloseable resource : toClose) {
        resource.close();
      }
    }
  }

  private static LiveConfig load(Vertx vertx, Path data, Map<String, String> env) throws Exception {
    return new ConfigLoader(vertx, Files.createTempDirectory(data, "config"), env).load().await();
  }

  /** One document per chunk: a short text on a product and a topic, varied by a seeded generator. */
  private static Document document(Random random, int i) {
    String product = PRODUCTS[random.nextInt(PRODUCTS.length)];
    String topic = TOPICS[random.nextInt(TOPICS.length)];
    String fact = FACTS[random.nextInt(FACTS.length)];
    String text = "About the " + topic + " of the " + product + " model " + i + ": the " + topic + " " + fact
        + ". For the " + product + " " + i + " ask our team about " + TOPICS[random.nextInt(TOPICS.length)]
        + " as well; it " + FACTS[random.nextInt(FACTS.length)] + ".";
    return new Document("doc-" + i, "The " + product + " " + i + ": " + topic, null, "static", text);
  }

  private void ingest(String name, Vertx vertx, DocumentStore store, Ingestion ingestion, String site, int count) {
    store.putSite(new Site(site, site, List.of("*"), null, 1)).await();
    Random random = new Random(42);
    List<Document> docs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      docs.add(document(random, i));
    }
    long started = System.nanoTime();
    List<String> ids = new ArrayList<>(count);
    for (int from = 0; from < count; from += 1000) {
      ids.addAll(store.accept(site, docs.subList(from, Math.min(count, from + 1000))).await());
    }
    // two jobs at a time, as queue.concurrency.ingest runs them; each takes slices of 256 documents
    AtomicInteger next = new AtomicInteger();
    AtomicInteger stored = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < 2; lane++) {
      Promise<Void> done = Promise.promise();
      vertx.runOnContext(v -> nextSlice(ingestion, site, ids, next, stored, done));
      lanes.add(done.future());
    }
    Future.all(lanes).await();
    double secondsTaken = (System.nanoTime() - started) / 1e9;
    System.out.printf(Locale.ROOT, "ingestion %-6s %7d chunks in %6.1f s: %7.0f chunks/s%n", name, stored.get(),
        secondsTaken, stored.get() / secondsTaken);
  }

  private static void nextSlice(Ingestion ingestion, String site, List<String> ids, AtomicInteger next,
      AtomicInteger stored, Promise<Void> done) {
    int from = next.getAndAdd(256);
    if (from >= ids.size()) {
      done.complete();
      return;
    }
    ingestion.ingest(site, ids.subList(from, Math.min(ids.size(), from + 256)), true, false)
        .onSuccess(report -> {
          stored.addAndGet(report.chunks());
          nextSlice(ingestion, site, ids, next, stored, done);
        })
        .onFailure(done::fail);
  }

  /** Questions at a constant rate through the batcher to the sim: how full its batches get. */
  private void batching(Vertx vertx, EmbeddingModel questions, SimpleMeterRegistry meters) {
    int total = rate * seconds;
    AtomicInteger sent = new AtomicInteger();
    List<Future<List<float[]>>> answers = new ArrayList<>(total);
    Histogram latency = new Histogram(3_600_000_000L, 3);
    Promise<Void> allSent = Promise.promise();
    long periodNanos = 1_000_000_000L / rate;
    long start = System.nanoTime();
    vertx.setPeriodic(1, id -> {
      long due = Math.min(total, (System.nanoTime() - start) / periodNanos + 1);
      while (sent.get() < due) {
        int i = sent.getAndIncrement();
        long asked = System.nanoTime();
        answers.add(questions.embed(List.of("question " + i + " about the " + PRODUCTS[i % PRODUCTS.length]))
            .onSuccess(v -> latency.recordValue(System.nanoTime() - asked)));
      }
      if (sent.get() >= total) {
        vertx.cancelTimer(id);
        allSent.complete();
      }
    });
    allSent.future().await();
    Future.all(new ArrayList<>(answers)).await();
    DistributionSummary batches = meters.find("edgechat.embedding.batch.size").summary();
    System.out.printf(Locale.ROOT, "batching   %d questions/s for %d s: %d upstream calls, mean batch %.1f, "
            + "embed p50 %.1f ms, p99 %.1f ms%n", rate, seconds, batches == null ? 0 : batches.count(),
        batches == null ? 0 : batches.mean(), latency.getValueAtPercentile(50) / 1e6,
        latency.getValueAtPercentile(99) / 1e6);
  }

  private static void printBatches(String name, SimpleMeterRegistry meters) {
    DistributionSummary batches = meters.find("edgechat.embedding.batch.size").summary();
    if (batches != null) {
      System.out.printf(Locale.ROOT, "%s: %d upstream calls, mean batch %.1f%n", name, batches.count(),
          batches.mean());
    }
  }

  /** Retrieval one question at a time on the local site: the latency origin adds before asking the model. */
  private void retrieval(VectorKnowledgeBase retrieval, EmbeddingModel model, ChunkIndex index) {
    Random random = new Random(7);
    Histogram whole = new Histogram(3_600_000_000L, 3);
    Histogram embed = new Histogram(3_600_000_000L, 3);
    Histogram search = new Histogram(3_600_000_000L, 3);
    int warmup = Math.min(300, queries);
    for (int i = 0; i < warmup + queries; i++) {
      String question = "What about the " + TOPICS[random.nextInt(TOPICS.length)] + " of the "
          + PRODUCTS[random.nextInt(PRODUCTS.length)] + "?";
      long t0 = System.nanoTime();
      retrieval.search("bench-local", question, 4).await();
      long t1 = System.nanoTime();
      float[] vector = model.embed(List.of(question)).await().get(0);
      long t2 = System.nanoTime();
      index.nearest("bench-local", vector, 4).await();
      long t3 = System.nanoTime();
      if (i >= warmup) {
        whole.recordValue(t1 - t0);
        embed.recordValue(t2 - t1);
        search.recordValue(t3 - t2);
      }
    }
    System.out.printf(Locale.ROOT, "retrieval on %d chunks, %d questions one at a time:%n", index.size("bench-local"),
        queries);
    print("  whole (embed + index + Postgres)", whole);
    print("  embed the question", embed);
    print("  index search (top 4)", search);
  }

  private static void print(String name, Histogram h) {
    System.out.printf(Locale.ROOT, "%-36s p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", name,
        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(90) / 1e6, h.getValueAtPercentile(99) / 1e6,
        h.getMaxValue() / 1e6);
  }
}
