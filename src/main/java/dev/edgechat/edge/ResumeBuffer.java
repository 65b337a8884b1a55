package dev.edgechat.edge;

import dev.edgechat.web.SseEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events of each streamed answer, as its visitor saw them, in the region's Redis: a list
 * {@code edgechat:events:<message>} whose element n-1 is event n. Any edge of the region can then
 * resume the stream ({@code GET /v1/chat/{message}/events}), during the answer and for
 * {@code edge.resumeTtlMs} after it.
 *
 * <p>Writes are batched per message: while one RPUSH is under way, later events wait and go in
 * the next, so a fast answer costs a few round trips, not one per token. Like the answer cache it
 * is best effort: Redis down loses resumability, never an answer.
 */
final class ResumeBuffer {

  private static final Logger LOG = LoggerFactory.getLogger(ResumeBuffer.class);
  private static final String PREFIX = "edgechat:events:";
  private static final long WRITE_TIMEOUT_MS = 2_000;

  private final RedisAPI redis;
  private final LongSupplier ttlMs;
  private final Counter errors;

  /** @param redis the region's cache Redis, or null: then streams are resumable only on the edge that served them */
  ResumeBuffer(RedisAPI redis, LongSupplier ttlMs, MeterRegistry registry) {
    this.redis = redis;
    this.ttlMs = ttlMs;
    this.errors = Counter.builder("edgechat.resume.redis.errors")
        .description("writes and reads of resumable event logs that failed in Redis").register(registry);
  }

  /** Where the events of {@code message} are written as they are sent. */
  Writer writer(String message) {
    return new Writer(PREFIX + message);
  }

  /**
   * The events after event {@code after} of {@code message}, or empty if Redis knows no such
   * stream (never was, expired, or Redis cannot be asked).
   */
  Future<Optional<List<SseEvent>>> eventsAfter(String message, long after) {
    if (redis == null) {
      return Future.succeededFuture(Optional.empty());
    }
    String key = PREFIX + message;
    return redis.exists(List.of(key)).compose(exists -> exists.toInteger() == 0
            ? Future.succeededFuture(Optional.<List<SseEvent>>empty())
            : redis.lrange(key, Long.toString(after), "-1").map(range -> Optional.of(decode(range))))
        .timeout(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .otherwise(e -> {
          errors.increment();
          LOG.debug("resumable events could not be read [message: {}, reason: {}]", message, e.toString());
          return Optional.empty();
        });
  }

  private static List<SseEvent> decode(Response range) {
    List<SseEvent> events = new ArrayList<>(range.size());
    for (Response element : range) {
      JsonObject json = new JsonObject(element.toString());
      events.add(SseEvent.of(json.getString("event"), json.getJsonObject("data")));
    }
    return events;
  }

  /** Appends one message's events in order, a batch at a time. Runs on one context. */
  final class Writer {

    private final String key;
    private final List<String> pending = new ArrayList<>();
    private boolean started;
    private boolean writing;
    private boolean broken;

    private Writer(String key) {
      this.key = key;
    }

    /**
     * Writes what was appended so far, and from now on each event as it comes. Until then events
     * only wait: the stream may turn out not to be worth writing ({@link #discard()}).
     */
    void start() {
      started = true;
      flush();
    }

    /** Writes nothing for this stream. */
    void discard() {
      broken = true;
      pending.clear();
    }

    void append(SseEvent event) {
      if (redis == null || broken) {
        return;
      }
      // the data is JSON already: embed it as it is rather than parse and encode it again
      pending.add("{\"event\":" + Json.encode(event.event()) + ",\"data\":" + event.data() + "}");
      flush();
    }

    private void flush() {
      if (!started || writing || pending.isEmpty()) {
        return;
      }
      List<String> batch = new ArrayList<>(pending.size() + 1);
      batch.add(key);
      batch.addAll(pending);
      pending.clear();
      writing = true;
      redis.rpush(batch)
          .compose(r -> redis.pexpire(List.of(key, Long.toString(ttlMs.getAsLong()))))
          .timeout(WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .onComplete(done -> {
            writing = false;
            if (done.failed()) {
              // a gap would make a resumed stream lose events: stop writing this one, and say so
              broken = true;
              errors.increment();
              LOG.debug("resumable events not written, this stream resumes on this edge only [key: {}, reason: {}]",
                  key, done.cause().toString());
              redis.del(List.of(key));
              return;
            }
            flush();
          });
    }
  }
}
