package dev.edgechat.embedding;

import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * Schedules the end of a batch window. Injected into {@link EmbeddingBatcher} so tests can end
 * windows by hand instead of sleeping; production uses {@link #of(Vertx)}.
 */
public interface BatchTimer {

  /**
   * Runs {@code task} once, about {@code delayMs} from now, unless cancelled first. The task may run
   * on any thread: the batcher moves to its own context.
   */
  Cancellable schedule(long delayMs, Runnable task);

  /** A scheduled task that can still be called off. */
  interface Cancellable {

    /** Calls the task off if it has not run; does nothing otherwise. */
    void cancel();
  }

  /** Vert.x timers: the task runs on the context that scheduled it. */
  static BatchTimer of(Vertx vertx) {
    Objects.requireNonNull(vertx, "vertx");
    return (delayMs, task) -> {
      long id = vertx.setTimer(Math.max(1, delayMs), fired -> task.run());
      return () -> vertx.cancelTimer(id);
    };
  }
}
