package dev.edgechat.limits;

import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes requests from the counters and fails open: when the counters fail or do not answer within
 * the timeout, the request is allowed, counted in {@code edgechat.limits.failopen} and, at most once a
 * minute, logged as a WARN with the number of such requests since the last one. A limit is there to
 * stop abuse, not to make the API depend on Redis: Redis down means no limit and no failure.
 * Refusals are counted in {@code edgechat.limits.refused}, tagged with the window's kind.
 */
public final class Limiter {

  private static final Logger LOG = LoggerFactory.getLogger(Limiter.class);
  private static final long WARN_EVERY_MS = 60_000;

  /** The longest the start waits for the counters to be readied. */
  private static final long WARM_UP_MS = 1000;

  private final WindowCounters counters;
  private final Scheduler time;
  private final LongSupplier timeoutMs;
  private final MeterRegistry registry;
  private final Counter failOpen;
  private final ConcurrentHashMap<String, Counter> refused = new ConcurrentHashMap<>();
  private final AtomicLong unwarned = new AtomicLong();
  private final AtomicLong lastWarnMs = new AtomicLong(Long.MIN_VALUE);

  /** @param timeoutMs read at each call: the longest wait for the counters before the request passes */
  public Limiter(WindowCounters counters, Scheduler time, LongSupplier timeoutMs, MeterRegistry registry) {
    this.counters = Objects.requireNonNull(counters);
    this.time = Objects.requireNonNull(time);
    this.timeoutMs = Objects.requireNonNull(timeoutMs);
    this.registry = Objects.requireNonNull(registry);
    this.failOpen = Counter.builder("edgechat.limits.failopen")
        .description("requests let through unlimited because the limit counters (Redis) failed or were slow")
        .register(registry);
  }

  /**
   * Readies the counters for the first request ({@link WindowCounters#warmUp()}), waiting at most a
   * second (a Redis that is down must not hold the start); never fails.
   */
  public Future<Void> warmUp() {
    return counters.warmUp().timeout(WARM_UP_MS, TimeUnit.MILLISECONDS).otherwise(e -> {
      LOG.debug("limit counters not readied: {}", e.toString());
      return null;
    });
  }

  /**
   * Takes a request from {@code windows} (all or none, {@link WindowCounters#take}). Never fails:
   * when the counters fail or are slower than the timeout, succeeds with {@link Verdict#ALLOWED}.
   * Completes on the caller's Vert.x context (or, on a timeout, on the timer's).
   */
  public Future<Verdict> take(List<Window> windows) {
    if (windows.isEmpty()) {
      return Future.succeededFuture(Verdict.ALLOWED);
    }
    Promise<Verdict> verdict = Promise.promise();
    Scheduler.Timer timer = time.after(timeoutMs.getAsLong(), () -> {
      if (!verdict.future().isComplete()) {
        failedOpen("no answer within " + timeoutMs.getAsLong() + " ms");
        verdict.tryComplete(Verdict.ALLOWED);
      }
    });
    Future<Verdict> asked;
    try {
      asked = counters.take(windows, time.clock().millis());
    } catch (RuntimeException e) {
      asked = Future.failedFuture(e);
    }
    asked.onComplete(done -> {
      timer.cancel();
      if (done.succeeded()) {
        // counted before the caller hears of it (who may read the metric next), unless the timeout answered first
        if (!done.result().allowed() && !verdict.future().isComplete()) {
          Window w = done.result().refused();
          refused.computeIfAbsent(w.kind(), kind -> Counter.builder("edgechat.limits.refused")
              .description("requests refused 429 over an abuse limit, by the limit's kind").tag("kind", kind)
              .register(registry)).increment();
        }
        verdict.tryComplete(done.result());
      } else if (!verdict.future().isComplete()) {
        failedOpen(String.valueOf(done.cause()));
        verdict.tryComplete(Verdict.ALLOWED);
      }
    });
    return verdict.future();
  }

  private void failedOpen(String reason) {
    failOpen.increment();
    long count = unwarned.incrementAndGet();
    long now = time.nanoTime() / 1_000_000;
    long last = lastWarnMs.get();
    if ((last == Long.MIN_VALUE || now - last >= WARN_EVERY_MS) && lastWarnMs.compareAndSet(last, now)) {
      unwarned.addAndGet(-count);
      LOG.warn("limit counters unreachable, requests pass unlimited [requests: {}, reason: {}]", count, reason);
    }
  }
}
