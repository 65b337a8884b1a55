package dev.edgechat.edge;

import dev.edgechat.origin.AnswerRequest;
import dev.edgechat.origin.OriginApi;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 */
final class ConversationRecorder {

  private static final Logger LOG = LoggerFactory.getLogger(ConversationRecorder.class);
  /** Exchanges kept waiting at most while origin is down; beyond that the oldest are dropped. */
  private static final int MAX_WAITING = 10_000;

  private final OriginClient origin;
  private final Counter dropped;
  // guarded by this
  private final List<Attempt> waiting = new ArrayList<>();
  private boolean sending;

  private record Attempt(JsonObject record, int tries) {
  }

  ConversationRecorder(OriginClient origin, MeterRegistry registry) {
    this.origin = Objects.requireNonNull(origin);
    this.dropped = Counter.builder("edgechat.records.dropped")
        .description("exchanges served from cache that could not be saved in their conversations").register(registry);
  }

  /** Saves {@code answer} to {@code request} in the visitor's conversation, soon. */
  void record(AnswerRequest request, String answer) {
    synchronized (this) {
      if (waiting.size() >= MAX_WAITING) {
        waiting.remove(0);
        dropped.increment();
      }
      waiting.add(new Attempt(request.toJson().put("answer", answer), 0));
    }
    sendNext();
  }

  private void sendNext() {
    List<Attempt> batch;
    synchronized (this) {
      if (sending || waiting.isEmpty()) {
        return;
      }
      int size = Math.min(waiting.size(), OriginApi.MAX_RECORDS);
      batch = new ArrayList<>(waiting.subList(0, size));
      waiting.subList(0, size).clear();
      sending = true;
    }
    origin.record(batch.stream().map(Attempt::record).toList()).onComplete(saved -> {
      if (saved.failed()) {
        retryOrDrop(batch, saved.cause());
      }
      synchronized (this) {
        sending = false;
      }
      sendNext();
    });
  }

  private void retryOrDrop(List<Attempt> batch, Throwable cause) {
    List<Attempt> again = new ArrayList<>();
    for (Attempt attempt : batch) {
      if (attempt.tries() == 0) {
        again.add(new Attempt(attempt.record(), 1));
      } else {
        dropped.increment();
      }
    }
    LOG.warn("exchanges not recorded in their conversations [count: {}, retried: {}, reason: {}]", batch.size(),
        again.size(), cause.getMessage());
    synchronized (this) {
      waiting.addAll(0, again);
    }
  }
}
