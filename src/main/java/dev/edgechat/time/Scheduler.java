package dev.edgechat.time;

import io.vertx.core.Vertx;
import java.time.Clock;

/**
 * Timers and the clocks they run by. A class whose behaviour depends on time (ages, delays,
 * windows, timeouts) takes one of these instead of calling {@link System#currentTimeMillis()} or
 * {@code vertx.setTimer}, so that a test can move time by hand: the clocks and the timers of one
 * scheduler always agree, a timer set {@code delayMs} ahead fires once {@link #clock()} has moved
 * that far.
 *
 * <p>Timers follow Vert.x's rule: set on a Vert.x context, a timer's task runs on that context,
 * so state confined to a context stays confined.
 */
public interface Scheduler {

  /** The wall clock: epoch milliseconds, comparable between processes (times stored in Redis). */
  Clock clock();

  /** A monotonic clock in nanoseconds, for ages within this process; only differences mean anything. */
  long nanoTime();

  /**
   * Runs {@code task} once, {@code delayMs} from now (at least 1 ms), unless cancelled first.
   * Set on a Vert.x context, the task runs on that context; otherwise on an event loop.
   */
  Timer after(long delayMs, Runnable task);

  /**
   * Runs {@code task} every {@code periodMs} (at least 1 ms), first {@code periodMs} from now, until
   * cancelled; on the context it was set on, like {@link #after}.
   */
  Timer every(long periodMs, Runnable task);

  /** A timer that can still be called off. */
  interface Timer {

    /** Calls the task off (a periodic one for good); does nothing once it has run or was cancelled. */
    void cancel();
  }

  /** The system clocks and {@code vertx}'s timers. */
  static Scheduler of(Vertx vertx) {
    return new VertxScheduler(vertx, Clock.systemUTC());
  }
}
