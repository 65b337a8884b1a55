package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.embedding.LocalEmbeddingModel;
import dev.edgechat.support.Await;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ingestion on real Postgres with the local model: a job run twice at once (a reclaimed job racing
 * the worker that was thought dead) leaves each document's chunks once, a retried job still starts a
 * new knowledge-base version, and what an ingestion reports done is retrievable at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class IngestionTest {

  private Pool pool;
  private WorkerExecutor workers;
  private LocalEmbeddingModel model;
  private ChunkIndex index;
  private DocumentStore store;
  private Ingestion ingestion;

  @BeforeEach
  void open(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    workers = vertx.createSharedWorkerExecutor("ingestion-test", 2);
    model = new LocalEmbeddingModel(vertx, 1);
    index = new ChunkIndex(pool, workers, workers, model.name(), model.dimensions());
    index.load(vertx);
    store = new DocumentStore(pool);
    ingestion = new Ingestion(store, new Chunker(40, 8, new HuggingFaceTokenCountEstimator()::estimateTokenCountInText),
        model, index, new SiteVersions(pool), workers);
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    index.close();
    workers.close().compose(v -> pool.close()).onComplete(ctx.succeedingThenComplete());
  }

  private static List<Document> documents(int count) {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      docs.add(new Document("doc-" + i, "Document " + i, null, "static",
          "The first paragraph of document " + i + " explains how parcels number " + i + " travel.\n\n"
              + "The second paragraph of document " + i + " says what happens when parcel " + i + " is late, "
              + "who to call, and how refunds for late parcels are paid back to the card used."));
    }
    return docs;
  }

  private Future<Long> version(String site) {
    return store.site(site).map(s -> s.orElseThrow().kbVersion());
  }

  /** Verifies that two runs of the same job at once store every document's chunks exactly once. */
  @Test
  @SuppressWarnings("unchecked")
  void ingest_twiceAtOnce_chunksStoredOnce(Vertx vertx, VertxTestContext ctx) {
    String site = "ingest-" + Ids.next().substring(0, 8).toLowerCase();
    List<Document> docs = documents(20);
    List<String> ids = docs.stream().map(Document::id).toList();
    store.putSite(new Site(site, site, List.of("*"), null, 1))
        .compose(s -> store.accept(site, docs))
        .compose(accepted -> Future.all(ingestion.ingest(site, ids, false, false),
            ingestion.ingest(site, ids, false, true)))
        .compose(both -> pool.preparedQuery("""
                SELECT document_id, count(*) AS chunks, count(DISTINCT ordinal) AS ordinals FROM chunks
                WHERE site_id = $1 GROUP BY document_id""").execute(Tuple.of(site))
            .map(rows -> new Object[] {both, rows}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          io.vertx.core.CompositeFuture both = (io.vertx.core.CompositeFuture) r[0];
          Ingestion.Report first = both.resultAt(0);
          Ingestion.Report second = both.resultAt(1);
          assertThat(first.ready() + second.ready()).isEqualTo(20);
          assertThat(first.skipped() + second.skipped()).isEqualTo(20);
          io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row> rows = (io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>) r[1];
          assertThat(rows.size()).isEqualTo(20);
          int total = 0;
          for (io.vertx.sqlclient.Row row : rows) {
            assertThat(row.getLong("chunks")).as("chunks of %s", row.getString("document_id"))
                .isEqualTo(row.getLong("ordinals")).isGreaterThan(1L);
            total += row.getLong("chunks").intValue();
          }
          assertThat(index.size(site)).isEqualTo(total);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that another process's index (built before the ingestion, told nothing) catches up
   * with what was ingested and deleted when it resyncs with Postgres.
   */
  @Test
  void resync_otherProcessIndex_catchesUpWithAddsAndDeletes(Vertx vertx, VertxTestContext ctx) {
    String site = "resync-" + Ids.next().substring(0, 8).toLowerCase();
    List<Document> docs = documents(3);
    List<String> ids = docs.stream().map(Document::id).toList();
    ChunkIndex other = new ChunkIndex(pool, workers, workers, model.name(), model.dimensions());
    int[] sizes = new int[3];
    other.load(vertx)
        .compose(v -> store.putSite(new Site(site, site, List.of("*"), null, 1)))
        .compose(s -> store.accept(site, docs))
        .compose(a -> ingestion.ingest(site, ids, false, false))
        .compose(r -> other.resync())
        .compose(n -> {
          sizes[0] = other.size(site);
          sizes[2] = index.size(site);
          return store.markDeleting(site, "doc-0");
        })
        .compose(marked -> ingestion.delete(site, "doc-0", false))
        .compose(deleted -> other.resync())
        .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
          sizes[1] = other.size(site);
          assertThat(sizes[0]).as("after the ingestion").isEqualTo(sizes[2]).isGreaterThanOrEqualTo(3);
          assertThat(sizes[1]).isEqualTo(index.size(site)).isLessThan(sizes[0]);
          other.close();
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that when the provider refuses a round's input because of one document, the others
   * are ingested alone; the job fails (for its retry) and, on the last try, only the bad document
   * is marked failed with the provider's reason.
   */
  @Test
  void ingest_providerRefusesOneDocument_othersReadyBadOneFailed(Vertx vertx, VertxTestContext ctx) {
    String site = "refuse-" + Ids.next().substring(0, 8).toLowerCase();
    // the provider of this test refuses any text that holds the word REFUSED, as a real one refuses input it cannot take
    dev.edgechat.embedding.EmbeddingModel picky = new dev.edgechat.embedding.EmbeddingModel() {
      @Override
      public String name() {
        return model.name();
      }

      @Override
      public int dimensions() {
        return model.dimensions();
      }

      @Override
      public Future<List<float[]>> embed(List<String> texts) {
        return texts.stream().anyMatch(t -> t.contains("REFUSED"))
            ? Future.failedFuture(new dev.edgechat.embedding.EmbeddingException("input refused", 400, false, null))
            : model.embed(texts);
      }
    };
    Ingestion withPicky = new Ingestion(store, new Chunker(40, 8,
        new HuggingFaceTokenCountEstimator()::estimateTokenCountInText), picky, index, new SiteVersions(pool),
        workers);
    List<Document> docs = new ArrayList<>(documents(3));
    docs.add(new Document("bad", "Bad", null, "static", "This text is REFUSED by the provider."));
    List<String> ids = docs.stream().map(Document::id).toList();
    Throwable[] failure = new Throwable[1];
    store.putSite(new Site(site, site, List.of("*"), null, 1))
        .compose(s -> store.accept(site, docs))
        .compose(a -> withPicky.ingest(site, ids, true, false).transform(ar -> {
          failure[0] = ar.cause();
          return Future.succeededFuture();
        }))
        .compose(v -> store.list(site))
        .onComplete(ctx.succeeding(listing -> ctx.verify(() -> {
          assertThat(failure[0]).as("the job fails, so that the queue records it").isNotNull();
          for (Object o : listing.getJsonArray("documents")) {
            io.vertx.core.json.JsonObject doc = (io.vertx.core.json.JsonObject) o;
            if (doc.getString("id").equals("bad")) {
              assertThat(doc.getString("status")).isEqualTo("failed");
              assertThat(doc.getString("error")).contains("input refused");
            } else {
              assertThat(doc.getString("status")).as("document %s", doc.getString("id")).isEqualTo("ready");
            }
          }
          ctx.completeNow();
        })));
  }

  private Chunker chunker() {
    return new Chunker(40, 8, new HuggingFaceTokenCountEstimator()::estimateTokenCountInText);
  }

  private static Document shipping(String text) {
    return new Document("shipping", "Shipping to Iceland", null, "static", text);
  }

  /**
   * Verifies that a document ingested while origin's chunk index is still being built (origin just
   * started) is retrievable once its ingestion is done: the build reads the document's one chunk
   * from Postgres before the ingestion's own change of the index comes (as a refresh on the site's
   * change does when it reads Postgres first), so the chunk is put into the index twice, and the
   * second put must not leave it where no search reaches it.
   */
  @Test
  void ingest_whileTheIndexIsBuilt_chunkRetrievableWhenDone(Vertx vertx, VertxTestContext ctx) {
    String site = "built-" + Ids.next().substring(0, 8).toLowerCase();
    // origin's parts before its index is built: the ingestion's change of the index waits for the build
    ChunkIndex building = new ChunkIndex(pool, workers, workers, model.name(), model.dimensions());
    Ingestion origin = new Ingestion(store, chunker(), model, building, new SiteVersions(pool), workers);
    VectorKnowledgeBase retrieval = new VectorKnowledgeBase(ReplicaRouter.primaryOnly(pool), model, building,
        () -> 0.2);
    Promise<Ingestion.Report> ingested = Promise.promise();
    store.putSite(new Site(site, site, List.of("*"), null, 1))
        .compose(s -> store.accept(site, List.of(shipping("We ship parcels to Iceland by air freight. Parcels to "
            + "Iceland arrive within five days."))))
        .compose(accepted -> {
          origin.ingest(site, List.of("shipping"), false, false).onComplete(ingested);
          // the chunk is committed (the document is ready): only now does the build read Postgres
          return Await.until(vertx, () -> store.document(site, "shipping")
              .map(d -> d.map(found -> found.status().equals("ready")).orElse(false)), 30_000);
        })
        .compose(ready -> building.load(vertx))
        .compose(built -> ingested.future())
        .compose(report -> retrieval.search(site, "Do you ship parcels to Iceland?", 3)
            .map(found -> new Object[] {report, found, building.size(site)}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          building.close();
          assertThat(((Ingestion.Report) r[0]).ready()).isEqualTo(1);
          assertThat(r[2]).as("chunks in the site's index").isEqualTo(1);
          @SuppressWarnings("unchecked")
          List<Passage> found = (List<Passage>) r[1];
          assertThat(found).as("passages of the document the ingestion reported ready")
              .extracting(Passage::documentId).containsExactly("shipping");
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that when a site's only document is ingested again with new text (its old chunks leave
   * the index, the new ones come in), retrieval finds the new text.
   */
  @Test
  void ingest_onlyDocumentChanged_newTextRetrieved(Vertx vertx, VertxTestContext ctx) {
    String site = "changed-" + Ids.next().substring(0, 8).toLowerCase();
    VectorKnowledgeBase retrieval = new VectorKnowledgeBase(ReplicaRouter.primaryOnly(pool), model, index, () -> 0.2);
    String question = "How long do parcels to Iceland take?";
    List<List<Passage>> found = new ArrayList<>();
    store.putSite(new Site(site, site, List.of("*"), null, 1))
        .compose(s -> store.accept(site, List.of(shipping("Parcels to Iceland arrive within five days."))))
        .compose(a -> ingestion.ingest(site, List.of("shipping"), false, false))
        .compose(r -> retrieval.search(site, question, 3).map(found::add))
        .compose(x -> store.accept(site, List.of(shipping("Parcels to Iceland arrive within eight days."))))
        .compose(a -> ingestion.ingest(site, List.of("shipping"), false, false))
        .compose(r -> retrieval.search(site, question, 3).map(found::add))
        .onComplete(ctx.succeeding(x -> ctx.verify(() -> {
          assertThat(found.get(0)).extracting(Passage::text)
              .containsExactly("Parcels to Iceland arrive within five days.");
          assertThat(found.get(1)).as("after the change").extracting(Passage::text)
              .containsExactly("Parcels to Iceland arrive within eight days.");
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a retried job that finds its documents ready already (its first try died after
   * storing them) still starts a new version, while a first try with nothing to do does not.
   */
  @Test
  void ingest_retryWithNothingLeft_stillBumpsVersion(Vertx vertx, VertxTestContext ctx) {
    String site = "bump-" + Ids.next().substring(0, 8).toLowerCase();
    List<Document> docs = documents(2);
    List<String> ids = docs.stream().map(Document::id).toList();
    long[] versions = new long[4];
    store.putSite(new Site(site, site, List.of("*"), null, 1))
        .compose(s -> version(site).map(v -> versions[0] = v))
        .compose(v -> store.accept(site, docs))
        .compose(a -> ingestion.ingest(site, ids, false, false))
        .compose(r -> version(site).map(v -> versions[1] = v))
        .compose(v -> ingestion.ingest(site, ids, false, false))
        .compose(r -> version(site).map(v -> versions[2] = v))
        .compose(v -> ingestion.ingest(site, ids, false, true))
        .compose(r -> version(site).map(v -> versions[3] = v))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(versions[1]).isEqualTo(versions[0] + 1);
          assertThat(versions[2]).isEqualTo(versions[1]);
          assertThat(versions[3]).isEqualTo(versions[2] + 1);
          ctx.completeNow();
        })));
  }
}
