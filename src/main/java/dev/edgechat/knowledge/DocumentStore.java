package dev.edgechat.knowledge;

import dev.edgechat.vectors.Vectors;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Writes sites and documents (with their chunks) to the primary. A document's life: accepted as
 * {@code pending} with its text, then made {@code ready} with its chunks by an ingestion job (or
 * {@code failed} with the reason); a delete marks it {@code deleting} until its job removes it.
 */
public final class DocumentStore {

  /** Most documents one listing returns. */
  public static final int MAX_LISTED = 10_000;

  private final Pool writer;

  public DocumentStore(Pool writer) {
    this.writer = Objects.requireNonNull(writer);
  }

  /** A document as stored, with its state. */
  public record StoredDocument(Document document, String contentHash, String status) {
  }

  /** A document's chunks, with their vectors from {@code model}. */
  public record ChunkedDocument(String siteId, String documentId, String contentHash, String model, List<String> texts,
      List<float[]> vectors) {
  }

  /** Creates or updates a site; succeeds with it as stored. */
  public Future<Site> putSite(Site site) {
    return writer.preparedQuery(SqlQueries.UPSERT_SITE)
        .execute(Tuple.of(site.id(), site.name(), site.allowedOrigins().toArray(String[]::new), site.systemPrompt(),
            site.limits().isEmpty() ? null : site.limits().toJson(),
            site.semantic().isEmpty() ? null : site.semantic().toJson()))
        .map(rows -> toSite(rows.iterator().next()));
  }

  /** The site as the primary has it (a replica may not have it yet), or empty when there is none. */
  public Future<Optional<Site>> site(String id) {
    return writer.preparedQuery(SqlQueries.SITE_BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.<Site>empty() : Optional.of(toSite(rows.iterator().next())));
  }

  static Site toSite(Row row) {
    String[] origins = row.getArrayOfStrings("allowed_origins");
    return new Site(row.getString("id"), row.getString("name"), origins == null ? List.of() : Arrays.asList(origins),
        row.getString("system_prompt"), row.getLong("kb_version"), limits(row.getJsonObject("limits")),
        semantic(row.getJsonObject("semantic")));
  }

  /** The stored semantic settings; ones this version does not know are left to the edges' settings. */
  private static SiteSemantic semantic(JsonObject stored) {
    try {
      return SiteSemantic.fromJson(stored);
    } catch (IllegalArgumentException e) {
      return SiteSemantic.NONE;
    }
  }

  /** The stored limits; ones this version does not know (written by a newer one) are left to the edges' settings. */
  private static SiteLimits limits(JsonObject stored) {
    try {
      return SiteLimits.fromJson(stored);
    } catch (IllegalArgumentException e) {
      return SiteLimits.NONE;
    }
  }

