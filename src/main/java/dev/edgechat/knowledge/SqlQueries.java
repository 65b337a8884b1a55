package dev.edgechat.knowledge;

/** The SQL of the knowledge base. Each query's index is named beside it; KnowledgeQueryPlanTest checks them. */
final class SqlQueries {

  private SqlQueries() {
  }

  /** Primary key of sites. */
  static final String SITE_BY_ID =
      "SELECT id, name, allowed_origins, system_prompt, kb_version, limits, semantic FROM sites WHERE id = $1";

  static final String UPSERT_SITE = """
      INSERT INTO sites (id, name, allowed_origins, system_prompt, limits, semantic) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, allowed_origins = EXCLUDED.allowed_origins,
        system_prompt = EXCLUDED.system_prompt, limits = EXCLUDED.limits, semantic = EXCLUDED.semantic,
        updated_at = now()
      RETURNING id, name, allowed_origins, system_prompt, kb_version, limits, semantic""";

  /** Every site (primary key, index only): what a resync of the chunk index walks through. */
  static final String SITE_IDS = "SELECT id FROM sites ORDER BY id";

  /** Primary key of sites. */
  static final String BUMP_KB_VERSION =
      "UPDATE sites SET kb_version = kb_version + 1, updated_at = now() WHERE id = $1 RETURNING kb_version";

  /** Primary key of sites: a version whose change left the chunks as they were (chunks_unchanged_at). */
  static final String BUMP_KB_VERSION_CHUNKS_UNCHANGED = """
      UPDATE sites SET kb_version = kb_version + 1, chunks_unchanged_at = kb_version + 1, updated_at = now()
      WHERE id = $1 RETURNING kb_version""";

  /** Primary key of sites. */
  static final String KB_VERSION = "SELECT kb_version FROM sites WHERE id = $1";

  /** Primary key of sites: what a refresh of the site's chunk index starts from. */
  static final String KB_VERSION_AND_CHUNKS_UNCHANGED = "SELECT kb_version, chunks_unchanged_at FROM sites WHERE id = $1";

  /**
   * The next change number. Taking the head row's lock first, in every writer, makes changes
   * commit in the order of their numbers, with no gaps (a rolled-back change gives its number back).
   */
  static final String NEXT_CHANGE = "UPDATE site_change_head SET seq = seq + 1 RETURNING seq";

  static final String INSERT_CHANGE = """
      INSERT INTO site_changes (seq, site_id, version, documents, at, wrong_hit)
      VALUES ($1, $2, $3, $4, clock_timestamp(), $5)
      RETURNING at""";

  /** A report of a wrong semantic hit, kept for counting and for the edges' lists of blocked questions. */
  static final String INSERT_WRONG_HIT = """
      INSERT INTO semantic_wrong_hits (site_id, matched, question, message_id, kb_version, change_seq)
      VALUES ($1, $2, $3, $4, $5, $6)""";

  /** A site's blocked questions, most recently reported first: semantic_wrong_hits_site_idx, then a sort of the few. */
  static final String WRONG_HITS_OF_SITE = """
      SELECT matched FROM semantic_wrong_hits WHERE site_id = $1 GROUP BY matched ORDER BY max(id) DESC LIMIT $2""";

  /** A site's reports: how many, and the latest ones (semantic_wrong_hits_site_idx for the count). */
  static final String WRONG_HIT_COUNT = "SELECT count(*) FROM semantic_wrong_hits WHERE site_id = $1";
  static final String LATEST_WRONG_HITS = """
      SELECT matched, question, message_id, kb_version, change_seq, reported_at FROM semantic_wrong_hits
      WHERE site_id = $1 ORDER BY id DESC LIMIT $2""";

  /** Delivered at commit to every origin that listens (the channel of {@code SiteChangeLog.CHANNEL}). */
  static final String NOTIFY_CHANGE = "SELECT pg_notify('edgechat_site_changes', $1)";

  /** The last change number given out (one row). */
  static final String CHANGE_HEAD = "SELECT seq FROM site_change_head";

  /** The changes after a number, in order: primary key of site_changes. */
  static final String CHANGES_AFTER = """
      SELECT seq, site_id, version, documents, at, wrong_hit FROM site_changes WHERE seq > $1 ORDER BY seq LIMIT $2""";

  /** The oldest change kept: primary key of site_changes. */
  static final String OLDEST_CHANGE = "SELECT min(seq) FROM site_changes";

  /** A site's purges by document still kept, oldest first: site_changes_documents_idx (partial). */
  static final String DOCUMENT_PURGES_OF_SITE = """
      SELECT seq, site_id, version, documents, at, wrong_hit FROM site_changes WHERE site_id = $1 AND documents IS NOT NULL
      ORDER BY seq""";

  /**
   * The purges by document and reported wrong hits still kept, oldest first: site_changes_documents_idx
   * and site_changes_wrong_hits_idx (both partial).
   */
  static final String KEPT_DOCUMENT_PURGES = """
      SELECT seq, site_id, version, documents, at, wrong_hit FROM site_changes
      WHERE documents IS NOT NULL OR wrong_hit IS NOT NULL ORDER BY seq""";

  /** Every site's version, for a snapshot of the change feed (rare: an edge cut off longer than the log keeps). */
  static final String SITE_VERSIONS = "SELECT id, kb_version FROM sites";

  /** Forgets changes older than $1 milliseconds; runs now and then, so a scan of the small log is fine. */
  static final String PRUNE_CHANGES =
      "DELETE FROM site_changes WHERE at < clock_timestamp() - make_interval(secs => $1 / 1000.0)";

