package dev.edgechat.origin;

import dev.edgechat.llm.Turn;
import dev.edgechat.llm.Usage;
import dev.edgechat.time.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
 * Conversations and their messages. Writes go to the primary through a write-behind
 * {@link MessageWriter} (multi-row inserts in batches); a read of a conversation first waits for
 * this process's writes to it, and reads that must see them (history of the conversation being
 * answered) go to the primary.
 */
public final class ConversationStore {

  /** The most messages one conversation read returns. */
  static final int MAX_MESSAGES = 1000;

  private final Pool writer;
  private final Pool reader;
  private final MessageWriter batches;

  /**
   * @param batchRows most rows of one write-behind batch
   * @param batchWindowMs longest a row waits for others to share its batch; 0 writes each at once
   */
  public ConversationStore(Vertx vertx, Pool writer, Pool reader, int batchRows, long batchWindowMs) {
    this.writer = Objects.requireNonNull(writer);
    this.reader = Objects.requireNonNull(reader);
    this.batches = new MessageWriter(Scheduler.of(vertx), writer, batchRows, batchWindowMs);
  }

  /** Writes what waits; completes when it is committed. */
  public Future<Void> close() {
    return batches.close();
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
    return batches.saved(conversationId)
        .compose(pending -> writer.preparedQuery(SqlQueries.RECENT_MESSAGES).execute(Tuple.of(conversationId, turns)))
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
    return batches.save(List.of(new MessageWriter.Row(conversationId, siteId, visitor, messageId, "user", text)));
  }

  /** A question and its answer, served by the edge, to be saved in the visitor's conversation. */
  public record Exchange(String conversation, String site, String visitor, String questionId, String question,
      String answerId, String answer) {
  }

  /**
   * Saves exchanges together (with the write-behind batch they fall in). Saving twice is harmless.
   */
  public Future<Void> saveExchanges(List<Exchange> exchanges) {
    List<MessageWriter.Row> rows = new ArrayList<>(exchanges.size() * 2);
    for (Exchange e : exchanges) {
      rows.add(new MessageWriter.Row(e.conversation(), e.site(), e.visitor(), e.questionId(), "user", e.question()));
      rows.add(new MessageWriter.Row(e.conversation(), e.site(), e.visitor(), e.answerId(), "assistant", e.answer()));
    }
    return batches.save(rows);
  }

  /** Saves a complete answer and, when the model reported it, what it cost. Saving twice is harmless. */
  public Future<Void> saveAnswer(String conversationId, String siteId, String visitor, String messageId, String text,
      Optional<Usage> usage) {
    return batches.save(List.of(new MessageWriter.Row(conversationId, siteId, visitor, messageId, "assistant", text,
        usage.orElse(null))));
  }

  /**
   * The conversation as API.md §1 shows it ({@code {"id","site","messages":[…]}}), or empty when
   * there is none.
   */
  public Future<Optional<JsonObject>> conversation(String conversationId) {
    Future<Boolean> pending = batches.saved(conversationId);
    return pending.compose(p -> siteOf(conversationId)).compose(site -> {
      if (site.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      // just written by this process: a replica may not have it yet
      Pool source = pending.result() ? writer : reader;
      return source.preparedQuery(SqlQueries.CONVERSATION_MESSAGES).execute(Tuple.of(conversationId, MAX_MESSAGES))
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
