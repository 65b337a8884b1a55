package dev.edgechat.origin;

import dev.edgechat.llm.Usage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Write-behind batching of conversation writes (messages, and the usage rows of answers): rows wait up to {@code windowMs} (or until
 * {@code maxRows} are waiting) and go to the primary together, as one multi-row INSERT per table in
 * one transaction. Under load, hundreds of answers cost one round trip instead of hundreds.
 *
 * <p>Nothing is lost: each save's future completes only when its batch has committed (so origin
 * relays no token of a question that is not stored), a failed batch fails its saves, and
 * {@link #close()} flushes what waits. A reader never misses its own conversation:
 * {@link #saved(String)} completes once every write of that conversation accepted so far has committed,
 * and {@link ConversationStore} awaits it before reading.
 *
 * <p>One batch is written at a time, so rows commit in the order they were saved (message order
 * within a conversation follows the {@code seq} identity). Written by hand: a dozen lines of
 * buffering around the pool's own multi-row insert, which no library adds to the Vert.x client.
 */
final class MessageWriter {

  /** A conversation (created when new) and its message; {@code usage} is what an answer cost, or null. */
  record Row(String conversation, String site, String visitor, String messageId, String role, String text,
      Usage usage) {

    Row(String conversation, String site, String visitor, String messageId, String role, String text) {
      this(conversation, site, visitor, messageId, role, text, null);
    }
  }

  private static final String INSERT_CONVERSATIONS = """
      INSERT INTO conversations (id, site_id, visitor)
      SELECT DISTINCT ON (id) id, site_id, visitor FROM unnest($1::text[], $2::text[], $3::text[]) AS c(id, site_id, visitor)
      ON CONFLICT (id) DO NOTHING""";

  private static final String INSERT_MESSAGES = """
      INSERT INTO messages (id, conversation_id, role, text)
      SELECT id, conversation_id, role, text
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS m(id, conversation_id, role, text, n)
      ORDER BY n
      ON CONFLICT (id) DO NOTHING""";

  private static final String INSERT_USAGE = """
      INSERT INTO usage (site_id, conversation_id, message_id, model, prompt_tokens, completion_tokens)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
      ON CONFLICT (message_id) DO NOTHING""";

  private final Vertx vertx;
  private final Pool writer;
  private final int maxRows;
  private final long windowMs;
  // guarded by this
  private List<Row> waiting = new ArrayList<>();
  private List<Promise<Void>> waiters = new ArrayList<>();
  private Map<String, Future<Void>> lastWriteOf = new HashMap<>();
  private long timer = -1;
  private boolean writing;
  private Future<Void> inFlight = Future.succeededFuture();
  private boolean closed;

  MessageWriter(Vertx vertx, Pool writer, int maxRows, long windowMs) {
    this.vertx = Objects.requireNonNull(vertx);
    this.writer = Objects.requireNonNull(writer);
    this.maxRows = maxRows;
    this.windowMs = windowMs;
  }

  /** Saves rows (with one batch); succeeds when they are committed. */
  Future<Void> save(List<Row> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    boolean flushNow;
    synchronized (this) {
      if (closed) {
        return Future.failedFuture(new IllegalStateException("the message writer is closed"));
      }
      waiting.addAll(rows);
      waiters.add(done);
      rows.forEach(row -> lastWriteOf.put(row.conversation(), done.future()));
      flushNow = waiting.size() >= maxRows || windowMs == 0;
      if (!flushNow && timer == -1) {
        timer = vertx.setTimer(windowMs, id -> {
          synchronized (this) {
            timer = -1;
          }
          flush();
        });
      }
    }
    if (flushNow) {
      flush();
    }
    return done.future();
  }

  /** Completes when every write of the conversation accepted so far has committed (or failed). */
  synchronized Future<Void> saved(String conversation) {
    Future<Void> last = lastWriteOf.get(conversation);
    return last == null ? Future.succeededFuture() : last.transform(ar -> Future.succeededFuture());
  }

  /** Writes what waits, if no batch is being written; the batch after it follows when it ends. */
  private void flush() {
    List<Row> batch;
    List<Promise<Void>> batchWaiters;
    Map<String, Future<Void>> batchLast;
    synchronized (this) {
      if (writing || waiting.isEmpty()) {
        return;
      }
      writing = true;
      batch = waiting;
      batchWaiters = waiters;
      batchLast = lastWriteOf;
      waiting = new ArrayList<>();
      waiters = new ArrayList<>();
      lastWriteOf = new HashMap<>();
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }
    Future<Void> written = write(batch);
    synchronized (this) {
      inFlight = written.transform(ar -> Future.succeededFuture());
    }
    written.onComplete(ar -> {
      batchWaiters.forEach(w -> w.handle(ar));
      boolean more;
      synchronized (this) {
        writing = false;
        // a read racing the batch's end may still look it up: keep entries no newer write replaced
        batchLast.forEach((conversation, future) -> lastWriteOf.putIfAbsent(conversation, future));
        lastWriteOf.values().removeIf(Future::isComplete);
        more = !waiting.isEmpty() && (waiting.size() >= maxRows || timer == -1 || closed);
      }
      if (more) {
        flush();
      }
    });
  }

  private Future<Void> write(List<Row> batch) {
    int n = batch.size();
    String[] conversations = new String[n];
    String[] sites = new String[n];
    String[] visitors = new String[n];
    String[] ids = new String[n];
    String[] roles = new String[n];
    String[] texts = new String[n];
    for (int i = 0; i < n; i++) {
      Row row = batch.get(i);
      conversations[i] = row.conversation();
      sites[i] = row.site();
      visitors[i] = row.visitor();
      ids[i] = row.messageId();
      roles[i] = row.role();
      texts[i] = row.text();
    }
    List<Row> costed = batch.stream().filter(row -> row.usage() != null).toList();
    return writer.withTransaction(conn -> conn.preparedQuery(INSERT_CONVERSATIONS)
        .execute(Tuple.of(conversations, sites, visitors))
        .compose(v -> conn.preparedQuery(INSERT_MESSAGES).execute(Tuple.of(ids, conversations, roles, texts)))
        .compose(v -> costed.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(INSERT_USAGE).execute(Tuple.of(
            costed.stream().map(Row::site).toArray(String[]::new),
            costed.stream().map(Row::conversation).toArray(String[]::new),
            costed.stream().map(Row::messageId).toArray(String[]::new),
            costed.stream().map(row -> row.usage().model()).toArray(String[]::new),
            costed.stream().map(row -> row.usage().promptTokens()).toArray(Integer[]::new),
            costed.stream().map(row -> row.usage().completionTokens()).toArray(Integer[]::new))))
        .mapEmpty());
  }

  /** Stops taking rows and writes those that wait; completes when they are committed. */
  Future<Void> close() {
    List<Future<Void>> pending;
    synchronized (this) {
      closed = true;
      pending = new ArrayList<>(lastWriteOf.values());
      pending.add(inFlight);
    }
    flush();
    return Future.join(pending).transform(ar -> Future.succeededFuture());
  }
}
