package dev.edgechat.knowledge;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Writes sites and documents (with their chunks) to the primary. */
public final class DocumentStore {

  private final Pool writer;

  public DocumentStore(Pool writer) {
    this.writer = Objects.requireNonNull(writer);
  }

  /** Creates or updates a site; succeeds when stored. */
  public Future<Void> putSite(Site site) {
    return writer.preparedQuery(SqlQueries.UPSERT_SITE)
        .execute(Tuple.of(site.id(), site.name(), site.allowedOrigins().toArray(String[]::new), site.systemPrompt()))
        .mapEmpty();
  }

  /**
   * Stores a document as ready with its chunks, in one transaction, and bumps the site's
   * knowledge-base version. Succeeds with false, writing nothing, when the same content is stored already.
   */
  public Future<Boolean> putDocument(String siteId, Document document) {
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.UPSERT_DOCUMENT)
        .execute(Tuple.of(siteId, document.id(), document.title(), document.url(), document.freshness(),
            document.contentHash()))
        .compose(rows -> rows.size() == 0
            ? Future.succeededFuture(false)
            : replaceChunks(conn, siteId, document)
                .compose(v -> conn.preparedQuery(SqlQueries.BUMP_KB_VERSION).execute(Tuple.of(siteId)))
                .map(true)));
  }

  /** Starts a new knowledge-base version of the site: succeeds with it, or empty when there is no such site. */
  public Future<Optional<Long>> bumpVersion(String siteId) {
    return writer.preparedQuery(SqlQueries.BUMP_KB_VERSION).execute(Tuple.of(siteId))
        .map(rows -> rows.size() == 0 ? Optional.<Long>empty() : Optional.of(rows.iterator().next().getLong(0)));
  }

  private static Future<Void> replaceChunks(SqlConnection conn, String siteId, Document document) {
    List<Tuple> chunks = new ArrayList<>();
    List<String> paragraphs = document.paragraphs();
    for (int i = 0; i < paragraphs.size(); i++) {
      chunks.add(Tuple.of(siteId, document.id(), i, paragraphs.get(i)));
    }
    Future<?> deleted = conn.preparedQuery(SqlQueries.DELETE_CHUNKS_OF_DOCUMENT).execute(Tuple.of(siteId, document.id()));
    return chunks.isEmpty()
        ? deleted.mapEmpty()
        : deleted.compose(v -> conn.preparedQuery(SqlQueries.INSERT_CHUNK).executeBatch(chunks)).mapEmpty();
  }
}
