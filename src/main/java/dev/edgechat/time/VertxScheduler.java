package dev.edgechat.time;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Objects;

/** The production scheduler: Vert.x timers, the system wall clock and {@link System#nanoTime()}. */
final class VertxScheduler implements Scheduler {

  private final Vertx vertx;
  private final Clock clock;

  VertxScheduler(Vertx vertx, Clock clock) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Timer after(long delayMs, Runnable task) {
    Objects.requireNonNull(task, "task");
    long id = vertx.setTimer(Math.max(1, delayMs), fired -> task.run());
    return () -> vertx.cancelTimer(id);
  }

  @Override
  public Timer every(long periodMs, Runnable task) {
    Objects.requireNonNull(task, "task");
    long id = vertx.setPeriodic(Math.max(1, periodMs), fired -> task.run());
    return () -> vertx.cancelTimer(id);
  }
}
