package dev.edgechat.knowledge;

import dev.edgechat.ops.Readiness;
import dev.edgechat.vectors.VectorIndex;
import dev.edgechat.vectors.Vectors;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vector index of every site's chunks, in this process: one {@link VectorIndex} per site, so a
 * search never sees another site's chunks. Postgres holds the vectors; the index is built from
 * there at start ({@link #load()}), changed by this process's ingestion ({@link #apply}) and brought
 * up to date with other processes' changes on a site's invalidation ({@link #refresh}).
 *
 * <p>It knows, per site, the knowledge-base version its chunks reflect ({@link #reflects}): a
 * worker in another process stores a document's chunks, then bumps the site's version, then
 * reports its job done, while this index learns of it only on the change's notice. An answer for
 * a newer version than the index reflects first has it {@link #catchUp} (answers behind together
 * share one refresh), so a document whose job is done is retrievable at once.
 *
 * <p>Only chunks embedded by this process's model are indexed: a question's vector and a chunk's
 * must come from the same model to be compared. Changes to one site's index are applied one after
 * another, after the build, so an older change never lands after a newer one. It reads the
 * primary: a replica may not yet have the chunks an invalidation announces.
 */
public final class ChunkIndex implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChunkIndex.class);
  private static final int PAGE = 5_000;
  private static final long RETRY_MS = 5_000;

  private final Pool primary;
  private final WorkerExecutor workers;
  private final WorkerExecutor searches;
  private final String model;
  private final int dimensions;
  private final Map<String, VectorIndex<Long>> sites = new ConcurrentHashMap<>();
  /** Per site, the last change queued: the next one runs after it. */
  private final Map<String, Future<Void>> changes = new ConcurrentHashMap<>();
  /**
   * Per site, the knowledge-base version the index reflects: every chunk change that a version up
   * to it announced (committed before it) is in. A site not here is behind every version.
   */
  private final Map<String, Long> versions = new ConcurrentHashMap<>();
  /** Per site, the refresh under way that an answer behind joins (guarded by this). */
  private final Map<String, Future<Void>> catchingUp = new HashMap<>();
  private final Promise<Void> loaded = Promise.promise();

  /**
   * @param primary the primary's pool (see the class comment)
   * @param workers where the index is built and changed
   * @param searches where searches run: apart, so that an ingestion never holds retrieval up
   */
  public ChunkIndex(Pool primary, WorkerExecutor workers, WorkerExecutor searches, String model, int dimensions) {
    this.primary = Objects.requireNonNull(primary);
    this.workers = Objects.requireNonNull(workers);
    this.searches = Objects.requireNonNull(searches);
    this.model = Objects.requireNonNull(model);
    this.dimensions = dimensions;
  }

  /**
   * Builds the index from every chunk of this model in Postgres; searches wait for it. A build
   * that fails (Postgres not there yet) is tried again every {@value #RETRY_MS} ms until it succeeds;
   * {@link #readiness()} reports it meanwhile.
   */
  public Future<Void> load(Vertx vertx) {
    long started = System.nanoTime();
    Map<String, Long> seen = new HashMap<>();
    // the versions first: every chunk committed before them is read by the pages after
    primary.query(SqlQueries.SITE_VERSIONS).execute()
        .compose(rows -> {
          rows.forEach(row -> seen.put(row.getString(0), row.getLong(1)));
          return loadPage(0L, 0);
        })
        .onSuccess(count -> {
          seen.forEach(this::reached);
          LOG.info("chunk index built [chunks: {}, sites: {}, model: {}, ms: {}]", count, sites.size(), model,
              (System.nanoTime() - started) / 1_000_000);
          loaded.tryComplete();
        })
        .onFailure(e -> {
          LOG.warn("chunk index not built, trying again in {} ms [reason: {}]", RETRY_MS, e.toString());
          sites.values().forEach(VectorIndex::close);
          sites.clear();
          vertx.setTimer(RETRY_MS, id -> load(vertx));
        });
    return loaded.future();
  }

  /** {@code /readyz}: retrieval can answer once the index is built. */
  public Readiness readiness() {
    return new Readiness() {
      @Override
      public String name() {
        return "chunk-index";
      }

      @Override
      public Future<Void> check() {
        return loaded.future().isComplete() ? Future.succeededFuture()
            : Future.failedFuture("the chunk index is being built from Postgres");
      }
    };
  }

  /**
   * Refreshes every site's index from Postgres, one site after another, comparing all its chunks
   * whatever its version says: repairs what invalidations missed (a Redis outage, a process that
   * published nothing, chunks changed by hand).
   */
  public Future<Integer> resync() {
    return loaded.future()
        .compose(v -> primary.query(SqlQueries.SITE_IDS).execute())
        .compose(rows -> {
          List<String> ids = new ArrayList<>(rows.size());
          rows.forEach(row -> ids.add(row.getString(0)));
          Future<Void> all = Future.succeededFuture();
          for (String id : ids) {
            all = all.compose(v -> refresh(id, true));
          }
          return all.map(ids.size());
        });
  }

  private Future<Integer> loadPage(long afterId, int countSoFar) {
    return primary.preparedQuery(SqlQueries.CHUNK_VECTORS_PAGE).execute(Tuple.of(afterId, model, PAGE))
        .compose(rows -> {
          Map<String, Map<Long, float[]>> bySite = new HashMap<>();
          long last = afterId;
          for (Row row : rows) {
            last = row.getLong("id");
            float[] vector = Vectors.fromBytes(row.getBuffer("embedding").getBytes());
            if (vector.length == dimensions) {
              bySite.computeIfAbsent(row.getString("site_id"), s -> new HashMap<>()).put(last, vector);
            }
          }
          int count = countSoFar + rows.size();
          long next = last;
          Future<Void> added = workers.executeBlocking(() -> {
            bySite.forEach((site, vectors) -> index(site).putAll(vectors));
            return null;
          }, false);
          return rows.size() < PAGE ? added.map(count) : added.compose(v -> loadPage(next, count));
        });
  }

  /** Completes when the index has been built from Postgres. */
  public Future<Void> loaded() {
    return loaded.future();
  }

  /** Chunks in the index of a site. */
  public int size(String siteId) {
    VectorIndex<Long> index = sites.get(siteId);
    return index == null ? 0 : index.size();
  }

  /** Up to {@code k} chunk ids of the site nearest to {@code vector}, nearest first. */
  public Future<List<VectorIndex.Match<Long>>> nearest(String siteId, float[] vector, int k) {
    return loaded.future().compose(v -> {
      VectorIndex<Long> index = sites.get(siteId);
      if (index == null || index.size() == 0) {
        return Future.succeededFuture(List.of());
      }
      return searches.executeBlocking(() -> index.nearest(vector, k), false);
    });
  }

  /**
   * Adds chunks this process stored (ids and vectors in the same order) and drops those it replaced.
   * The index may hold them already: the build, or a refresh on an earlier change of the site, that
   * read Postgres after they committed and before this change's turn came puts them first.
   */
  public Future<Void> apply(String siteId, List<Long> added, List<float[]> vectors, List<Long> removed) {
    return inTurn(siteId, () -> applyNow(siteId, added, vectors, removed));
  }

  private Future<Void> applyNow(String siteId, List<Long> added, List<float[]> vectors, List<Long> removed) {
    if (added.isEmpty() && removed.isEmpty()) {
      return Future.succeededFuture();
    }
    return workers.executeBlocking(() -> {
      VectorIndex<Long> index = index(siteId);
      removed.forEach(index::remove);
      Map<Long, float[]> byId = new HashMap<>();
      for (int i = 0; i < added.size(); i++) {
        if (vectors.get(i).length == dimensions) {
          byId.put(added.get(i), vectors.get(i));
        }
      }
      index.putAll(byId);
      return null;
    }, false);
  }

  /** Whether the site's index reflects {@code version} of its knowledge base, or a later one. */
  public boolean reflects(String siteId, long version) {
    return reflected(siteId) >= version;
  }

  /** The knowledge-base version of the site that the index reflects; -1 while it knows none (before its build). */
  public long reflected(String siteId) {
    return versions.getOrDefault(siteId, -1L);
  }

  /**
   * Completes once the site's index reflects {@code version} or later: at once when it does, else
   * after the site's refresh under way, which it joins, or one it starts, so that the answers
   * behind on a site cost one refresh, not one each. A refresh under way may have read Postgres
   * before {@code version} committed; when the index is still behind after it, one more runs (it
   * starts after, so it reads the version). Fails when the refresh does, or the index is still
   * behind (a version the primary does not have).
   */
  public Future<Void> catchUp(String siteId, long version) {
    if (reflects(siteId, version)) {
      return Future.succeededFuture();
    }
    return sharedRefresh(siteId)
        .compose(v -> reflects(siteId, version) ? Future.succeededFuture() : sharedRefresh(siteId))
        .compose(v -> reflects(siteId, version) ? Future.<Void>succeededFuture()
            : Future.failedFuture("the chunk index of site " + siteId + " is behind version " + version));
  }

  /** The site's refresh under way for {@link #catchUp}, or a new one. */
  private synchronized Future<Void> sharedRefresh(String siteId) {
    Future<Void> running = catchingUp.get(siteId);
    if (running != null && !running.isComplete()) {
      return running;
    }
    Future<Void> started = refresh(siteId);
    catchingUp.put(siteId, started);
    started.onComplete(ar -> {
      synchronized (this) {
        catchingUp.remove(siteId, started);
      }
    });
    return started;
  }

  /**
   * Brings the site's index up to date with Postgres: what other processes ingested or deleted.
   * The site's version is read first, so the chunks read after hold every change committed before
   * it: when the refresh is done, the index reflects at least that version. When that version
   * left the chunks as they were (new settings, a purge: {@link SiteVersions#bumpChunksUnchanged})
   * and the index reflects the one before, no chunk is read: a settings change costs a large site
   * one row, not all its chunk ids.
   */
  public Future<Void> refresh(String siteId) {
    return refresh(siteId, false);
  }

  /** @param compareAll whether the chunks are compared whatever the version says (the resync) */
  private Future<Void> refresh(String siteId, boolean compareAll) {
    return inTurn(siteId, () -> primary.preparedQuery(SqlQueries.KB_VERSION_AND_CHUNKS_UNCHANGED)
        .execute(Tuple.of(siteId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return compare(siteId);
          }
          long version = rows.iterator().next().getLong(0);
          Long unchangedAt = rows.iterator().next().getLong(1);
          if (!compareAll && unchangedAt != null && unchangedAt == version && reflects(siteId, version - 1)) {
            reached(siteId, version);
            return Future.succeededFuture();
          }
          return compare(siteId).onSuccess(v -> reached(siteId, version));
        }));
  }

  /** Puts what Postgres has of the site's chunks and the index lacks, and drops what Postgres no longer has. */
  private Future<Void> compare(String siteId) {
    return primary.preparedQuery(SqlQueries.CHUNK_IDS_OF_SITE).execute(Tuple.of(siteId, model))
        .compose(rows -> workers.executeBlocking(() -> {
          Set<Long> inPostgres = new HashSet<>(rows.size());
          rows.forEach(row -> inPostgres.add(row.getLong(0)));
          Set<Long> indexed = index(siteId).keys();
          List<Long> missing = inPostgres.stream().filter(id -> !indexed.contains(id)).toList();
          List<Long> gone = indexed.stream().filter(id -> !inPostgres.contains(id)).toList();
          return new Diff(missing, gone);
        }, false))
        .compose(diff -> diff.missing().isEmpty()
            ? applyNow(siteId, List.of(), List.of(), diff.gone())
            : primary.preparedQuery(SqlQueries.CHUNK_VECTORS_BY_ID)
                .execute(Tuple.of(diff.missing().toArray(Long[]::new), model))
                .compose(found -> {
                  List<Long> ids = new ArrayList<>(found.size());
                  List<float[]> vectors = new ArrayList<>(found.size());
                  for (Row row : found) {
                    ids.add(row.getLong("id"));
                    vectors.add(Vectors.fromBytes(row.getBuffer("embedding").getBytes()));
                  }
                  return applyNow(siteId, ids, vectors, diff.gone());
                }));
  }

  /** Records that the site's index reflects {@code version}; it never goes back. */
  private void reached(String siteId, long version) {
    versions.merge(siteId, version, Math::max);
  }

  private record Diff(List<Long> missing, List<Long> gone) {
  }

  /** Runs a change of the site's index after the build and after the site's changes queued before it. */
  private synchronized Future<Void> inTurn(String siteId, Supplier<Future<Void>> change) {
    Future<Void> before = changes.getOrDefault(siteId, loaded.future());
    Future<Void> mine = before.transform(ar -> loaded.future()).compose(v -> change.get());
    Future<Void> settled = mine.transform(ar -> Future.succeededFuture());
    changes.put(siteId, settled);
    settled.onComplete(v -> changes.remove(siteId, settled));
    return mine;
  }

  private VectorIndex<Long> index(String siteId) {
    return sites.computeIfAbsent(siteId, s -> new VectorIndex<>(dimensions));
  }

  @Override
  public void close() {
    sites.values().forEach(VectorIndex::close);
    sites.clear();
  }
}
