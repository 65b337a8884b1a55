package dev.edgechat.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edgechat.db.Lsn;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.ExchangeRecord;
import dev.edgechat.protocol.Limits;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saves, through origin, the exchanges this edge served from the cache or from a shared flight
 * into their visitors' conversations, in batches: while one batch is on its way, the next
 * gathers, so a burst of cache hits costs a few origin calls and transactions, not one each.
 * Called from any event loop.
 *
 * <p>A batch origin cannot take is retried once with the next; after that it is dropped and
 * counted ({@code edgechat.records.dropped}): the visitor got the answer, only its history misses it.
 *
 * <p>Until its exchanges are saved (or given up), a conversation is unsettled: whatever would ask
 * origin about it (a follow-up question, its history) waits for {@link #settled}, or origin would
 * not yet know a conversation that began with a cache hit.
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

  private final OriginClient origin;
  private final Counter dropped;
  // guarded by this
  private final List<Attempt> waiting = new ArrayList<>();
  // guarded by this: per conversation, its exchanges not yet saved or given up, and who waits for them
  private final Map<String, Unsettled> unsettled = new HashMap<>();
  // guarded by this: who waits for every exchange recorded so far to be settled
  private final List<Promise<Void>> flushWaiters = new ArrayList<>();
  private boolean sending;
  private final Cache<String, Lsn> positions = Caffeine.newBuilder().maximumSize(MAX_POSITIONS).build();

  private static final class Unsettled {
    int exchanges;
    final List<Promise<Void>> waiters = new ArrayList<>(1);
  }

  /** An exchange to save; its JSON is made when its batch is sent, not on the request's path. */
  private record Attempt(String conversation, ExchangeRecord record, int tries) {
  }

  ConversationRecorder(OriginClient origin, MeterRegistry registry) {
    this.origin = Objects.requireNonNull(origin);
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
        released = finished(waiting.remove(0));
        dropped.increment();
      }
      waiting.add(new Attempt(request.conversation(), new ExchangeRecord(request, answer, savedInput, savedOutput), 0));
      unsettled.computeIfAbsent(request.conversation(), c -> new Unsettled()).exchanges++;
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
   * Completes once every exchange recorded so far is saved or given up (a batch origin refused
   * twice is dropped and counted): at once when none waits. A stop waits for it before origin's
   * pools close, so the exchanges served under way are not lost with the process. Never fails.
   */
  Future<Void> flush() {
    synchronized (this) {
      if (waiting.isEmpty() && !sending) {
        return Future.succeededFuture();
      }
      Promise<Void> promise = Promise.promise();
      flushWaiters.add(promise);
      return promise.future();
    }
  }

  /** Counts {@code attempt} done; returns the waiters its conversation releases. Called holding the lock. */
  private List<Promise<Void>> finished(Attempt attempt) {
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
        int size = Math.min(waiting.size(), Limits.MAX_RECORDS);
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
      synchronized (this) {
        for (Attempt attempt : batch) {
          if (saved.failed() && attempt.tries() == 0) {
            again.add(new Attempt(attempt.conversation(), attempt.record(), 1));
          } else {
            released.addAll(finished(attempt));
          }
        }
        waiting.addAll(0, again);
        sending = false;
      }
      if (saved.succeeded()) {
        // before their waiters go on: a read that waited for them carries this position
        saved.result().position().ifPresent(lsn -> batch.forEach(attempt -> wrote(attempt.conversation(), lsn)));
      }
      if (saved.failed()) {
        dropped.increment(batch.size() - again.size());
        LOG.warn("exchanges not recorded in their conversations [count: {}, retried: {}, reason: {}]", batch.size(),
            again.size(), saved.cause().getMessage());
      }
      released.forEach(Promise::tryComplete);
      sendNext();
    });
  }
}
