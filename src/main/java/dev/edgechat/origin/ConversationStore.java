package dev.edgechat.origin;

import dev.edgechat.llm.Turn;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Conversations and their messages. Writes go to the primary; reads that must see this process's
 * own writes (history of the conversation being answered) go there too.
 */
public final class ConversationStore {

  /** The most messages one conversation read returns. */
  static final int MAX_MESSAGES = 1000;

  private final Pool writer;
  private final Pool reader;

  public ConversationStore(Pool writer, Pool reader) {
    this.writer = Objects.requireNonNull(writer);
    this.reader = Objects.requireNonNull(reader);
  }

  /** The site a conversation belongs to; empty when there is no such conversation. */
  public Future<Optional<String>> siteOf(String conversationId) {
    return writer.preparedQuery(SqlQueries.CONVERSATION_SITE).execute(Tuple.of(conversationId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  /** The last {@code turns} messages, oldest first, for the prompt. */
  public Future<List<Turn>> history(String conversationId, int turns) {
    if (turns == 0) {
      return Future.succeededFuture(List.of());
    }
    return writer.preparedQuery(SqlQueries.RECENT_MESSAGES).execute(Tuple.of(conversationId, turns))
        .map(rows -> {
          List<Turn> out = new ArrayList<>(rows.size());
          rows.forEach(row -> out.add(new Turn(row.getString("role"), row.getString("text"))));
          Collections.reverse(out);
          return out;
        });
  }

  /** Saves the visitor's question, creating the conversation first when it is new. Saving twice is harmless. */
  public Future<Void> saveQuestion(String conversationId, String siteId, String visitor, String messageId,
      String text) {
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.INSERT_CONVERSATION)
        .execute(Tuple.of(conversationId, siteId, visitor))
        .compose(v -> conn.preparedQuery(SqlQueries.INSERT_MESSAGE)
            .execute(Tuple.of(messageId, conversationId, "user", text)))
        .mapEmpty());
  }

  /** A question and its answer, served by the edge, to be saved in the visitor's conversation. */
  public record Exchange(String conversation, String site, String visitor, String questionId, String question,
      String answerId, String answer) {
  }

  /**
   * Saves exchanges in one transaction, each statement batched (one round trip each, not one per
   * exchange). Saving twice is harmless.
   */
  public Future<Void> saveExchanges(List<Exchange> exchanges) {
    if (exchanges.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> conversationRows = new ArrayList<>(exchanges.size());
    List<Tuple> messageRows = new ArrayList<>(exchanges.size() * 2);
    for (Exchange e : exchanges) {
      conversationRows.add(Tuple.of(e.conversation(), e.site(), e.visitor()));
      messageRows.add(Tuple.of(e.questionId(), e.conversation(), "user", e.question()));
      messageRows.add(Tuple.of(e.answerId(), e.conversation(), "assistant", e.answer()));
    }
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.INSERT_CONVERSATION)
        .executeBatch(conversationRows)
        .compose(v -> conn.preparedQuery(SqlQueries.INSERT_MESSAGE).executeBatch(messageRows))
        .mapEmpty());
  }

  /** Saves a complete answer. Saving twice is harmless. */
  public Future<Void> saveAnswer(String conversationId, String messageId, String text) {
    return writer.preparedQuery(SqlQueries.INSERT_MESSAGE)
        .execute(Tuple.of(messageId, conversationId, "assistant", text))
        .mapEmpty();
  }

  /**
   * The conversation as API.md §1 shows it ({@code {"id","site","messages":[…]}}), or empty when
   * there is none.
   */
  public Future<Optional<JsonObject>> conversation(String conversationId) {
    return siteOf(conversationId).compose(site -> {
      if (site.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      return reader.preparedQuery(SqlQueries.CONVERSATION_MESSAGES).execute(Tuple.of(conversationId, MAX_MESSAGES))
          .map(rows -> {
            JsonArray messages = new JsonArray();
            for (Row row : rows) {
              messages.add(new JsonObject()
                  .put("id", row.getString("id"))
                  .put("role", row.getString("role"))
                  .put("text", row.getString("text"))
                  .put("at", iso(row.getOffsetDateTime("created_at"))));
            }
            return Optional.of(new JsonObject().put("id", conversationId).put("site", site.get())
                .put("messages", messages));
          });
    });
  }

  private static String iso(OffsetDateTime time) {
    return time.withOffsetSameInstant(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
  }
}
