package dev.edgechat.origin;

import dev.edgechat.db.Freshness;
import dev.edgechat.db.Lsn;
import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.llm.Turn;
import dev.edgechat.llm.Usage;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Conversations and their messages. Writes go to the primary through a write-behind
 * {@link MessageWriter} (multi-row inserts in batches), and each save says the primary's WAL
 * position after its commit. Reads that decide something (whose conversation it is, the history in
 * a prompt) go to the primary. A conversation read for its visitor ({@link #conversation}) first
 * waits for this process's writes to it, and then goes to a replica that has replayed the later of
 * their position and the one the caller carries (a write made through another origin); with
 * neither, any replica in rotation, and a conversation a replica does not have is looked up on the
 * primary.
 */
public final class ConversationStore {

  /** The most messages one conversation read returns. */
  static final int MAX_MESSAGES = 1000;

  private final ReplicaRouter reads;
  private final MessageWriter batches;

  /**
   * @param writer the primary, where the write-behind batches go
   * @param reads where reads go, by what they must see
   * @param batchRows most rows of one write-behind batch
   * @param batchWindowMs longest a row waits for others to share its batch; 0 writes each at once
   */
  public ConversationStore(Vertx vertx, Pool writer, ReplicaRouter reads, int batchRows, long batchWindowMs,
      MeterRegistry registry) {
    this.reads = Objects.requireNonNull(reads);
    this.batches = new MessageWriter(Scheduler.of(vertx), writer, batchRows, batchWindowMs, reads::positionAfterWrite,
        registry);
  }

  /** Writes what waits; completes when it is committed. */
  public Future<Void> close() {
    return batches.close();
  }

  /** The site a conversation belongs to, from the primary; empty when there is no such conversation. */
  public Future<Optional<String>> siteOf(String conversationId) {
    return reads.read(Freshness.primary(), db -> siteOf(db, conversationId));
  }

  private static Future<Optional<String>> siteOf(SqlClient db, String conversationId) {
    return db.preparedQuery(SqlQueries.CONVERSATION_SITE).execute(Tuple.of(conversationId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next().getString(0)));
  }

  /** The last {@code turns} messages, oldest first, for the prompt; from the primary. */
  public Future<List<Turn>> history(String conversationId, int turns) {
    if (turns == 0) {
      return Future.succeededFuture(List.of());
    }
    return batches.saved(conversationId)
        .compose(pending -> reads.read(Freshness.primary(),
            db -> db.preparedQuery(SqlQueries.RECENT_MESSAGES).execute(Tuple.of(conversationId, turns))))
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

  /**
   * A question and its answer, served by the edge, to be saved in the visitor's conversation;
   * {@code saved}: the tokens serving it spared (the usage table's {@code saved} rows), or null.
   */
  public record Exchange(String conversation, String site, String visitor, String questionId, String question,
      String answerId, String answer, Usage saved) {

    public Exchange(String conversation, String site, String visitor, String questionId, String question,
        String answerId, String answer) {
      this(conversation, site, visitor, questionId, question, answerId, answer, null);
    }
  }

  /**
   * Saves exchanges together (with the write-behind batch they fall in). Saving twice is harmless.
   * Succeeds with the primary's WAL position after the commit (the latest of their conversations'),
   * empty without replicas or when it could not be read.
   */
  public Future<Optional<Lsn>> saveExchanges(List<Exchange> exchanges) {
    List<MessageWriter.Row> rows = new ArrayList<>(exchanges.size() * 2);
    for (Exchange e : exchanges) {
      rows.add(new MessageWriter.Row(e.conversation(), e.site(), e.visitor(), e.questionId(), "user", e.question()));
      rows.add(new MessageWriter.Row(e.conversation(), e.site(), e.visitor(), e.answerId(), "assistant", e.answer(),
          e.saved(), true));
    }
    return batches.save(rows).map(v -> exchanges.stream()
        .map(e -> batches.writtenAt(e.conversation()))
        .flatMap(Optional::stream)
        .reduce(Lsn::max));
  }

  /**
   * Saves a complete answer and, when the model reported it, what it cost. Saving twice is harmless.
   * Succeeds with the primary's WAL position after the commit, empty without replicas or when it
   * could not be read.
   */
  public Future<Optional<Lsn>> saveAnswer(String conversationId, String siteId, String visitor, String messageId,
      String text, Optional<Usage> usage) {
    return batches.save(List.of(new MessageWriter.Row(conversationId, siteId, visitor, messageId, "assistant", text,
        usage.orElse(null)))).map(v -> batches.writtenAt(conversationId));
  }

  /**
   * The conversation as API.md §1 shows it ({@code {"id","site","messages":[…]}}), or empty when
   * there is none, holding every write this process made to it and every write up to
   * {@code after} (a position carried from a write made elsewhere).
   */
  public Future<Optional<JsonObject>> conversation(String conversationId, Optional<Lsn> after) {
    return batches.saved(conversationId).compose(pending -> {
      Optional<Lsn> position = Stream.of(after, batches.writtenAt(conversationId))
          .flatMap(Optional::stream)
          .reduce(Lsn::max);
      return reads.read(Freshness.after(position), db -> conversation(db, conversationId), Optional::isPresent);
    });
  }

  /** {@link #conversation(String, Optional)} with no position carried. */
  public Future<Optional<JsonObject>> conversation(String conversationId) {
    return conversation(conversationId, Optional.empty());
  }

  private static Future<Optional<JsonObject>> conversation(SqlClient db, String conversationId) {
    return siteOf(db, conversationId).compose(site -> {
      if (site.isEmpty()) {
        return Future.succeededFuture(Optional.empty());
      }
      return db.preparedQuery(SqlQueries.CONVERSATION_MESSAGES).execute(Tuple.of(conversationId, MAX_MESSAGES))
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
