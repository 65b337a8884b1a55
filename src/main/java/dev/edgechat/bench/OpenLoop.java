package dev.edgechat.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * Open loop: arrivals at a constant rate whatever the system does, so slow answers cannot hide
 * queueing (a closed loop waits for an answer before it asks again and so asks less of a slow
 * system; see Gil Tene on coordinated omission). Arrival {@code i} is due at {@code start + i / rate};
 * a timer every millisecond starts those that are due, and each is timed from when it was due, not
 * from when it went out. After the last arrival the loop waits for the ones under way, at most
 * {@code drainMs}; those still running then are counted as unfinished.
 *
 * <p>Everything runs on one context; nothing blocks it.
 */
final class OpenLoop {

  /** What {@link #run} counted. */
  record Outcome(int started, int unfinished, long sendingNanos, long totalNanos) {
  }

  private final Context context;
  private final double ratePerSecond;
  private final int arrivals;
  private final long drainMs;
  private final BiFunction<Integer, Long, Future<?>> arrival;

  private int started;
  private int finished;
  private long startNanos;
  private long sendingNanos;
  private long timer = -1;
  private long deadline = -1;
  private final Promise<Outcome> outcome = Promise.promise();

  /**
   * @param arrival starts arrival {@code i} due at {@code nanos} ({@link System#nanoTime()});
   *     its future ends when the visit is over, however it went
   */
  private OpenLoop(Context context, double ratePerSecond, int arrivals, long drainMs,
      BiFunction<Integer, Long, Future<?>> arrival) {
    this.context = Objects.requireNonNull(context);
    this.ratePerSecond = ratePerSecond;
    this.arrivals = arrivals;
    this.drainMs = drainMs;
    this.arrival = Objects.requireNonNull(arrival);
  }

  /**
   * Runs {@code ratePerSecond × seconds} arrivals.
   *
   * @return succeeds once every arrival ended or the drain time passed
   */
  static Future<Outcome> run(Context context, double ratePerSecond, double seconds, long drainMs,
      BiFunction<Integer, Long, Future<?>> arrival) {
    if (!(ratePerSecond > 0) || !(seconds > 0)) {
      throw new IllegalArgumentException("rate and seconds must be positive, were " + ratePerSecond + ", " + seconds);
    }
    int arrivals = Math.max(1, (int) Math.round(ratePerSecond * seconds));
    OpenLoop loop = new OpenLoop(context, ratePerSecond, arrivals, drainMs, arrival);
    context.runOnContext(v -> loop.begin());
    return loop.outcome.future();
  }

  private void begin() {
    startNanos = System.nanoTime();
    tick();
    if (started < arrivals) {
      timer = context.owner().setPeriodic(1, id -> tick());
    }
  }

  private void tick() {
    long now = System.nanoTime();
    long due = Math.min(arrivals, (long) Math.floor((now - startNanos) * ratePerSecond / 1e9) + 1);
    while (started < due) {
      int sequence = started++;
      long dueNanos = startNanos + (long) (sequence * 1e9 / ratePerSecond);
      Future<?> visit;
      try {
        visit = arrival.apply(sequence, dueNanos);
      } catch (RuntimeException e) {
        visit = Future.failedFuture(e);
      }
      visit.onComplete(r -> context.runOnContext(v -> onFinished()));
    }
    if (started == arrivals && deadline < 0) {
      sendingNanos = System.nanoTime() - startNanos;
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
      }
      deadline = context.owner().setTimer(Math.max(1, drainMs), id -> end());
      if (finished == arrivals) {
        end();
      }
    }
  }

  private void onFinished() {
    finished++;
    if (finished == arrivals && deadline >= 0) {
      end();
    }
  }

  private void end() {
    if (outcome.future().isComplete()) {
      return;
    }
    context.owner().cancelTimer(deadline);
    outcome.complete(new Outcome(started, started - finished, sendingNanos, System.nanoTime() - startNanos));
  }
}
