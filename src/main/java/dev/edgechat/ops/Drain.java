package dev.edgechat.ops;

import dev.edgechat.web.ApiError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The drain of one process, begun when it is told to stop (SIGTERM, SIGINT, a failed start): from
 * {@link #begin()} on, {@code /readyz} answers {@code 503 draining} at once, the routes that start
 * a stream refuse new ones ({@link #refuseNewStreams}), and the streams under way have until the
 * deadline, {@code http.drainTimeoutMs} after the beginning, to finish. Thread-safe; one per process.
 *
 * <p>Design note: a new stream is refused with an answer, {@code 503 overloaded} with
 * {@code Retry-After} and {@code Connection: close}, while the port stays open; it is not refused
 * by closing the port. The port stays open because the streams under way and {@code /readyz} need
 * it: the health checks of a load balancer (Fly's checks, a Kubernetes readiness probe) take the
 * process out of rotation on the 503, which a closed port would turn into a timeout or an error
 * counted against the check's grace. And a request that reaches a closing process mostly comes on a
 * connection the balancer already holds (Fly's proxy and nginx keep connections to their
 * upstreams), which a closed port cannot refuse: the process could only drop it after the request
 * went out, and a balancer cannot know whether a dropped POST was served, so it does not retry it.
 * A 503 with {@code Retry-After} says the request was not acted on: it is safe to send again,
 * elsewhere; {@code Connection: close} makes the balancer's next attempt a new connection, which
 * goes to a ready instance. On Fly ({@code edge.flyReplay}) the refusal also carries
 * {@code fly-replay: elsewhere=true}, so Fly's proxy itself replays the request on another machine
 * and the visitor never sees the 503 (chat bodies are far below Fly's 1 MB replay limit). The
 * port closes when the drain is over: the streams ended, or the deadline passed.
 */
public final class Drain {

  /** Seconds after which a refused stream may be asked again: another instance is ready at once. */
  static final long RETRY_AFTER_SECONDS = 1;
  private static final long NOT_BEGUN = Long.MIN_VALUE;

  private final long drainMs;
  private final boolean flyReplay;
  private final LongSupplier nanoTime;
  private final AtomicLong deadlineNanos = new AtomicLong(NOT_BEGUN);

  /**
   * @param drainMs how long the streams under way may take to finish (http.drainTimeoutMs)
   * @param flyReplay whether refusals ask Fly's proxy to replay the request elsewhere (edge.flyReplay)
   */
  public Drain(long drainMs, boolean flyReplay) {
    this(drainMs, flyReplay, System::nanoTime);
  }

  Drain(long drainMs, boolean flyReplay, LongSupplier nanoTime) {
    if (drainMs < 0) {
      throw new IllegalArgumentException("drainMs must be >= 0, was " + drainMs);
    }
    this.drainMs = drainMs;
    this.flyReplay = flyReplay;
    this.nanoTime = nanoTime;
  }

  /** Begins the drain, from any thread; returns false when it had begun already. */
  public boolean begin() {
    return deadlineNanos.compareAndSet(NOT_BEGUN, nanoTime.getAsLong() + TimeUnit.MILLISECONDS.toNanos(drainMs));
  }

  /** Whether the drain has begun. */
  public boolean draining() {
    return deadlineNanos.get() != NOT_BEGUN;
  }

  /** How long the drain may still take: all of {@code drainMs} before it began, 0 once its deadline passed. */
  public long remainingMs() {
    long deadline = deadlineNanos.get();
    if (deadline == NOT_BEGUN) {
      return drainMs;
    }
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - nanoTime.getAsLong()));
  }

  /**
   * A handler for the routes that start a stream ({@code router.post(path).handler(drain::refuseNewStreams)},
   * before the route's own handlers): passes the request on while the process serves; while it
   * drains, answers {@code 503 overloaded} with {@code Retry-After}, closes the connection after
   * the answer, and on Fly asks its proxy to replay the request on another machine.
   */
  public void refuseNewStreams(RoutingContext ctx) {
    if (!draining()) {
      ctx.next();
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    if (flyReplay) {
      ctx.response().putHeader("fly-replay", "elsewhere=true");
    }
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.addEndHandler(ended -> ctx.request().connection().close());
    }
    ctx.fail(ApiError.overloaded("this server is shutting down and takes no new answers; ask again",
        RETRY_AFTER_SECONDS));
  }
}
