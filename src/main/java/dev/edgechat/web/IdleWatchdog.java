package dev.edgechat.web;

import dev.edgechat.time.Scheduler;
import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * Fires once when a stream has been silent for a while. The Vert.x HTTP client's idle timeout
 * stops at the response headers, so a stream that stalls after them would hang forever; this
 * covers the body. Silence while the reader itself has paused the stream (back-pressure from a
 * slow client) is excused for one more timeout, not forever: a client that stops reading must not
 * hold an upstream connection open for good. Silence is measured by an injected {@link Scheduler}.
 * Use it from one event loop only.
 */
public final class IdleWatchdog {

  private final Scheduler time;
  private final long timeoutMs;
  private final Runnable onIdle;
  private long lastActivityNanos;
  private Scheduler.Timer timer;
  private boolean paused;
  private boolean stopped;

  /** A watchdog on {@code vertx}'s timers and the system clock. */
  public IdleWatchdog(Vertx vertx, long timeoutMs, Runnable onIdle) {
    this(Scheduler.of(vertx), timeoutMs, onIdle);
  }

  /** A watchdog whose silence is measured by {@code time}. */
  public IdleWatchdog(Scheduler time, long timeoutMs, Runnable onIdle) {
    this.time = Objects.requireNonNull(time);
    this.timeoutMs = timeoutMs;
    this.onIdle = Objects.requireNonNull(onIdle);
    this.lastActivityNanos = time.nanoTime();
    schedule(timeoutMs);
  }

  /** Data arrived. */
  public void touch() {
    lastActivityNanos = time.nanoTime();
  }

  /** The reader paused the stream: silence is expected until {@link #resumed()}. */
  public void paused() {
    paused = true;
    touch();
  }

  public void resumed() {
    paused = false;
    touch();
  }

  /** The stream ended: never fire. */
  public void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void schedule(long delayMs) {
    timer = time.after(Math.max(1, delayMs), this::check);
  }

  private void check() {
    timer = null;
    if (stopped) {
      return;
    }
    long silentMs = (time.nanoTime() - lastActivityNanos) / 1_000_000;
    long allowedMs = paused ? 2 * timeoutMs : timeoutMs;
    if (silentMs < allowedMs) {
      schedule(allowedMs - silentMs);
      return;
    }
    stopped = true;
    onIdle.run();
  }
}
