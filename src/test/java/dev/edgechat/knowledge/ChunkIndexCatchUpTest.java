package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.embedding.LocalEmbeddingModel;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Tuple;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Origin's chunk index catching up with a site version another process made (a worker ingested,
 * told this index nothing), on real Postgres: answers behind at once share one refresh; a version
 * that left the chunks as they were (new settings) reads no chunk; a refresh slower than
 * {@code knowledge.catchUpMs} leaves the search to what the index holds, and lands for the next.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ChunkIndexCatchUpTest {

  private Pool pool;
  private WorkerExecutor workers;
  private LocalEmbeddingModel model;
  private DocumentStore store;
  private SiteVersions versions;
  /** The worker's ingestion: it updates no index. */
  private Ingestion worker;
  private QueryWatch watch;
  /** Origin's index, on the watched pool. */
  private ChunkIndex index;

  @BeforeEach
  void open(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    workers = vertx.createSharedWorkerExecutor("catch-up-test", 2);
    model = new LocalEmbeddingModel(vertx, 1);
    store = new DocumentStore(pool);
    versions = new SiteVersions(pool);
    worker = new Ingestion(store, new Chunker(40, 8, new HuggingFaceTokenCountEstimator()::estimateTokenCountInText),
        model, null, versions, workers);
    watch = new QueryWatch(vertx, pool);
    index = new ChunkIndex(watch.pool(), workers, workers, model.name(), model.dimensions());
    index.load(vertx).await();
  }

  @AfterEach
  void close() {
    index.close();
    workers.close().compose(v -> pool.close()).await();
  }

  /** Verifies that twenty answers behind the same version at once cost the site one read of its chunks. */
  @Test
  void catchUp_manyAnswersBehindAtOnce_oneRefresh() {
    String site = newSite();
    long version = ingested(site, 3);

    List<Future<Void>> answers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      answers.add(index.catchUp(site, version));
    }
    Future.all(answers).await();

    assertThat(index.reflects(site, version)).isTrue();
    assertThat(index.size(site)).isEqualTo(chunksInPostgres(site)).isPositive();
    assertThat(watch.count(SqlQueries.CHUNK_IDS_OF_SITE)).isEqualTo(1);
  }

  /**
   * Verifies that a version made by new settings is reflected without reading the site's chunks,
   * and that the next version that may change them (a deletion) is compared with Postgres again.
   */
  @Test
  void catchUp_versionLeavingChunksAsTheyWere_readsNoChunk() {
    String site = newSite();
    index.catchUp(site, ingested(site, 3)).await();
    int reads = watch.count(SqlQueries.CHUNK_IDS_OF_SITE);

    long settings = versions.bumpChunksUnchanged(site).await().orElseThrow().version();
    index.catchUp(site, settings).await();

    assertThat(index.reflects(site, settings)).isTrue();
    assertThat(watch.count(SqlQueries.CHUNK_IDS_OF_SITE)).isEqualTo(reads);

    store.markDeleting(site, "doc-0").await();
    assertThat(worker.delete(site, "doc-0", false).await()).isTrue();
    long deleted = store.site(site).await().orElseThrow().kbVersion();
    index.catchUp(site, deleted).await();

    assertThat(watch.count(SqlQueries.CHUNK_IDS_OF_SITE)).isEqualTo(reads + 1);
    assertThat(index.size(site)).isEqualTo(chunksInPostgres(site)).isPositive();
  }

  /**
   * Verifies that a search whose catch-up is slower than its limit answers within about that limit
   * from the index as it is, counted as behind, and that the refresh it started still lands.
   */
  @Test
  void search_refreshSlowerThanCatchUpMs_searchesWhatIsThere() {
    String site = newSite();
    long version = ingested(site, 3);
    Site asRead = store.site(site).await().orElseThrow();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    VectorKnowledgeBase retrieval = new VectorKnowledgeBase(ReplicaRouter.primaryOnly(pool), model, index,
        () -> 0.2, registry, () -> 300);
    watch.delay(SqlQueries.CHUNK_IDS_OF_SITE, 3_000);

    long started = System.nanoTime();
    List<Passage> found = retrieval.search(asRead, "How do parcels travel?", 3, null).await();
    long tookMs = (System.nanoTime() - started) / 1_000_000;

    assertThat(found).isEmpty();
    assertThat(tookMs).isLessThan(2_000);
    assertThat(registry.get("edgechat.retrieval.catchup").tag("outcome", "behind").counter().count()).isEqualTo(1);

    index.catchUp(site, version).await();
    assertThat(retrieval.search(asRead, "How do parcels travel?", 3, null).await()).isNotEmpty();
    assertThat(watch.count(SqlQueries.CHUNK_IDS_OF_SITE)).as("the slow refresh was joined").isEqualTo(1);
  }

  private String newSite() {
    String site = "catch-up-" + Ids.next().substring(0, 8).toLowerCase();
    store.putSite(new Site(site, site, List.of("*"), null, 1)).await();
    return site;
  }

  /** Ingests {@code count} documents as a worker does; the site's version after. */
  private long ingested(String site, int count) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      docs.add(new Document("doc-" + i, "Document " + i, null, "static",
          "The first paragraph of document " + i + " explains how parcels number " + i + " travel.\n\n"
              + "The second paragraph of document " + i + " says what happens when parcel " + i + " is late."));
    }
    store.accept(site, docs).await();
    worker.ingest(site, docs.stream().map(Document::id).toList(), false, false).await();
    return store.site(site).await().orElseThrow().kbVersion();
  }

  private int chunksInPostgres(String site) {
    return pool.preparedQuery("SELECT count(*) FROM chunks WHERE site_id = $1").execute(Tuple.of(site)).await()
        .iterator().next().getLong(0).intValue();
  }

  /**
   * The primary's pool as the index under test sees it: counts the statements prepared on it, by
   * their text, and makes those given a delay answer that much later (a slow Postgres).
   */
  private static final class QueryWatch {

    private final Vertx vertx;
    private final Pool real;
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Map<String, Long> delays = new ConcurrentHashMap<>();

    QueryWatch(Vertx vertx, Pool real) {
      this.vertx = vertx;
      this.real = real;
    }

    int count(String sql) {
      AtomicInteger count = counts.get(sql);
      return count == null ? 0 : count.get();
    }

    void delay(String sql, long ms) {
      delays.put(sql, ms);
    }

    Pool pool() {
      return (Pool) Proxy.newProxyInstance(Pool.class.getClassLoader(), new Class<?>[] {Pool.class},
          (proxy, method, args) -> {
            Object result = call(method, real, args);
            if (method.getName().equals("preparedQuery") && args != null && args.length == 1) {
              String sql = (String) args[0];
              counts.computeIfAbsent(sql, s -> new AtomicInteger()).incrementAndGet();
              Long delay = delays.get(sql);
              if (delay != null) {
                return slow((PreparedQuery<?>) result, delay);
              }
            }
            return result;
          });
    }

    private PreparedQuery<?> slow(PreparedQuery<?> query, long ms) {
      return (PreparedQuery<?>) Proxy.newProxyInstance(PreparedQuery.class.getClassLoader(),
          new Class<?>[] {PreparedQuery.class}, (proxy, method, args) -> {
            Object result = call(method, query, args);
            if (method.getName().equals("execute") && result instanceof Future<?> answer) {
              return answer.compose(rows -> {
                Promise<Object> later = Promise.promise();
                vertx.setTimer(ms, id -> later.complete(rows));
                return later.future();
              });
            }
            return result;
          });
    }

    private static Object call(Method method, Object target, Object[] args) throws Throwable {
      try {
        return method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
  }
}
