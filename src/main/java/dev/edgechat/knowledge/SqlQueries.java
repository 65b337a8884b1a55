package dev.edgechat.knowledge;

/** The SQL of the knowledge base. Each query's index is named beside it; KnowledgeQueryPlanTest checks them. */
final class SqlQueries {

  private SqlQueries() {
  }

  /** Primary key of sites. */
  static final String SITE_BY_ID =
      "SELECT id, name, allowed_origins, system_prompt, kb_version FROM sites WHERE id = $1";

  static final String UPSERT_SITE = """
      INSERT INTO sites (id, name, allowed_origins, system_prompt) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, allowed_origins = EXCLUDED.allowed_origins,
        system_prompt = EXCLUDED.system_prompt, updated_at = now()""";

  /**
   * Full-text retrieval within one site: chunks_tsv_idx finds the matching chunks, the documents
   * primary key joins their titles. {@code $2} is a {@code to_tsquery} expression of OR-ed words.
   */
  static final String SEARCH_CHUNKS = """
      SELECT c.document_id, d.title, d.url, d.freshness, c.text, ts_rank_cd(c.tsv, q) AS score
      FROM to_tsquery('english', $2) AS q, chunks c
      JOIN documents d ON d.site_id = c.site_id AND d.id = c.document_id
      WHERE c.tsv @@ q AND c.site_id = $1 AND d.status = 'ready'
      ORDER BY score DESC, c.id
      LIMIT $3""";

  static final String UPSERT_DOCUMENT = """
      INSERT INTO documents (site_id, id, title, url, freshness, content_hash, status)
      VALUES ($1, $2, $3, $4, $5, $6, 'ready')
      ON CONFLICT (site_id, id) DO UPDATE SET title = EXCLUDED.title, url = EXCLUDED.url,
        freshness = EXCLUDED.freshness, content_hash = EXCLUDED.content_hash, status = 'ready', updated_at = now()
      WHERE documents.content_hash <> EXCLUDED.content_hash
      RETURNING id""";

  /** The unique (site_id, document_id, ordinal) index. */
  static final String DELETE_CHUNKS_OF_DOCUMENT = "DELETE FROM chunks WHERE site_id = $1 AND document_id = $2";

  static final String INSERT_CHUNK = "INSERT INTO chunks (site_id, document_id, ordinal, text) VALUES ($1, $2, $3, $4)";

  /** Primary key of sites. */
  static final String BUMP_KB_VERSION =
      "UPDATE sites SET kb_version = kb_version + 1, updated_at = now() WHERE id = $1 RETURNING kb_version";
}
