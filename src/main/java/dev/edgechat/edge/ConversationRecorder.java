package dev.edgechat.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edgechat.db.Lsn;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.ExchangeRecord;
import dev.edgechat.protocol.Limits;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves, through origin, the exchanges this edge served from the cache or from a shared flight
 * into their visitors' conversations, in batches: while one batch is on its way, the next
 * gathers, so a burst of cache hits costs a few origin calls and transactions, not one each.
 * Called from any event loop.
 *
 * <p>A batch origin cannot take for now (unreachable, 5xx, 429, a timeout) is tried again, first in
 * line, after a pause that doubles from {@value #FIRST_PAUSE_MS} ms to {@value #LONGEST_PAUSE_MS} ms:
 * an origin restart or outage costs no exchange while at most {@value #MAX_WAITING} wait (beyond that
 * the oldest give way) and for up to {@value #RETRY_FOR_MS} ms of failing tries each. After
 * {@value #ISOLATE_AFTER} failures in a row the oldest exchange goes alone, so that one origin cannot
 * save (its content) holds up the others only until it is given up. A batch origin refuses as such
 * (another 4xx) is given up at once, and while the process stops an exchange that failed before and
 * fails again; every exchange given up is counted ({@code edgechat.records.dropped}): the visitor
 * got the answer, only its history misses it.
 *
 * <p>Until its exchanges are saved (or given up), a conversation is unsettled: whatever would ask
 * origin about it (a follow-up question, its history) waits for {@link #settled}, or origin would
 * not yet know a conversation that began with a cache hit. An exchange's first failed attempt
 * settles it too (it goes on being tried), and one recorded while origin is failing is settled at
 * once: a follow-up does not wait out an origin outage (origin then answers it without the
 * exchanges still waiting, or not at all for a conversation it does not know yet).
 *
 * <p>It also keeps, per conversation, the latest WAL position origin said it wrote it at (a
 * records batch's, an answer's {@code done}; {@link dev.edgechat.protocol.ReadAfter}), which the
 * edge sends with its next read of the conversation, so that read sees those writes even from a
 * replica or through another origin.
 */
final class ConversationRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(ConversationRecorder.class);
  /** Exchanges kept waiting at most while origin is down; beyond that the oldest are dropped. */
  private static final int MAX_WAITING = 10_000;
  /**
   * Conversations whose last write position is kept; one forgotten was written long enough ago for
   * any replica in rotation to have it.
   */
  private static final int MAX_POSITIONS = 100_000;
  static final long FIRST_PAUSE_MS = 100;
  static final long LONGEST_PAUSE_MS = 5_000;
  static final int ISOLATE_AFTER = 3;
  static final long RETRY_FOR_MS = 600_000;

  private final OriginClient origin;
  private final Scheduler time;
  private final Counter dropped;
  // guarded by this
  private final List<Attempt> waiting = new ArrayList<>();
  // guarded by this: per conversation, its exchanges not yet saved or given up, and who waits for them
  private final Map<String, Unsettled> unsettled = new HashMap<>();
  // guarded by this: who waits for every exchange recorded so far to be settled
  private final List<Promise<Void>> flushWaiters = new ArrayList<>();
  private boolean sending;
  // guarded by this: batches that failed in a row, for the pause before the next try, and that pause
  private int failures;
  private Scheduler.Timer pause;
  private final Cache<String, Lsn> positions = Caffeine.newBuilder().maximumSize(MAX_POSITIONS).build();

  private static final class Unsettled {
    int exchanges;
    final List<Promise<Void>> waiters = new ArrayList<>(1);
  }

  /**
   * An exchange to save; its JSON is made when its batch is sent, not on the request's path.
   * {@code tries}: attempts that failed so far; {@code settled}: its conversation no longer waits
   * for it; {@code firstFailedNanos}: when its first try failed ({@link Scheduler#nanoTime}).
   */
  private record Attempt(String conversation, ExchangeRecord record, int tries, boolean settled,
      long firstFailedNanos) {

    Attempt failedAgain(long now) {
      return new Attempt(conversation, record, tries + 1, true, tries == 0 ? now : firstFailedNanos);
    }
  }

  /** @param time the pauses between tries of a batch origin could not take */
  ConversationRecorder(OriginClient origin, MeterRegistry registry, Scheduler time) {
    this.origin = Objects.requireNonNull(origin);
    this.time = Objects.requireNonNull(time);
    this.dropped = Counter.builder("edgechat.records.dropped")
        .description("exchanges served from cache that could not be saved in their conversations").register(registry);
  }

  /** Saves {@code answer} to {@code request} in the visitor's conversation, soon. */
  void record(AnswerRequest request, String answer) {
    record(request, answer, 0, 0);
  }

  /**
   * Saves {@code answer} to {@code request} in the visitor's conversation, soon, with the input and
   * output tokens serving it spared (0 when unknown), for origin's usage report.
   */
  void record(AnswerRequest request, String answer, long savedInput, long savedOutput) {
    List<Promise<Void>> released = List.of();
    synchronized (this) {
      if (waiting.size() >= MAX_WAITING) {
        released = settle(waiting.remove(0));
        dropped.increment();
      }
      // while origin is failing, a new exchange's conversation does not wait for it (class comment)
      boolean settledNow = failures > 0;
      waiting.add(new Attempt(request.conversation(), new ExchangeRecord(request, answer, savedInput, savedOutput), 0,
          settledNow, 0));
      if (!settledNow) {
        unsettled.computeIfAbsent(request.conversation(), c -> new Unsettled()).exchanges++;
      }
    }
    released.forEach(Promise::tryComplete);
    sendNext();
  }

  /** Origin wrote to {@code conversation} at {@code position} (an answer's {@code done} said so). */
  void wrote(String conversation, Lsn position) {
    positions.asMap().merge(conversation, position, Lsn::max);
  }

  /**
   * The latest WAL position origin said it wrote {@code conversation} at, while it is kept; the
   * conversation's next read from origin must see it.
   */
  Optional<Lsn> position(String conversation) {
    return Optional.ofNullable(positions.getIfPresent(conversation));
  }

  /**
   * Completes once every exchange of {@code conversation} recorded so far is saved or given up:
   * at once when there is none. Never fails.
   */
  Future<Void> settled(String conversation) {
    synchronized (this) {
      Unsettled pending = unsettled.get(conversation);
      if (pending == null) {
        return Future.succeededFuture();
      }
      Promise<Void> promise = Promise.promise();
      pending.waiters.add(promise);
      return promise.future();
    }
  }

  /**
   * Completes once every exchange recorded so far is saved or given up (once it is called, an
   * exchange that failed before and fails again is dropped and counted): at once when none waits.
   * A stop waits for it before origin's pools close, so the exchanges served under way are not
   * lost with the process. Never fails.
   */
  Future<Void> flush() {
    Promise<Void> promise = Promise.promise();
    Scheduler.Timer paused;
    synchronized (this) {
      if (waiting.isEmpty() && !sending) {
        return Future.succeededFuture();
      }
      flushWaiters.add(promise);
      paused = pause;
    }
    if (paused != null) {
      // a stop does not wait out the pause after a failure: one more try now, and what fails again is given up
      paused.cancel();
      resume();
    }
    return promise.future();
  }

  /**
   * Counts {@code attempt} settled, unless it was before; returns the waiters its conversation
   * releases. Called holding the lock.
   */
  private List<Promise<Void>> settle(Attempt attempt) {
    if (attempt.settled()) {
      return List.of();
    }
    Unsettled pending = unsettled.get(attempt.conversation());
    if (pending == null || --pending.exchanges > 0) {
      return List.of();
    }
    unsettled.remove(attempt.conversation());
    return pending.waiters;
  }

  private void sendNext() {
    List<Attempt> batch;
    List<Promise<Void>> flushed = List.of();
    synchronized (this) {
      if (sending) {
        return;
      }
      if (waiting.isEmpty()) {
        batch = null;
        flushed = List.copyOf(flushWaiters);
        flushWaiters.clear();
      } else {
        int size = failures >= ISOLATE_AFTER ? 1 : Math.min(waiting.size(), Limits.MAX_RECORDS);
        batch = new ArrayList<>(waiting.subList(0, size));
        waiting.subList(0, size).clear();
        sending = true;
      }
    }
    if (batch == null) {
      flushed.forEach(Promise::tryComplete);
      return;
    }
    List<JsonObject> records = new ArrayList<>(batch.size());
    batch.forEach(attempt -> records.add(attempt.record().toJson()));
    origin.record(records).onComplete(saved -> {
      List<Promise<Void>> released = new ArrayList<>();
      List<Attempt> again = new ArrayList<>();
      int givenUp = 0;
      long pauseMs = 0;
      synchronized (this) {
        long now = time.nanoTime();
        boolean refused = saved.failed() && refused(saved.cause());
        boolean stopping = !flushWaiters.isEmpty();
        for (Attempt attempt : batch) {
          released.addAll(settle(attempt));
          if (saved.failed()) {
            Attempt next = attempt.failedAgain(now);
            if (refused || stopping && attempt.tries() > 0
                || now - next.firstFailedNanos() >= TimeUnit.MILLISECONDS.toNanos(RETRY_FOR_MS)) {
              givenUp++;
            } else {
              again.add(next);
            }
          }
        }
        // first in line again, in their order: those waiting are saved in the order they were served
        waiting.addAll(0, again);
        while (waiting.size() > MAX_WAITING) {
          released.addAll(settle(waiting.remove(0)));
          givenUp++;
        }
        failures = saved.succeeded() || refused ? 0 : failures + 1;
        // a stop does not pause: what failed is tried once more at once, and given up if it fails again
        pauseMs = again.isEmpty() || stopping ? 0
            : Math.min(LONGEST_PAUSE_MS, FIRST_PAUSE_MS << Math.min(failures - 1, 16));
        sending = pauseMs > 0;
        if (pauseMs > 0) {
          // set before any waiter runs: a flush from one of them finds the pause and cuts it short
          pause = time.after(pauseMs, this::resume);
        }
      }
      if (saved.succeeded()) {
        // before their waiters go on: a read that waited for them carries this position
        saved.result().position().ifPresent(lsn -> batch.forEach(attempt -> wrote(attempt.conversation(), lsn)));
      } else {
        dropped.increment(givenUp);
        if (givenUp > 0 || failures == 1) {
          LOG.warn("exchanges not recorded in their conversations yet [count: {}, given up: {}, next try in ms: {}, "
              + "reason: {}]", batch.size(), givenUp, pauseMs, saved.cause().getMessage());
        }
      }
      released.forEach(Promise::tryComplete);
      if (pauseMs == 0) {
        sendNext();
      }
    });
  }

  /** Ends the pause after a failed batch: the next (or the same) goes now. */
  private void resume() {
    synchronized (this) {
      if (pause == null) {
        return;
      }
      pause = null;
      sending = false;
    }
    sendNext();
  }

  /** Origin refused the batch as such (a 4xx other than 408 and 429): trying it again cannot help. */
  private static boolean refused(Throwable failure) {
    return failure instanceof ApiError error && error.status() >= 400 && error.status() < 500
        && error.status() != 408 && error.status() != 429;
  }
}