  /**
   * Stores documents as {@code pending}, in one transaction; one whose same content is stored
   * already is left as it is. Succeeds with the ids of those that need an ingestion job.
   */
  public Future<List<String>> accept(String siteId, List<Document> documents) {
    if (documents.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return writer.withTransaction(conn -> accept(conn, siteId, documents));
  }

  /**
   * Stores documents as {@link #accept(String, List)} does, within {@code transaction}: the caller's
   * transaction, which may hold more (their job, staged in the outbox; the request's idempotency key).
   */
  public Future<List<String>> accept(SqlClient transaction, String siteId, List<Document> documents) {
    if (documents.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    // in id order: two uploads of overlapping documents lock their rows in the same order, never a deadlock
    List<Tuple> rows = documents.stream()
        .sorted(Comparator.comparing(Document::id))
        .map(d -> Tuple.of(siteId, d.id(), d.title(), d.url(), d.freshness(), d.contentHash(), d.text()))
        .toList();
    return transaction.preparedQuery(SqlQueries.ACCEPT_DOCUMENT).executeBatch(rows).map(DocumentStore::ids);
  }

  /** The document, or empty when there is none. */
  public Future<Optional<StoredDocument>> document(String siteId, String documentId) {
    return writer.preparedQuery(SqlQueries.DOCUMENT).execute(Tuple.of(siteId, documentId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toStored(rows.iterator().next())));
  }

  private static StoredDocument toStored(Row row) {
    return new StoredDocument(new Document(row.getString("id"), row.getString("title"), row.getString("url"),
        row.getString("freshness"), row.getString("text")), row.getString("content_hash"), row.getString("status"));
  }

  /**
   * Replaces the document's chunks with {@code chunked} and marks it ready, in one transaction,
   * when it still waits for exactly this content (pending with the same hash): a job run twice, or
   * overtaken by a newer version of the document, changes nothing. Succeeds with the new chunk ids
   * (in chunk order) and the ids of the chunks replaced, or empty when nothing was changed.
   */
  public Future<Optional<ChunkChange>> storeChunks(ChunkedDocument chunked) {
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.DOCUMENT_FOR_UPDATE)
        .execute(Tuple.of(chunked.siteId(), chunked.documentId()))
        .compose(found -> {
          if (found.size() == 0) {
            return Future.succeededFuture(Optional.<ChunkChange>empty());
          }
          StoredDocument stored = toStored(found.iterator().next());
          if (!stored.status().equals("pending") || !stored.contentHash().equals(chunked.contentHash())) {
            return Future.succeededFuture(Optional.<ChunkChange>empty());
          }
          List<Tuple> chunks = new ArrayList<>(chunked.texts().size());
          for (int i = 0; i < chunked.texts().size(); i++) {
            chunks.add(Tuple.of(chunked.siteId(), chunked.documentId(), i, chunked.texts().get(i), chunked.model(),
                Buffer.buffer(Vectors.toBytes(chunked.vectors().get(i)))));
          }
          Future<List<Long>> removed = conn.preparedQuery(SqlQueries.DELETE_CHUNKS_OF_DOCUMENT)
              .execute(Tuple.of(chunked.siteId(), chunked.documentId()))
              .map(rows -> {
                List<Long> ids = new ArrayList<>(rows.size());
                rows.forEach(row -> ids.add(row.getLong(0)));
                return ids;
              });
          return removed.compose(gone -> (chunks.isEmpty()
                  ? Future.succeededFuture(List.<Long>of())
                  : conn.preparedQuery(SqlQueries.INSERT_CHUNK).executeBatch(chunks).map(DocumentStore::longIds))
              .compose(added -> conn.preparedQuery(SqlQueries.MARK_READY)
                  .execute(Tuple.of(chunked.siteId(), chunked.documentId()))
                  .map(v -> Optional.of(new ChunkChange(added, gone)))));
        }));
  }

  /** Chunks a change added (ids in chunk order) and removed. */
  public record ChunkChange(List<Long> added, List<Long> removed) {
  }

  /** Marks a document failed with {@code error}, if it still waits for this content. */
  public Future<Void> markFailed(String siteId, String documentId, String contentHash, String error) {
    return writer.preparedQuery(SqlQueries.MARK_FAILED)
        .execute(Tuple.of(siteId, documentId, contentHash, error.length() > 2000 ? error.substring(0, 2000) : error))
        .mapEmpty();
  }

  /** Marks a document for deletion; succeeds with false when there is no such document. */
  public Future<Boolean> markDeleting(String siteId, String documentId) {
    return markDeleting(writer, siteId, documentId);
  }

  /** Marks a document for deletion through {@code client} (a pool, or the caller's transaction). */
  public Future<Boolean> markDeleting(SqlClient client, String siteId, String documentId) {
    return client.preparedQuery(SqlQueries.MARK_DELETING).execute(Tuple.of(siteId, documentId))
        .map(rows -> rows.size() > 0);
  }

