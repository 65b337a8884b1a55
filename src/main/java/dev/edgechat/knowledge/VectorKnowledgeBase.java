package dev.edgechat.knowledge;

import dev.edgechat.db.Freshness;
import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.protocol.QuestionVector;
import dev.edgechat.vectors.VectorIndex;
import dev.edgechat.web.VisibleText;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * Retrieval by vector similarity: the question is embedded by the knowledge base's model, the
 * site's {@link ChunkIndex} finds the nearest chunks, and Postgres (by primary key) returns their
 * text and documents. Chunks of documents being deleted are left out.
 *
 * <p>Sites and chunks are read where slightly old data will do ({@link Freshness#recent()}: a
 * replica); what a replica does not have (a site just created, chunks just indexed) is no proof it
 * does not exist, so the primary is asked for it.
 */
public final class VectorKnowledgeBase implements KnowledgeBase {

  private final ReplicaRouter reads;
  private final EmbeddingModel embeddings;
  private final ChunkIndex index;
  private final DoubleSupplier minScore;
  private final Timer searchTime;

  /** @param minScore least cosine of a passage worth putting in a prompt (read at each search: a tunable) */
  public VectorKnowledgeBase(ReplicaRouter reads, EmbeddingModel embeddings, ChunkIndex index,
      DoubleSupplier minScore) {
    this(reads, embeddings, index, minScore, new SimpleMeterRegistry());
  }

  /** @param registry where the time of each similarity search goes ({@code edgechat.retrieval.search}) */
  public VectorKnowledgeBase(ReplicaRouter reads, EmbeddingModel embeddings, ChunkIndex index,
      DoubleSupplier minScore, MeterRegistry registry) {
    this.reads = Objects.requireNonNull(reads);
    this.embeddings = Objects.requireNonNull(embeddings);
    this.index = Objects.requireNonNull(index);
    this.minScore = Objects.requireNonNull(minScore);
    this.searchTime = Timer.builder("edgechat.retrieval.search")
        .description("time of a similarity search: the question's embedding, the nearest chunks, their text")
        .register(registry);
  }

  @Override
  public Future<Optional<Site>> site(String id) {
    return reads.read(Freshness.recent(), db -> db.preparedQuery(SqlQueries.SITE_BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.<Site>empty()
            : Optional.of(DocumentStore.toSite(rows.iterator().next()))), Optional::isPresent);
  }

  @Override
  public Future<List<Passage>> search(String siteId, String question, int limit) {
    return search(siteId, question, limit, null);
  }

  /**
   * {@inheritDoc} The vector stands for this knowledge base's own embedding of the question only
   * when it names the same model and length ({@link EmbeddingModel#name()}, {@link
   * EmbeddingModel#dimensions()}): the edge's semantic cache and origin's local model are the same
   * quantized all-MiniLM-L6-v2 with the same text normalization; with remote embeddings at origin
   * the names differ and the question is embedded here as before.
   */
  @Override
  public Future<List<Passage>> search(String siteId, String question, int limit, QuestionVector given) {
    if (limit <= 0 || !VisibleText.in(question)) {
      return Future.succeededFuture(List.of());
    }
    // a site with nothing indexed costs no embedding
    return index.loaded().compose(v -> {
      if (index.size(siteId) == 0) {
        return Future.succeededFuture(List.of());
      }
      long started = System.nanoTime();
      Future<float[]> vector = given != null && given.sameModel(embeddings.name(), embeddings.dimensions())
          ? Future.succeededFuture(given.values())
          : embeddings.embed(List.of(question)).map(vectors -> vectors.get(0));
      return vector
          .compose(q -> index.nearest(siteId, q, limit))
          .compose(this::passages)
          .onSuccess(found -> searchTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS));
    });
  }

  private Future<List<Passage>> passages(List<VectorIndex.Match<Long>> matches) {
    Map<Long, Float> scores = new HashMap<>();
    double minScore = this.minScore.getAsDouble();
    for (VectorIndex.Match<Long> match : matches) {
      if (match.score() >= minScore) {
        scores.put(match.key(), match.score());
      }
    }
    if (scores.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Long[] ids = scores.keySet().toArray(Long[]::new);
    // chunks the index (loaded from the primary) knows and a replica lacks are asked of the primary
    return reads.read(Freshness.recent(), db -> db.preparedQuery(SqlQueries.CHUNKS_BY_ID).execute(Tuple.of(ids))
        .map(rows -> {
          List<Passage> out = new ArrayList<>(rows.size());
          for (Row row : rows) {
            out.add(new Passage(row.getString("document_id"), row.getString("title"), row.getString("url"),
                row.getString("freshness"), row.getString("text"), scores.get(row.getLong("id"))));
          }
          out.sort((a, b) -> Double.compare(b.score(), a.score()));
          return out;
        }), found -> found.size() == ids.length);
  }
}
