package dev.edgechat.jobs;

import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jobs written to Postgres with the write they are about, then handed to the {@link JobQueue}: a
 * transactional outbox (issue 17, defect 6).
 *
 * <p><b>Why.</b> The admin API stores documents in Postgres and enqueues their job in the queue
 * Redis. With Redis down the documents were stored but the call failed (502), so the client tried
 * again and made duplicates, and the documents waited minutes for the {@code DocumentSweeper}. Now
 * the job is {@link #stage staged} in the write's own transaction, under an id fixed there, and the
 * call answers 202 once it commits; the job is {@link #handOver handed over} to the queue right
 * after, and when the queue Redis does not answer the row stays for the relay.
 *
 * <p><b>The relay.</b> Every {@code pollMs} each process that runs one claims the rows that are due
 * (one {@code UPDATE … FOR UPDATE SKIP LOCKED} that also moves them {@code pollMs} on, so two origins
 * never hand over the same row at once and no transaction stays open while Redis is asked), enqueues
 * them in order under their own ids, and deletes those now on the queue. It stops at the first one
 * the queue refuses: Redis is still down, the rest wait for the next look. So a job waits at most about
 * two periods after the queue Redis answers again. A freshly staged row is due only {@code pollMs}
 * later, leaving its hand-over to the call that staged it.
 *
 * <p><b>At least once, never twice at a time.</b> A job is enqueued under the id it was staged with,
 * and the queue makes one job of an id it still keeps ({@link JobQueue#enqueue(String, JsonObject,
 * String)}): handed over twice (the caller and a relay, or a relay whose delete failed), it is one
 * job. Only once the job's record has left the queue (its retention) could a late second hand-over
 * run it again, which the queue's handlers allow (they are idempotent).
 *
 * <p>Written by hand: the outbox is a table and three statements around the queue's own enqueue;
 * Debezium-style relays read the WAL through a connector this project does not run.
 */
public final class JobOutbox implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JobOutbox.class);
  /** Rows one look hands over at most; a full batch is followed by another look at once. */
  private static final int BATCH = 100;

  /** A job to stage: its id is fixed before the write, so the write's answer can name it. */
  public record Staged(String id, String type, JsonObject payload) {

    public Staged {
      Objects.requireNonNull(id);
      Objects.requireNonNull(type);
      Objects.requireNonNull(payload);
    }

    /** A job of {@code type} under a new random id. */
    public static Staged of(String type, JsonObject payload) {
      return new Staged(Ids.next(), type, payload);
    }
  }

  private final Pool writer;
  private final JobQueue queue;
  private final Scheduler scheduler;
  private final long pollMs;
  private Scheduler.Timer timer;
  private final AtomicBoolean relaying = new AtomicBoolean();
  private volatile boolean queueDown;
  private volatile boolean closed;

  /**
   * @param writer the primary's pool, where the outbox table is
   * @param pollMs how often the relay looks for due jobs, and how long a claimed or fresh row waits
   *     before a relay may take it ({@code knowledge.outboxPollMs})
   */
  public JobOutbox(Pool writer, JobQueue queue, Scheduler scheduler, long pollMs) {
    this.writer = Objects.requireNonNull(writer);
    this.queue = Objects.requireNonNull(queue);
    this.scheduler = Objects.requireNonNull(scheduler);
    if (pollMs < 1) {
      throw new IllegalArgumentException("knowledge.outboxPollMs must be positive, was " + pollMs);
    }
    this.pollMs = pollMs;
  }

  /**
   * Writes {@code job} to the outbox through {@code transaction}, the connection of the write it is
   * about: both commit or neither does. Succeeds once written; fails with the database's error.
   */
  public Future<Void> stage(SqlClient transaction, Staged job) {
    return transaction.preparedQuery(SqlQueries.STAGE)
        .execute(Tuple.of(job.id(), job.type(), job.payload(), pollMs))
        .mapEmpty();
  }

  /**
   * Hands a staged job, whose write has committed, to the queue now, waiting for the queue Redis
   * at most {@link JobQueue#ANSWER_TIMEOUT_MS}. Succeeds with true when the job is on the queue (its
   * row is deleted), with false when the queue did not take it (the relay will); never fails.
   */
  public Future<Boolean> handOver(Staged job) {
    return queue.enqueue(job.type(), job.payload(), job.id())
        .timeout(JobQueue.ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .compose(enqueued -> remove(List.of(job.id())).map(true)
            // on the queue: a row left behind is handed over again, which makes no second job
            .otherwise(true))
        .otherwise(e -> {
          LOG.debug("job left in the outbox for the relay [id: {}, type: {}, reason: {}]", job.id(), job.type(),
              e.toString());
          return false;
        });
  }

  /**
   * The job {@code id} while it waits in the outbox, shown as the queue shows a waiting job; empty
   * when it is not there (on the queue already, or never staged). Fails with the database's error.
   */
  public Future<Optional<Job>> find(String id) {
    return writer.preparedQuery(SqlQueries.FIND).execute(Tuple.of(id)).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      var created = row.getOffsetDateTime("created_at").toInstant();
      return Optional.of(new Job(row.getString("job_id"), row.getString("type"), JobState.WAITING, 0,
          row.getJsonObject("payload"), null, null, created, created));
    });
  }

  /** Starts the relay: a look every {@code pollMs} until {@link #close()}. */
  public void start() {
    timer = scheduler.every(pollMs, () -> relay().onFailure(e -> LOG.warn(
        "the job outbox could not be read; trying again [reason: {}]", e.toString())));
  }

  /**
   * One look: hands the due jobs over until the queue refuses one. Succeeds with how many are now on
   * the queue (0 when a look is under way already); fails when the outbox cannot be read.
   */
  public Future<Integer> relay() {
    if (closed || !relaying.compareAndSet(false, true)) {
      return Future.succeededFuture(0);
    }
    return relayBatches(0).eventually(() -> {
      relaying.set(false);
      return Future.succeededFuture();
    });
  }

  private Future<Integer> relayBatches(int doneSoFar) {
    return writer.preparedQuery(SqlQueries.CLAIM_DUE).execute(Tuple.of(pollMs, BATCH)).compose(rows -> {
      List<Staged> due = new ArrayList<>(rows.size());
      rows.forEach(row -> due.add(new Staged(row.getString("job_id"), row.getString("type"),
          row.getJsonObject("payload"))));
      if (due.isEmpty()) {
        return Future.succeededFuture(doneSoFar);
      }
      List<String> handed = new ArrayList<>(due.size());
      return enqueueInTurn(due, 0, handed).compose(all -> {
        Future<Void> removed = handed.isEmpty() ? Future.succeededFuture() : remove(handed);
        return removed.compose(v -> {
          int done = doneSoFar + handed.size();
          if (!handed.isEmpty()) {
            LOG.info("jobs handed from the outbox to the queue [jobs: {}]", handed.size());
          }
          return all && due.size() == BATCH && !closed ? relayBatches(done) : Future.succeededFuture(done);
        });
      });
    });
  }

  /** Enqueues {@code due} from {@code from} on, one after another; succeeds with whether all were taken. */
  private Future<Boolean> enqueueInTurn(List<Staged> due, int from, List<String> handed) {
    if (from == due.size()) {
      queueAnswers();
      return Future.succeededFuture(true);
    }
    Staged job = due.get(from);
    return queue.enqueue(job.type(), job.payload(), job.id())
        .timeout(JobQueue.ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .transform(ar -> {
          if (ar.failed()) {
            queueRefuses(due.size() - from, ar.cause());
            return Future.succeededFuture(false);
          }
          handed.add(job.id());
          return enqueueInTurn(due, from + 1, handed);
        });
  }

  private void queueRefuses(int waiting, Throwable e) {
    if (!queueDown) {
      queueDown = true;
      LOG.warn("the job queue does not take jobs; they wait in the outbox and are handed over as soon as it "
          + "answers [waiting: {}, reason: {}]", waiting, e.toString());
    }
  }

  private void queueAnswers() {
    if (queueDown) {
      queueDown = false;
      LOG.info("the job queue answers again; the outbox hands its jobs over");
    }
  }

  private Future<Void> remove(List<String> ids) {
    return writer.preparedQuery(SqlQueries.REMOVE).execute(Tuple.of(ids.toArray(String[]::new))).mapEmpty();
  }

  @Override
  public void close() {
    closed = true;
    if (timer != null) {
      timer.cancel();
    }
  }
}
