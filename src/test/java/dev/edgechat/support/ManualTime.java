package dev.edgechat.support;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.edgechat.time.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Scheduler} whose time stands still until the test moves it with {@link #advance}: the
 * timers due by then fire in due order (each on the context it was set on, as Vert.x timers do),
 * and the clocks read the new time. Nothing ever waits for real time to pass. Thread-safe; one
 * {@link #advance} at a time.
 */
public final class ManualTime implements Scheduler {

  /** Where a fresh one starts: an arbitrary, fixed instant, so runs are alike. */
  public static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

  private final long startMillis;
  private final List<Pending> pending = new ArrayList<>();
  private long nowNanos;
  private long sequence;
  private long lastDelayMs = -1;

  public ManualTime() {
    this(START);
  }

  public ManualTime(Instant start) {
    this.startMillis = start.toEpochMilli();
  }

  @Override
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a manual clock stays in UTC");
      }

      @Override
      public long millis() {
        return startMillis + TimeUnit.NANOSECONDS.toMillis(nanoTime());
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(millis());
      }
    };
  }

  /** This time as Caffeine's clock. */
  public Ticker ticker() {
    return this::nanoTime;
  }

  @Override
  public synchronized long nanoTime() {
    return nowNanos;
  }

  /** The wall clock's reading now, in epoch milliseconds. */
  public long millis() {
    return clock().millis();
  }

  @Override
  public Timer after(long delayMs, Runnable task) {
    return add(delayMs, 0, task);
  }

  @Override
  public Timer every(long periodMs, Runnable task) {
    return add(periodMs, Math.max(1, periodMs), task);
  }

  private synchronized Timer add(long delayMs, long periodMs, Runnable task) {
    Objects.requireNonNull(task, "task");
    lastDelayMs = delayMs;
    Pending timer = new Pending(nowNanos + TimeUnit.MILLISECONDS.toNanos(Math.max(1, delayMs)), sequence++,
        TimeUnit.MILLISECONDS.toNanos(periodMs), task, Vertx.currentContext());
    pending.add(timer);
    return () -> {
      synchronized (ManualTime.this) {
        timer.cancelled = true;
        pending.remove(timer);
      }
    };
  }

  /** A future that completes {@code delayMs} from now, as {@code vertx.timer(delayMs)} does in real time. */
  public Future<Void> timer(long delayMs) {
    Promise<Void> fired = Promise.promise();
    after(delayMs, fired::complete);
    return fired.future();
  }

  /** Timers set and neither fired (for a one-off) nor cancelled. */
  public synchronized int pending() {
    return pending.size();
  }

  /** The delay or period the latest timer was set with; -1 before the first. */
  public synchronized long lastDelayMs() {
    return lastDelayMs;
  }

  /**
   * Moves time on by {@code by}, firing every timer that falls due on the way, in due order, at its
   * due time (a periodic timer as often as it falls due; a timer set by a firing task fires too if it
   * falls due in time). Completes once the last of them has run.
   */
  public Future<Void> advance(Duration by) {
    long target;
    synchronized (this) {
      target = nowNanos + by.toNanos();
    }
    return fireUntil(target);
  }

  /** {@link #advance(Duration)} by milliseconds. */
  public Future<Void> advanceMs(long ms) {
    return advance(Duration.ofMillis(ms));
  }

  private Future<Void> fireUntil(long targetNanos) {
    Pending next;
    synchronized (this) {
      next = pending.stream()
          .filter(p -> p.dueNanos <= targetNanos)
          .min(Comparator.comparingLong((Pending p) -> p.dueNanos).thenComparingLong(p -> p.sequence))
          .orElse(null);
      if (next == null) {
        nowNanos = Math.max(nowNanos, targetNanos);
        return Future.succeededFuture();
      }
      nowNanos = Math.max(nowNanos, next.dueNanos);
      pending.remove(next);
      if (next.periodNanos > 0) {
        next.dueNanos += next.periodNanos;
        next.sequence = sequence++;
        pending.add(next);
      }
    }
    return run(next).compose(v -> fireUntil(targetNanos));
  }

  private static Future<Void> run(Pending timer) {
    if (timer.context == null) {
      fire(timer);
      return Future.succeededFuture();
    }
    Promise<Void> ran = Promise.promise();
    timer.context.runOnContext(v -> {
      try {
        fire(timer);
      } finally {
        ran.complete();
      }
    });
    return ran.future();
  }

  private static void fire(Pending timer) {
    if (!timer.cancelled) {
      timer.task.run();
    }
  }

  private static final class Pending {

    private long dueNanos;
    private long sequence;
    private final long periodNanos;
    private final Runnable task;
    private final Context context;
    private volatile boolean cancelled;

    Pending(long dueNanos, long sequence, long periodNanos, Runnable task, Context context) {
      this.dueNanos = dueNanos;
      this.sequence = sequence;
      this.periodNanos = periodNanos;
      this.task = task;
      this.context = context;
    }
  }
}
