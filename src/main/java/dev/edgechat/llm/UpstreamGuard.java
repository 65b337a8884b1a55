package dev.edgechat.llm;

import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Cancellation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discipline of every call to one model upstream (a base URL), shared by the visitor chat's
 * model ({@link OpenAiChatModel}, in origin) and the gateway's upstreams ({@code gateway.Upstream},
 * in the edge): retry before the first token, a circuit breaker, and what a caller is told while
 * the breaker is open.
 *
 * <p>A call is a series of tries. A try succeeds once the upstream's first token (or chunk) has
 * arrived; until then nothing has reached the client, so a try that failed in a way that may pass
 * ({@link Failures#retryable}: 5xx, 429, silence past the first-token timeout, a broken or refused
 * connection) is tried again, up to {@link Settings#retries} times, after an exponential backoff
 * with jitter (half to all of {@code retryBackoffMs << n}). A 429 whose {@code Retry-After} is at
 * most {@link Settings#maxRetryAfterMs} is tried again no sooner than it asks; a longer one is
 * passed on at once (the client is told when to come back). A refusal for the request's own sake
 * (400, 401, 404 …) is passed on at once. Once the first token is out, the call is over: a stream
 * that fails later fails for the client, never tried again (it would repeat tokens). A client
 * that leaves stops the call at any stage: a pending pause is called off, no try starts.
 *
 * <p>Every try goes through the upstream's breaker (vertx-circuit-breaker): {@code
 * breakerMaxFailures} retryable failures in a row (within its 10 s rolling window) open it; while
 * open it refuses at once, with the time it still stays open as the {@code Retry-After}
 * ({@link #retryAfterSeconds()}), for {@code breakerResetMs}, then lets one try through (half
 * open). Refusals and a client leaving are not failures of the upstream.
 *
 * <p>Design note: the breaker is the library's; the retry loop is written here because
 * vertx-circuit-breaker's own retries ({@code setMaxRetries} with a {@code RetryPolicy}) retry
 * every failure alike, cannot stop when the client has left or wait for a 429's
 * {@code Retry-After}, and run inside one breaker call, so tries go on after the breaker opened.
 * The library does not say when its breaker opened, so the guard notes it (on its injected clock)
 * to tell how long it stays open.
 */
public final class UpstreamGuard {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamGuard.class);

  /**
   * How tries are retried and when the breaker opens.
   *
   * @param retries tries after the first, before the first token only
   * @param retryBackoffMs the pause before the first retry; it doubles with each retry, with jitter
   * @param maxRetryAfterMs the longest {@code Retry-After} of a 429 that is waited for and retried
   * @param breakerMaxFailures retryable failures in a row that open the breaker
   * @param breakerResetMs how long an open breaker refuses before it lets one try through
   */
  public record Settings(int retries, long retryBackoffMs, long maxRetryAfterMs, int breakerMaxFailures,
      long breakerResetMs) {
  }

  /** How a caller's failures read, and the failures the guard itself hands out, in the caller's API. */
  public interface Failures {

    /** Whether the same request may succeed when tried again; only such failures count for the breaker. */
    boolean retryable(Throwable failure);

    /** The pause the upstream asked for before a retry (a 429's {@code Retry-After}), in ms; 0 when none. */
    long retryAfterMs(Throwable failure);

    /** What a caller gets while the breaker is open; a retry may succeed in {@code retryAfterSeconds}. */
    Throwable breakerOpen(long retryAfterSeconds);

    /** What a caller gets when its client left before the first token. */
    Throwable clientLeft();
  }

  private final Scheduler time;
  private final String upstream;
  private final Settings settings;
  private final Failures failures;
  private final CircuitBreaker breaker;
  private final Counter retried;
  private final Counter refused;
  /** When the breaker last opened ({@link Scheduler#nanoTime}); meaningful while it is open. */
  private volatile long openedNanos;

  /**
   * @param api which caller this is ({@code chat}, {@code gateway}): the tag of its metrics
   * @param upstream the upstream's base URL, for logs and metrics
   */
  public UpstreamGuard(Vertx vertx, Scheduler time, String api, String upstream, Settings settings,
      Failures failures, MeterRegistry registry) {
    this.time = Objects.requireNonNull(time);
    this.upstream = Objects.requireNonNull(upstream);
    this.settings = Objects.requireNonNull(settings);
    this.failures = Objects.requireNonNull(failures);
    this.breaker = CircuitBreaker.create(api + "-" + upstream, Objects.requireNonNull(vertx), new CircuitBreakerOptions()
            .setMaxFailures(settings.breakerMaxFailures())
            .setResetTimeout(settings.breakerResetMs())
            .setTimeout(-1) // the tries time themselves: connect, first token
            .setNotificationAddress(null))
        .failurePolicy(result -> result.failed() && failures.retryable(result.cause()))
        .openHandler(v -> {
          openedNanos = time.nanoTime();
          transition(registry, api, upstream, "open");
          LOG.warn("upstream circuit opened [api: {}, upstream: {}, forMs: {}]", api, upstream,
              settings.breakerResetMs());
        })
        .halfOpenHandler(v -> transition(registry, api, upstream, "half_open"))
        .closeHandler(v -> {
          transition(registry, api, upstream, "closed");
          LOG.info("upstream circuit closed again [api: {}, upstream: {}]", api, upstream);
        });
    Gauge.builder("edgechat.upstream.breaker.open", breaker, b -> b.state() == CircuitBreakerState.OPEN ? 1 : 0)
        .tag("api", api).tag("upstream", upstream)
        .description("1 while the circuit breaker of a model upstream is open").register(registry);
    Gauge.builder("edgechat.upstream.breaker.state", breaker, b -> stateValue(b.state()))
        .tag("api", api).tag("upstream", upstream)
        .description("the circuit breaker of a model upstream: 0 closed, 1 half open, 2 open").register(registry);
    this.retried = Counter.builder("edgechat.upstream.retries").tag("api", api).tag("upstream", upstream)
        .description("tries of a model upstream made again after a retryable failure before the first token")
        .register(registry);
    this.refused = Counter.builder("edgechat.upstream.breaker.refused").tag("api", api).tag("upstream", upstream)
        .description("calls refused at once because the upstream's circuit breaker was open").register(registry);
  }

  /** The breaker's state as the gauge reads it: 0 closed, 1 half open (one try let through), 2 open. */
  static int stateValue(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  private static void transition(MeterRegistry registry, String api, String upstream, String to) {
    Counter.builder("edgechat.upstream.breaker.transitions").tag("api", api).tag("upstream", upstream).tag("to", to)
        .description("times the circuit breaker of a model upstream changed state, by the state it went to")
        .register(registry).increment();
  }

  /**
   * Makes {@code tryOnce} succeed, trying again as described above.
   *
   * @param tryOnce one try: succeeds once the upstream's first token has arrived; fails with the
   *     caller's failure, which {@link Failures} reads
   * @param cancelled fires when the client leaves; used on the caller's event loop only
   * @return the first try that succeeded; fails with the last try's failure, with
   *     {@link Failures#breakerOpen} while the breaker is open, or {@link Failures#clientLeft}
   */
  public <T> Future<T> call(Supplier<Future<T>> tryOnce, Cancellation cancelled) {
    return attempt(tryOnce, cancelled, 0);
  }

  private <T> Future<T> attempt(Supplier<Future<T>> tryOnce, Cancellation cancelled, int tried) {
    if (cancelled.isCancelled()) {
      return Future.failedFuture(failures.clientLeft());
    }
    return breaker.<T>execute(tryOnce).recover(e -> {
      if (e instanceof OpenCircuitException) {
        refused.increment();
        return Future.failedFuture(failures.breakerOpen(retryAfterSeconds()));
      }
      if (cancelled.isCancelled()) {
        return Future.failedFuture(failures.clientLeft());
      }
      if (!failures.retryable(e) || tried >= settings.retries()) {
        return Future.failedFuture(e);
      }
      long asked = failures.retryAfterMs(e);
      if (asked > settings.maxRetryAfterMs()) {
        return Future.failedFuture(e); // the upstream wants longer than a visitor should wait: tell the client
      }
      long delay = Math.max(backoffMs(tried), asked);
      LOG.debug("upstream try failed, trying again [upstream: {}, try: {}, delayMs: {}, reason: {}]", upstream,
          tried + 1, delay, e.getMessage());
      retried.increment();
      Promise<T> next = Promise.promise();
      Scheduler.Timer pause = time.after(Math.max(1, delay),
          () -> attempt(tryOnce, cancelled, tried + 1).onComplete(next));
      cancelled.onCancel(() -> {
        pause.cancel();
        next.tryFail(failures.clientLeft());
      });
      return next.future();
    });
  }

  /** The pause before retry {@code tried + 1}: half to all of {@code retryBackoffMs << tried}. */
  private long backoffMs(int tried) {
    long full = settings.retryBackoffMs() << Math.min(tried, 20);
    return full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1);
  }

  /**
   * While the breaker is open, the whole seconds until it lets a try through again (rounded up,
   * at least 1); 1 once it is half open, and when closed.
   */
  public long retryAfterSeconds() {
    if (breaker.state() != CircuitBreakerState.OPEN) {
      return 1;
    }
    long remainingMs = settings.breakerResetMs() - (time.nanoTime() - openedNanos) / 1_000_000;
    return Math.max(1, (remainingMs + 999) / 1000);
  }

  /** The breaker's state, for tests and readiness. */
  public CircuitBreakerState breakerState() {
    return breaker.state();
  }

  /** Stops the breaker's timers. */
  public void close() {
    breaker.close();
  }
}
