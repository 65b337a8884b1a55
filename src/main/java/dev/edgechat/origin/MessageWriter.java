package dev.edgechat.origin;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edgechat.db.Lsn;
import dev.edgechat.llm.Usage;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Write-behind batching of conversation writes (messages, and the usage rows of answers): rows
 * wait up to {@code windowMs} (or until {@code maxRows} are waiting) and go to the primary
 * together, as one multi-row INSERT per table in one transaction. Under load, hundreds of answers
 * cost one round trip instead of hundreds.
 *
 * <p>Nothing is lost: each save's future completes only when its batch has committed (so origin
 * relays no token of a question that is not stored), on the caller's own context; a batch that
 * fails on bad data is written again save by save, so only the bad save fails; {@link #close()}
 * flushes what waits. A reader never misses its own conversation: {@link #saved(String)}
 * completes once every write of that conversation accepted so far has committed, and
 * {@link ConversationStore} awaits it before reading; and after each commit the primary's WAL
 * position is kept per conversation ({@link #writtenAt(String)}), so that a read of it waits for a
 * replica that has replayed it.
 *
 * <p>One batch is written at a time, of at most {@code maxRows} rows (whole saves), so rows commit
 * in the order they were saved (message order within a conversation follows the {@code seq}
 * identity). Written by hand: buffering around the pool's own multi-row insert, which no library
 * adds to the Vert.x client.
 */
final class MessageWriter {

  /**
   * A conversation (created when new) and its message; {@code usage} is what an answer cost, or
   * null; {@code saved}: {@code usage} is what the edge spared serving an answer made before.
   */
  record Row(String conversation, String site, String visitor, String messageId, String role, String text,
      Usage usage, boolean saved) {

    Row(String conversation, String site, String visitor, String messageId, String role, String text) {
      this(conversation, site, visitor, messageId, role, text, null, false);
    }

    Row(String conversation, String site, String visitor, String messageId, String role, String text, Usage usage) {
      this(conversation, site, visitor, messageId, role, text, usage, false);
    }
  }

  /** Rows saved together, who waits for them, and when they were handed over ({@link Scheduler#nanoTime}). */
  private record Save(List<Row> rows, Promise<Void> done, long savedNanos) {
  }

  private final Scheduler time;
  private final Pool writer;
  private final int maxRows;
  private final long windowMs;
  private final DistributionSummary batchRows;
  private final Timer lag;
  // guarded by this
  private final List<Save> waiting = new ArrayList<>();
  private int waitingRows;
  private final Map<String, Future<Void>> lastWriteOf = new HashMap<>();
  private Scheduler.Timer window;
  private boolean writing;
  private Future<Void> inFlight = Future.succeededFuture();
  private boolean closed;
  /** Conversations written lately and the primary's position after their last commit; the oldest forgotten first. */
  private final Cache<String, Lsn> positions = Caffeine.newBuilder().maximumSize(MAX_POSITIONS).build();
  private final Supplier<Future<Optional<Lsn>>> positionAfterWrite;

  /**
   * Conversations whose last write position is kept; one forgotten was written long enough ago for
   * any replica in rotation to have it.
   */
  private static final int MAX_POSITIONS = 100_000;

  /**
   * A writer whose commits yield no position (there are no replicas).
   *
   * @param time measures the batch window
   */
  MessageWriter(Scheduler time, Pool writer, int maxRows, long windowMs) {
    this(time, writer, maxRows, windowMs, () -> Future.succeededFuture(Optional.empty()), new SimpleMeterRegistry());
  }

  /**
   * @param time measures the batch window
   * @param positionAfterWrite the primary's WAL position, read after a commit; never fails
   * @param registry where the write-behind's batch sizes, lag and waiting rows are measured
   */
  MessageWriter(Scheduler time, Pool writer, int maxRows, long windowMs,
      Supplier<Future<Optional<Lsn>>> positionAfterWrite, MeterRegistry registry) {
    this.batchRows = DistributionSummary.builder("edgechat.writes.batch.size")
        .description("rows (messages) written in one write-behind transaction").register(registry);
    this.lag = Timer.builder("edgechat.writes.lag")
        .description("from a message handed to the write-behind to its commit (or failure)").register(registry);
    Gauge.builder("edgechat.writes.waiting", this, w -> w.waitingRows())
        .description("rows waiting for the write-behind's next batch").register(registry);
    this.time = Objects.requireNonNull(time);
    this.writer = Objects.requireNonNull(writer);
    this.maxRows = maxRows;
    this.windowMs = windowMs;
    this.positionAfterWrite = Objects.requireNonNull(positionAfterWrite);
  }

  /**
   * The primary's WAL position after the last committed write of {@code conversation} by this
   * writer, while it is remembered; empty when none is (or there are no replicas).
   */
  Optional<Lsn> writtenAt(String conversation) {
    return Optional.ofNullable(positions.getIfPresent(conversation));
  }

  private synchronized int waitingRows() {
    return waitingRows;
  }

  /** Saves rows (in one batch); succeeds when they are committed, on the caller's context. */
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
      waiting.add(new Save(List.copyOf(rows), done, time.nanoTime()));
      waitingRows += rows.size();
      rows.forEach(row -> lastWriteOf.put(row.conversation(), done.future()));
      flushNow = waitingRows >= maxRows || windowMs == 0;
      if (!flushNow && window == null) {
        window = time.after(windowMs, () -> {
          synchronized (this) {
            window = null;
          }
          flush();
        });
      }
    }
    if (flushNow) {
      flush();
    }
    return onCallersContext(done.future());
  }

  /**
   * Completes (on the caller's context) once every write of the conversation accepted so far has
   * committed or failed; with true when there were such writes (then {@link #writtenAt} has the
   * position after them, if they committed).
   */
  Future<Boolean> saved(String conversation) {
    Future<Void> last;
    synchronized (this) {
      last = lastWriteOf.get(conversation);
    }
    if (last == null) {
      return Future.succeededFuture(false);
    }
    return onCallersContext(last.transform(ar -> Future.succeededFuture(true)));
  }

  /** The batch commits on whichever event loop wrote it; its savers go on on their own. */
  private static <T> Future<T> onCallersContext(Future<T> future) {
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return future;
    }
    Promise<T> here = Promise.promise();
    future.onComplete(ar -> {
      if (Vertx.currentContext() == caller) {
        here.handle(ar);
      } else {
        caller.runOnContext(v -> here.handle(ar));
      }
    });
    return here.future();
  }

  /** Writes what waits (up to maxRows rows), if no batch is being written; the next batch follows when it ends. */
  private void flush() {
    List<Save> batch = new ArrayList<>();
    Promise<Void> written = Promise.promise();
    synchronized (this) {
      if (writing || waiting.isEmpty()) {
        return;
      }
      writing = true;
      int rows = 0;
      while (!waiting.isEmpty() && (batch.isEmpty() || rows + waiting.get(0).rows().size() <= maxRows)) {
        Save save = waiting.remove(0);
        rows += save.rows().size();
        batch.add(save);
      }
      waitingRows -= rows;
      inFlight = written.future();
      if (waiting.isEmpty() && window != null) {
        window.cancel();
        window = null;
      }
    }
    writeBatch(batch).onComplete(ar -> {
      boolean more;
      synchronized (this) {
        writing = false;
        lastWriteOf.values().removeIf(Future::isComplete);
        more = !waiting.isEmpty() && (waitingRows >= maxRows || window == null || closed);
      }
      written.complete();
      if (more) {
        flush();
      }
    });
  }

  /** Writes a batch and completes its saves; a batch refused for its data is written again save by save. */
  private Future<Void> writeBatch(List<Save> batch) {
    List<Row> rows = new ArrayList<>();
    batch.forEach(save -> rows.addAll(save.rows()));
    batchRows.record(rows.size());
    batch.forEach(save -> save.done().future().onComplete(ar -> lag.record(time.nanoTime() - save.savedNanos(),
        TimeUnit.NANOSECONDS)));
    return committed(rows).transform(ar -> {
      if (ar.succeeded()) {
        batch.forEach(save -> save.done().complete());
        return Future.succeededFuture();
      }
      if (batch.size() == 1 || !isDataError(ar.cause())) {
        batch.forEach(save -> save.done().fail(ar.cause()));
        return Future.succeededFuture();
      }
      Future<Void> each = Future.succeededFuture();
      for (Save save : batch) {
        each = each.transform(v -> committed(save.rows()).andThen(save.done())
            .transform(w -> Future.succeededFuture()));
      }
      return each;
    });
  }

  /** Writes rows in one transaction, then keeps the primary's position after the commit for their conversations. */
  private Future<Void> committed(List<Row> rows) {
    return write(rows).compose(v -> positionAfterWrite.get()).map(position -> {
      position.ifPresent(lsn -> rows.forEach(row -> positions.asMap().merge(row.conversation(), lsn, Lsn::max)));
      return null;
    });
  }

  /** Postgres refused the values (class 22: data exception, 23: integrity), not the connection. */
  private static boolean isDataError(Throwable e) {
    return e instanceof PgException pg && pg.getSqlState() != null
        && (pg.getSqlState().startsWith("22") || pg.getSqlState().startsWith("23"));
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
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.INSERT_CONVERSATIONS)
        .execute(Tuple.of(conversations, sites, visitors))
        .compose(v -> conn.preparedQuery(SqlQueries.INSERT_MESSAGES).execute(Tuple.of(ids, conversations, roles, texts)))
        .compose(v -> costed.isEmpty() ? Future.succeededFuture() : conn.preparedQuery(SqlQueries.INSERT_USAGE).execute(Tuple.of(
            costed.stream().map(Row::site).toArray(String[]::new),
            costed.stream().map(Row::conversation).toArray(String[]::new),
            costed.stream().map(Row::messageId).toArray(String[]::new),
            costed.stream().map(row -> row.usage().model()).toArray(String[]::new),
            costed.stream().map(row -> row.usage().promptTokens()).toArray(Integer[]::new),
            costed.stream().map(row -> row.usage().completionTokens()).toArray(Integer[]::new),
            costed.stream().map(Row::saved).toArray(Boolean[]::new))))
        .mapEmpty());
  }

  /** Stops taking rows and writes those that wait; completes when they are committed. */
  Future<Void> close() {
    List<Future<?>> pending = new ArrayList<>();
    synchronized (this) {
      closed = true;
      pending.add(inFlight);
      waiting.forEach(save -> pending.add(save.done().future()));
    }
    flush();
    return Future.join(pending).transform(ar -> Future.succeededFuture());
  }
}
