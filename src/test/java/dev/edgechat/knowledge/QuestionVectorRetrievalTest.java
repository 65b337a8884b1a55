package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.embedding.LocalEmbeddingModel;
import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import dev.edgechat.protocol.QuestionVector;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Retrieval with the question's vector as the edge's semantic cache embedded it (issue 20, the miss
 * path): on real Postgres with the local model, the edge's vector finds the same passages as
 * origin's own embedding, without asking the model; a vector of another model is not used.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class QuestionVectorRetrievalTest {

  private static final String QUESTION = "When is a refund for a late parcel paid back?";

  private Pool pool;
  private WorkerExecutor workers;
  private LocalEmbeddingModel model;
  private ChunkIndex index;
  private DocumentStore store;
  private Ingestion ingestion;
  private final AtomicInteger embedCalls = new AtomicInteger();

  @BeforeEach
  void open(Vertx vertx) {
    pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    workers = vertx.createSharedWorkerExecutor("question-vector-test", 2);
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

  /** The local model, counting the calls retrieval makes of it. */
  private EmbeddingModel counted() {
    return new EmbeddingModel() {
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
        embedCalls.incrementAndGet();
        return model.embed(texts);
      }
    };
  }

  private static List<Document> documents() {
    List<Document> docs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      docs.add(new Document("doc-" + i, "Document " + i, null, "static",
          "Document " + i + " explains how parcels number " + i + " travel across the country.\n\n"
              + (i == 2 ? "A refund for a late parcel is paid back to the card used within five days."
                  : "Opening hours of depot " + i + " are nine to five on weekdays.")));
    }
    return docs;
  }

  /**
   * Verifies that the edge's vector (its question embedder) finds the same passages as origin's own
   * embedding of the question, with no call of the model, and that a vector of another model or
   * length is not used (the question is embedded as before).
   */
  @Test
  void search_edgeVectorOfSameModel_samePassagesWithoutEmbedding(Vertx vertx, VertxTestContext ctx) {
    String site = "qv-" + Ids.next().substring(0, 8).toLowerCase();
    List<Document> docs = documents();
    VectorKnowledgeBase retrieval = new VectorKnowledgeBase(ReplicaRouter.primaryOnly(pool), counted(), index,
        () -> 0.0);
    MiniLmQuestionEmbedder edge = new MiniLmQuestionEmbedder(vertx, 1);
    List<List<Passage>> found = new ArrayList<>();
    int[] calls = new int[3];
    store.putSite(new Site(site, site, List.of("*"), null, 1))
        .compose(s -> store.accept(site, docs))
        .compose(accepted -> ingestion.ingest(site, docs.stream().map(Document::id).toList(), false, false))
        .compose(report -> retrieval.search(site, QUESTION, 2))
        .compose(own -> {
          found.add(own);
          calls[0] = embedCalls.get();
          return edge.embed(QUESTION);
        })
        .compose(vector -> retrieval.search(site, QUESTION, 2, new QuestionVector(edge.modelName(), vector))
            .compose(withVector -> {
              found.add(withVector);
              calls[1] = embedCalls.get();
              return retrieval.search(site, QUESTION, 2, new QuestionVector("text-embedding-3-small", vector));
            }))
        .onComplete(ctx.succeeding(otherModel -> ctx.verify(() -> {
          calls[2] = embedCalls.get();
          assertThat(edge.modelName()).isEqualTo(model.name());
          assertThat(found.get(0)).isNotEmpty();
          assertThat(found.get(0).get(0).documentId()).isEqualTo("doc-2");
          assertThat(found.get(1)).extracting(Passage::documentId, Passage::text)
              .containsExactlyElementsOf(found.get(0).stream().map(p -> org.assertj.core.groups.Tuple.tuple(
                  p.documentId(), p.text())).toList());
          assertThat(calls[0]).as("origin's own embedding").isEqualTo(1);
          assertThat(calls[1]).as("with the edge's vector: no embedding").isEqualTo(1);
          assertThat(calls[2]).as("another model's vector: embedded again").isEqualTo(2);
          assertThat(otherModel).extracting(Passage::documentId)
              .containsExactlyElementsOf(found.get(0).stream().map(Passage::documentId).toList());
          ctx.completeNow();
        })));
  }
}
