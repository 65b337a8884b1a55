package dev.edgechat.knowledge;

import dev.edgechat.protocol.SiteChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Changes a site in a way every edge must learn: a new knowledge-base version (part of every
 * cache key; a purge, a document added, changed or deleted, new settings), or a purge of the
 * answers citing some documents. Each change is logged in {@code site_changes} in the same
 * transaction that makes it and announced with {@code NOTIFY}, so whichever process makes it
 * (origin's admin API, a worker's ingestion), every origin learns it and streams it to every edge
 * ({@link SiteChangeLog}, {@code GET /internal/changes}); nothing is told before it committed, and
 * nothing that committed goes untold.
 */
public final class SiteVersions {

  private final Pool primary;

  /** @param primary the primary's pool (the writer) */
  public SiteVersions(Pool primary) {
    this.primary = Objects.requireNonNull(primary);
  }

  /**
   * Starts a new knowledge-base version of the site, for a change that may have changed its chunks
   * (an ingestion, a deletion): origins compare their chunk index with Postgres on it. Succeeds
   * with the change, or empty when there is no such site; fails when the database does (then
   * nothing changed).
   */
  public Future<Optional<SiteChange>> bump(String siteId) {
    return change(siteId, List.of());
  }

  /**
   * As {@link #bump}, for a change that leaves the site's chunks as they are (new settings, a purge
   * of its answers): recorded with the version ({@code chunks_unchanged_at}), so that an origin's
   * chunk index one version behind catches up without reading the site's chunks.
   */
  public Future<Optional<SiteChange>> bumpChunksUnchanged(String siteId) {
    return change(siteId, SqlQueries.BUMP_KB_VERSION_CHUNKS_UNCHANGED, List.of(), null,
        (conn, change) -> Future.succeededFuture());
  }

  /**
   * Retires the answers citing any of {@code documentIds} everywhere; the site's version stays, so
   * its other answers stay cached. Succeeds with the change, or empty when there is no such site;
   * fails when the database does (then nothing changed).
   */
  public Future<Optional<SiteChange>> purgeDocuments(String siteId, List<String> documentIds) {
    if (documentIds.isEmpty()) {
      throw new IllegalArgumentException("a purge by document names at least one document");
    }
    return change(siteId, documentIds);
  }

  /**
   * Records a report that the cached question {@code matched} (normalized) lent its answer by
   * meaning to {@code question}, which it did not mean the same as, and tells every edge that it
   * must no longer answer by meaning (the version stays: its exact repeats still hit). The report
   * and the change are one transaction. Succeeds with the change, or empty when there is no such
   * site; fails when the database does (then nothing was recorded).
   *
   * @param question the visitor's question, or null when the report does not say
   * @param messageId the message that carried the wrong answer, or null when the report does not say
   */
  public Future<Optional<SiteChange>> reportWrongHit(String siteId, String matched, String question,
      String messageId) {
    Objects.requireNonNull(matched, "matched");
    return change(siteId, List.of(), matched, (conn, change) -> conn.preparedQuery(SqlQueries.INSERT_WRONG_HIT)
        .execute(Tuple.of(siteId, matched, question, messageId, change.version(), change.seq())).mapEmpty());
  }

  /**
   * A site's reports of wrong semantic hits: how many, and the latest first.
   *
   * @param latest each {@code {"matched","question"?,"message"?,"version","change","at"}}
   */
  public record WrongHitListing(long reports, List<JsonObject> latest) {

    public WrongHitListing {
      latest = List.copyOf(latest);
    }

    /** {@code {"site","reports":n,"latest":[…]}}. */
    public JsonObject toJson(String site) {
      return new JsonObject().put("site", site).put("reports", reports).put("latest", new JsonArray(latest));
    }
  }

  /** How many wrong hits were reported for {@code siteId}, and the latest {@code limit}; fails when the database does. */
  public Future<WrongHitListing> wrongHits(String siteId, int limit) {
    return primary.preparedQuery(SqlQueries.WRONG_HIT_COUNT).execute(Tuple.of(siteId))
        .compose(count -> primary.preparedQuery(SqlQueries.LATEST_WRONG_HITS).execute(Tuple.of(siteId, limit))
            .map(rows -> {
              List<JsonObject> latest = new ArrayList<>(rows.size());
              for (Row row : rows) {
                JsonObject report = new JsonObject().put("matched", row.getString("matched"));
                if (row.getString("question") != null) {
                  report.put("question", row.getString("question"));
                }
                if (row.getString("message_id") != null) {
                  report.put("message", row.getString("message_id"));
                }
                latest.add(report.put("version", row.getLong("kb_version")).put("change", row.getLong("change_seq"))
                    .put("at", row.getOffsetDateTime("reported_at").toInstant().toString()));
              }
              return new WrongHitListing(count.iterator().next().getLong(0), latest);
            }));
  }

  private Future<Optional<SiteChange>> change(String siteId, List<String> documents) {
    return change(siteId, documents, null, (conn, change) -> Future.succeededFuture());
  }

  /** What else a change writes, in its transaction, once it is logged. */
  private interface AlsoWrite {
    Future<Void> write(SqlConnection conn, SiteChange change);
  }

  /**
   * One transaction: the next change number (its lock first: see SqlQueries.NEXT_CHANGE), the
   * version, the log, {@code also}, the notice.
   */
  private Future<Optional<SiteChange>> change(String siteId, List<String> documents, String wrongHit, AlsoWrite also) {
    // a new version for the whole site, the same one for a purge by document or a report
    String version = documents.isEmpty() && wrongHit == null ? SqlQueries.BUMP_KB_VERSION : SqlQueries.KB_VERSION;
    return change(siteId, version, documents, wrongHit, also);
  }

  /** As above, with the site's version after the change read (or made) by {@code versionQuery}. */
  private Future<Optional<SiteChange>> change(String siteId, String versionQuery, List<String> documents,
      String wrongHit, AlsoWrite also) {
    return primary.withTransaction(conn -> conn.query(SqlQueries.NEXT_CHANGE).execute()
        .compose(head -> version(conn, siteId, versionQuery).compose(version -> {
          if (version.isEmpty()) {
            // rolls back, giving the number back: numbers have no gaps
            return Future.failedFuture(new NoSuchSite());
          }
          long seq = head.iterator().next().getLong(0);
          return conn.preparedQuery(SqlQueries.INSERT_CHANGE)
              .execute(Tuple.of(seq, siteId, version.get(), documents.isEmpty() ? null
                  : documents.toArray(String[]::new), wrongHit))
              .map(inserted -> new SiteChange(seq, siteId, version.get(), documents,
                  inserted.iterator().next().getOffsetDateTime("at").toInstant(), wrongHit))
              .compose(change -> also.write(conn, change).map(change))
              .compose(change -> conn.preparedQuery(SqlQueries.NOTIFY_CHANGE).execute(Tuple.of(Long.toString(seq)))
                  .map(v -> Optional.of(change)));
        })))
        .recover(e -> e instanceof NoSuchSite ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
  }

  /** The site's version after the change. */
  private static Future<Optional<Long>> version(SqlConnection conn, String siteId, String versionQuery) {
    return conn.preparedQuery(versionQuery).execute(Tuple.of(siteId)).map(SiteVersions::first);
  }

  private static Optional<Long> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getLong(0));
  }

  /** Rolls a change of a site that does not exist back. */
  private static final class NoSuchSite extends RuntimeException {
    NoSuchSite() {
      super("no such site", null, false, false);
    }
  }
}