  /**
   * Deletes a document marked for deletion, with its chunks; succeeds with the ids of the chunks
   * removed, or empty when the document is gone already or was stored again since.
   */
  public Future<Optional<List<Long>>> delete(String siteId, String documentId) {
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.DOCUMENT_FOR_UPDATE)
        .execute(Tuple.of(siteId, documentId))
        .compose(found -> {
          if (found.size() == 0 || !found.iterator().next().getString("status").equals("deleting")) {
            return Future.succeededFuture(Optional.<List<Long>>empty());
          }
          return conn.preparedQuery(SqlQueries.DELETE_CHUNKS_OF_DOCUMENT).execute(Tuple.of(siteId, documentId))
              .compose(rows -> {
                List<Long> ids = new ArrayList<>(rows.size());
                rows.forEach(row -> ids.add(row.getLong(0)));
                return conn.preparedQuery(SqlQueries.DELETE_DOCUMENT).execute(Tuple.of(siteId, documentId))
                    .map(v -> Optional.of(ids));
              });
        }));
  }

  /**
   * The site's documents as the admin API lists them, by id: {@code {"documents":[…]}}, the first
   * {@value #MAX_LISTED}, with {@code "truncated":true} when there are more.
   */
  public Future<JsonObject> list(String siteId) {
    return writer.preparedQuery(SqlQueries.DOCUMENTS_OF_SITE).execute(Tuple.of(siteId, MAX_LISTED + 1))
        .map(rows -> {
          JsonArray out = new JsonArray();
          for (Row row : rows) {
            if (out.size() == MAX_LISTED) {
              break;
            }
            JsonObject doc = new JsonObject()
                .put("id", row.getString("id"))
                .put("title", row.getString("title"))
                .put("url", row.getString("url"))
                .put("freshness", row.getString("freshness"))
                .put("status", row.getString("status"))
                .put("chunks", row.getLong("chunks"))
                .put("updatedAt", row.getOffsetDateTime("updated_at").withOffsetSameInstant(ZoneOffset.UTC)
                    .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
            if (row.getString("error") != null) {
              doc.put("error", row.getString("error"));
            }
            out.add(doc);
          }
          JsonObject listing = new JsonObject().put("documents", out);
          return rows.size() > MAX_LISTED ? listing.put("truncated", true) : listing;
        });
  }

  /** A document a job may have lost. */
  public record Unfinished(String siteId, String documentId, boolean deleting) {
  }

  /**
   * Up to {@code limit} documents left pending or deleting for longer than {@code olderThanMs},
   * oldest first; each is touched, so the next sweep leaves it to the job it gets now.
   */
  public Future<List<Unfinished>> claimUnfinished(long olderThanMs, int limit) {
    return writer.preparedQuery(SqlQueries.UNFINISHED_DOCUMENTS).execute(Tuple.of(olderThanMs, limit))
        .compose(rows -> {
          List<Unfinished> found = new ArrayList<>(rows.size());
          rows.forEach(row -> found.add(new Unfinished(row.getString("site_id"), row.getString("id"),
              row.getString("status").equals("deleting"))));
          if (found.isEmpty()) {
            return Future.succeededFuture(found);
          }
          return writer.preparedQuery(SqlQueries.TOUCH_DOCUMENT)
              .executeBatch(found.stream().map(u -> Tuple.of(u.siteId(), u.documentId())).toList())
              .map(found);
        });
  }

  /** The first column of every row of a batch's results (one result per batched statement). */
  private static List<String> ids(RowSet<Row> batch) {
    List<String> out = new ArrayList<>();
    for (RowSet<Row> rows = batch; rows != null; rows = rows.next()) {
      rows.forEach(row -> out.add(row.getString(0)));
    }
    return out;
  }

  private static List<Long> longIds(RowSet<Row> batch) {
    List<Long> out = new ArrayList<>();
    for (RowSet<Row> rows = batch; rows != null; rows = rows.next()) {
      rows.forEach(row -> out.add(row.getLong(0)));
    }
    return out;
  }
}
