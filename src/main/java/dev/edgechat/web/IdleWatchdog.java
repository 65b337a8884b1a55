package dev.edgechat.web;

import io.vertx.core.Vertx;

/**
 * Fires once when a stream has been silent for a while. The Vert.x HTTP client's idle timeout
 * stops at the response headers, so a stream that stalls after them would hang forever; this
 * covers the body. Silence while the reader itself has paused the stream does not count.
 * Use it from one event loop only.
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
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
    this.onIdle = onIdle;
    schedule(timeoutMs);
  }

  /** Data arrived. */
  public void touch() {
    lastActivityNanos = System.nanoTime();
  }

  /** The reader paused the stream: silence is expected until {@link #resumed()}. */
  public void paused() {
    paused = true;
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
    if (paused || silentMs < timeoutMs) {
      schedule(paused ? timeoutMs : timeoutMs - silentMs);
      return;
    }
    stopped = true;
    onIdle.run();
  }
}
