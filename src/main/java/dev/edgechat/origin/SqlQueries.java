package dev.edgechat.origin;

/** The SQL of conversations. Each query's index is named beside it; ConversationQueryPlanTest checks them. */
final class SqlQueries {

  private SqlQueries() {
  }

  /** Primary key of conversations. */
  static final String CONVERSATION_SITE = "SELECT site_id FROM conversations WHERE id = $1";

  static final String INSERT_CONVERSATION =
      "INSERT INTO conversations (id, site_id, visitor) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING";

  /** messages_conversation_idx, newest first. */
  static final String RECENT_MESSAGES = """
      SELECT role, text FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT $2""";

  /** messages_conversation_idx, in order. */
  static final String CONVERSATION_MESSAGES = """
      SELECT id, role, text, created_at FROM messages WHERE conversation_id = $1 ORDER BY seq LIMIT $2""";

  /** The unique index on messages.id makes a repeated save a no-op. */
  static final String INSERT_MESSAGE = """
      INSERT INTO messages (id, conversation_id, role, text) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING""";
}
