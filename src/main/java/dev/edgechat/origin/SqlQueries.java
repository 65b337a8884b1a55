package dev.edgechat.origin;

/** The SQL of conversations. Each query's index is named beside it; ConversationQueryPlanTest checks them. */
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

  /** Write-behind batch: what answers cost; the unique index on message_id makes a repeated save a no-op. */
  static final String INSERT_USAGE = """
      INSERT INTO usage (site_id, conversation_id, message_id, model, prompt_tokens, completion_tokens)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
      ON CONFLICT (message_id) DO NOTHING""";
}