  /**
   * Stores a document as {@code pending} unless the same content is stored and ready already;
   * returns its id when it needs a job. Primary key of documents.
   */
  static final String ACCEPT_DOCUMENT = """
      INSERT INTO documents (site_id, id, title, url, freshness, content_hash, text, status)
      VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending')
      ON CONFLICT (site_id, id) DO UPDATE SET title = EXCLUDED.title, url = EXCLUDED.url,
        freshness = EXCLUDED.freshness, content_hash = EXCLUDED.content_hash, text = EXCLUDED.text,
        status = 'pending', error = NULL, updated_at = now()
      WHERE documents.content_hash <> EXCLUDED.content_hash OR documents.status <> 'ready'
      RETURNING id""";

  /** Primary key of documents. */
  static final String DOCUMENT_FOR_UPDATE = """
      SELECT id, title, url, freshness, text, content_hash, status FROM documents
      WHERE site_id = $1 AND id = $2 FOR UPDATE""";

  /** Primary key of documents. */
  static final String DOCUMENT = """
      SELECT id, title, url, freshness, text, content_hash, status FROM documents WHERE site_id = $1 AND id = $2""";

  /** Primary key of documents (its site_id prefix); the chunk counts by the chunks' unique index. */
  static final String DOCUMENTS_OF_SITE = """
      SELECT d.id, d.title, d.url, d.freshness, d.status, d.error, d.updated_at,
        (SELECT count(*) FROM chunks c WHERE c.site_id = d.site_id AND c.document_id = d.id) AS chunks
      FROM documents d WHERE d.site_id = $1 ORDER BY d.id LIMIT $2""";

  /** Primary key of documents. */
  static final String MARK_READY = """
      UPDATE documents SET status = 'ready', error = NULL, updated_at = now() WHERE site_id = $1 AND id = $2""";

  /** Primary key of documents; only a document still waiting for this content is marked. */
  static final String MARK_FAILED = """
      UPDATE documents SET status = 'failed', error = $4, updated_at = now()
      WHERE site_id = $1 AND id = $2 AND content_hash = $3 AND status = 'pending'""";

  /** Primary key of documents. */
  static final String MARK_DELETING = """
      UPDATE documents SET status = 'deleting', updated_at = now() WHERE site_id = $1 AND id = $2 RETURNING id""";

  /** Primary key of documents; a document stored again since its delete was asked for stays. */
  static final String DELETE_DOCUMENT =
      "DELETE FROM documents WHERE site_id = $1 AND id = $2 AND status = 'deleting' RETURNING id";

  /**
   * The sweeper's query: documents left pending or deleting longer than $1 milliseconds, oldest
   * first; documents_unfinished_idx (partial, so it holds only these).
   */
  static final String UNFINISHED_DOCUMENTS = """
      SELECT site_id, id, status FROM documents
      WHERE status IN ('pending', 'deleting') AND updated_at < now() - make_interval(secs => $1 / 1000.0)
      ORDER BY updated_at LIMIT $2""";

  /** Primary key of documents: a swept document is not swept again until the sweeper's delay has passed anew. */
  static final String TOUCH_DOCUMENT = "UPDATE documents SET updated_at = now() WHERE site_id = $1 AND id = $2";

  /** The unique (site_id, document_id, ordinal) index. */
  static final String DELETE_CHUNKS_OF_DOCUMENT =
      "DELETE FROM chunks WHERE site_id = $1 AND document_id = $2 RETURNING id";

  static final String INSERT_CHUNK = """
      INSERT INTO chunks (site_id, document_id, ordinal, text, model, embedding) VALUES ($1, $2, $3, $4, $5, $6)
      RETURNING id""";

  /**
   * The chunks for retrieval, by primary key. A document being deleted has left the answers
   * already; one being re-ingested (or whose new version failed) answers with its chunks as they are.
   */
  static final String CHUNKS_BY_ID = """
      SELECT c.id, c.document_id, d.title, d.url, d.freshness, c.text
      FROM chunks c JOIN documents d ON d.site_id = c.site_id AND d.id = c.document_id
      WHERE c.id = ANY($1) AND d.status <> 'deleting'""";

  /** Vectors of all chunks made by one model, a page at a time in id order (primary key): the index at start. */
  static final String CHUNK_VECTORS_PAGE =
      "SELECT id, site_id, embedding FROM chunks WHERE id > $1 AND model = $2 ORDER BY id LIMIT $3";

  /** A site's chunk ids (the unique index's site_id prefix): what an index refresh compares with. */
  static final String CHUNK_IDS_OF_SITE = "SELECT id FROM chunks WHERE site_id = $1 AND model = $2";

  /** Vectors of given chunks, by primary key. */
  static final String CHUNK_VECTORS_BY_ID = "SELECT id, embedding FROM chunks WHERE id = ANY($1) AND model = $2";

  /** Primary key of embedding_models: this role's embeddings, replacing what its last start recorded. */
  static final String RECORD_EMBEDDING_MODEL = """
      INSERT INTO embedding_models (role, provider, model, dimensions) VALUES ($1, $2, $3, $4)
      ON CONFLICT (role) DO UPDATE SET provider = EXCLUDED.provider, model = EXCLUDED.model,
        dimensions = EXCLUDED.dimensions, updated_at = now()""";

  /** Primary key of embedding_models. */
  static final String EMBEDDING_MODEL_OF_ROLE =
      "SELECT provider, model, dimensions, updated_at FROM embedding_models WHERE role = $1";
}
