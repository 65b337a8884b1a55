package dev.edgechat.web;

import io.vertx.core.Vertx;

/**
 * Fires once when a stream has been silent for a while. The Vert.x HTTP client's idle timeout
 * stops at the response headers, so a stream that stalls after them would hang forever; this
 * covers the body. Silence while the reader itself has paused the stream (back-pressure from a
 * slow client) is excused for one more timeout, not forever: a client that stops reading must not
 * hold an upstream connection open for good. Use it from one event loop only.
 */
public final class IdleWatchdog {

  private final Vertx vertx;
  private final long timeoutMs;
  private final Runnable onIdle;
  private long lastActivityNanos = System.nanoTime();
  private long timerId = -1;
  private boolean paused;
  private boolean stopped;

  public IdleWatchdog(Vertx vertx, long timeoutMs, Runnable onIdle) {
    this.vertx = java.util.Objects.requireNonNull(vertx);
    this.timeoutMs = timeoutMs;
    this.onIdle = java.util.Objects.requireNonNull(onIdle);
    schedule(timeoutMs);
  }

  /** Data arrived. */
  public void touch() {
    lastActivityNanos = System.nanoTime();
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
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  private void schedule(long delayMs) {
    timerId = vertx.setTimer(Math.max(1, delayMs), id -> check());
  }

  private void check() {
    timerId = -1;
    if (stopped) {
      return;
    }
    long silentMs = (System.nanoTime() - lastActivityNanos) / 1_000_000;
    long allowedMs = paused ? 2 * timeoutMs : timeoutMs;
    if (silentMs < allowedMs) {
      schedule(allowedMs - silentMs);
      return;
    }
    stopped = true;
    onIdle.run();
  }
}
