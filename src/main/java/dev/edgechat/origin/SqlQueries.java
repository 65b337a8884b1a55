package dev.edgechat.origin;

/** The SQL of conversations and idempotency keys. Each query's index is named beside it; ConversationQueryPlanTest checks them. */
final class SqlQueries {

  private SqlQueries() {
  }

  /** Primary key of conversations. */
  static final String CONVERSATION_SITE = "SELECT site_id FROM conversations WHERE id = $1";

  /** messages_conversation_idx, newest first. */
  static final String RECENT_MESSAGES = """
      SELECT role, text FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2""";

  /** messages_conversation_idx, in order. */
  static final String CONVERSATION_MESSAGES = """
      SELECT id, role, text, created_at FROM messages WHERE conversation_id = $1 ORDER BY seq LIMIT $2""";

  /** Write-behind batch (MessageWriter): new conversations of the batch; the primary key skips known ones. */
  static final String INSERT_CONVERSATIONS = """
      INSERT INTO conversations (id, site_id, visitor)
      SELECT DISTINCT ON (id) id, site_id, visitor FROM unnest($1::text[], $2::text[], $3::text[]) AS c(id, site_id, visitor)
      ON CONFLICT (id) DO NOTHING""";

  /** Write-behind batch: messages in the order saved; the unique index on messages.id makes a repeated save a no-op. */
  static final String INSERT_MESSAGES = """
      INSERT INTO messages (id, conversation_id, role, text)
      SELECT id, conversation_id, role, text
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(id, conversation_id, role, text, n)
      ORDER BY n
      ON CONFLICT (id) DO NOTHING""";

  /**
   * Write-behind batch: what answers cost, or (saved) what serving one again spared; the unique
   * index on message_id makes a repeated save a no-op.
   */
  static final String INSERT_USAGE = """
      INSERT INTO usage (site_id, conversation_id, message_id, model, prompt_tokens, completion_tokens, saved)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bool[])
      ON CONFLICT (message_id) DO NOTHING""";

  /**
   * Takes an idempotency key for this request: inserts it, or takes over a row older than $4
   * milliseconds (expired, not pruned yet); returns a row when the key is this request's. A row
   * being written by another transaction is waited for (primary key of idempotency_keys). The
   * status and response are filled in by {@link #ANSWER_KEY} before the same transaction commits.
   */
  static final String CLAIM_KEY = """
      INSERT INTO idempotency_keys (scope, key, fingerprint, status, response) VALUES ($1, $2, $3, 0, '{}'::jsonb)
      ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, status = 0, response = '{}'::jsonb,
        created_at = now()
      WHERE idempotency_keys.created_at < now() - make_interval(secs => $4 / 1000.0)
      RETURNING key""";

  /** Primary key of idempotency_keys. */
  static final String ANSWER_KEY = "UPDATE idempotency_keys SET status = $3, response = $4 WHERE scope = $1 AND key = $2";

  /** Primary key of idempotency_keys. */
  static final String KEY_ANSWER =
      "SELECT fingerprint, status, response FROM idempotency_keys WHERE scope = $1 AND key = $2";

  /** idempotency_keys_created_idx. */
  static final String PRUNE_KEYS =
      "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(secs => $1 / 1000.0)";

  /**
   * A site's usage since $2 (days ago), by model: answers the model made and their tokens, and
   * answers served again without it ({@code saved}) and the tokens they spared.
   */
  static final String SITE_USAGE = """
      SELECT model,
             count(*) FILTER (WHERE NOT saved) AS calls,
             coalesce(sum(prompt_tokens) FILTER (WHERE NOT saved), 0) AS input_tokens,
             coalesce(sum(completion_tokens) FILTER (WHERE NOT saved), 0) AS output_tokens,
             count(*) FILTER (WHERE saved) AS saved_calls,
             coalesce(sum(prompt_tokens) FILTER (WHERE saved), 0) AS saved_input_tokens,
             coalesce(sum(completion_tokens) FILTER (WHERE saved), 0) AS saved_output_tokens
      FROM usage
      WHERE site_id = $1 AND created_at >= now() - make_interval(days => $2)
      GROUP BY model
      ORDER BY model""";
}
