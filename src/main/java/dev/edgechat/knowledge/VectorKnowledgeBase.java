package dev.edgechat.knowledge;

import dev.edgechat.db.Freshness;
import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.protocol.QuestionVector;
import dev.edgechat.vectors.VectorIndex;
import dev.edgechat.web.VisibleText;
import io.micrometer.core.instrument.Counter;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retrieval by vector similarity: the question is embedded by the knowledge base's model, the
 * site's {@link ChunkIndex} finds the nearest chunks, and Postgres (by primary key) returns their
 * text and documents. Chunks of documents being deleted are left out.
 *
 * <p>Sites and chunks are read where slightly old data will do ({@link Freshness#recent()}: a
 * replica); what a replica does not have (a site just created, chunks just indexed) is no proof it
 * does not exist, so the primary is asked for it.
 *
 * <p>A search for a site as an answer read it ({@link #search(Site, String, int, QuestionVector)})
 * first waits, at most {@code knowledge.catchUpMs}, for the index to reflect the site's version
 * ({@link ChunkIndex#catchUp}): another process's ingestion reaches this index only on the
 * change's notice, and a visitor asking right after the job completed must find its documents.
 * A catch-up that fails or is slower searches what the index holds: an answer with fewer
 * sources beats no answer.
 */
public final class VectorKnowledgeBase implements KnowledgeBase {

  private static final Logger LOG = LoggerFactory.getLogger(VectorKnowledgeBase.class);
  private static final long DEFAULT_CATCH_UP_MS = 2_000;
  private static final long WARN_EVERY_MS = 60_000;

  private final ReplicaRouter reads;
  private final EmbeddingModel embeddings;
  private final ChunkIndex index;
  private final DoubleSupplier minScore;
  private final Timer searchTime;
  private final LongSupplier catchUpMs;
  private final Counter caughtUp;
  private final Counter behind;
  private final AtomicLong lastWarnMs = new AtomicLong(Long.MIN_VALUE);

  /** @param minScore least cosine of a passage worth putting in a prompt (read at each search: a tunable) */
  public VectorKnowledgeBase(ReplicaRouter reads, EmbeddingModel embeddings, ChunkIndex index,
      DoubleSupplier minScore) {
    this(reads, embeddings, index, minScore, new SimpleMeterRegistry());
  }

  /** @param registry where the time of each similarity search goes ({@code edgechat.retrieval.search}) */
  public VectorKnowledgeBase(ReplicaRouter reads, EmbeddingModel embeddings, ChunkIndex index,
      DoubleSupplier minScore, MeterRegistry registry) {
    this(reads, embeddings, index, minScore, registry, () -> DEFAULT_CATCH_UP_MS);
  }

  /**
   * @param catchUpMs read at each search: the longest a search waits for the index to reflect the
   *     site's version (0: it searches what the index holds)
   */
  public VectorKnowledgeBase(ReplicaRouter reads, EmbeddingModel embeddings, ChunkIndex index,
      DoubleSupplier minScore, MeterRegistry registry, LongSupplier catchUpMs) {
    this.reads = Objects.requireNonNull(reads);
    this.embeddings = Objects.requireNonNull(embeddings);
    this.index = Objects.requireNonNull(index);
    this.minScore = Objects.requireNonNull(minScore);
    this.searchTime = Timer.builder("edgechat.retrieval.search")
        .description("time of a similarity search: the question's embedding, the nearest chunks, their text")
        .register(registry);
    this.catchUpMs = Objects.requireNonNull(catchUpMs);
    this.caughtUp = Counter.builder("edgechat.retrieval.catchup").tag("outcome", "caught-up")
        .description("searches that first waited for the chunk index to reflect the site's version")
        .register(registry);
    this.behind = Counter.builder("edgechat.retrieval.catchup").tag("outcome", "behind")
        .description("searches that first waited for the chunk index to reflect the site's version")
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
   * quantized all-MiniLM-L6-v2 with the same whitespace normalization; the edge embeds the question
   * with its chat shorthand written out ("u" → "you"), origin the question as written, so for a
   * question with shorthand the two vectors differ slightly, the edge's being the better query. With
   * remote embeddings at origin the names differ and the question is embedded here as before.
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

  /**
   * {@inheritDoc} When the index is behind the site's version it is refreshed first (see the class
   * comment); the search never fails for that.
   */
  @Override
  public Future<List<Passage>> search(Site site, String question, int limit, QuestionVector given) {
    if (limit <= 0 || !VisibleText.in(question)) {
      return Future.succeededFuture(List.of());
    }
    return caughtUp(site).compose(v -> search(site.id(), question, limit, given));
  }

  /**
   * {@inheritDoc} Here the search starts at once, on the index as it is, beside the site's read (an
   * answer's usual case waits for neither); when the site arrives, the result stands if the index
   * already reflected the site's version when the search began (it only moves forward), else the
   * index catches up (as above) and the search runs again.
   */
  @Override
  public Future<List<Passage>> search(String siteId, Future<Site> asRead, String question, int limit,
      QuestionVector given) {
    long reflectedAtStart = index.reflected(siteId);
    Future<List<Passage>> early = search(siteId, question, limit, given);
    return asRead.compose(site -> site.kbVersion() <= reflectedAtStart || catchUpMs.getAsLong() <= 0
        ? early
        : early.transform(ignored -> search(site, question, limit, given)));
  }

  /** Succeeds once the index reflects the site's version, or the catch-up failed or took too long. */
  private Future<Void> caughtUp(Site site) {
    long timeoutMs = catchUpMs.getAsLong();
    if (timeoutMs <= 0) {
      return Future.succeededFuture();
    }
    // after the build, which every search waits for anyway: the versions are known from then on
    return index.loaded().compose(built -> {
      if (index.reflects(site.id(), site.kbVersion())) {
        return Future.succeededFuture();
      }
      // the refresh goes on after a timeout: the next answer finds it done or joins it
      return index.catchUp(site.id(), site.kbVersion()).timeout(timeoutMs, TimeUnit.MILLISECONDS).transform(ar -> {
        if (ar.succeeded()) {
          caughtUp.increment();
        } else {
          searchedBehind(site, ar.cause());
        }
        return Future.succeededFuture();
      });
    });
  }

  /** Counted each time, logged at most once a minute: a Postgres outage would otherwise log per answer. */
  private void searchedBehind(Site site, Throwable cause) {
    behind.increment();
    long now = System.nanoTime() / 1_000_000;
    long last = lastWarnMs.get();
    if ((last == Long.MIN_VALUE || now - last >= WARN_EVERY_MS) && lastWarnMs.compareAndSet(last, now)) {
      LOG.warn("chunk index behind the site's version, searched as it is [site: {}, version: {}, reason: {}]",
          site.id(), site.kbVersion(), cause.toString());
    }
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
