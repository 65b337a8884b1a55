package dev.edgechat.embedding;

import java.util.ArrayList;
import java.util.List;

/** A {@link BatchTimer} whose windows end only when the test says so. Thread-safe. */
final class ManualBatchTimer implements BatchTimer {

  private final List<Scheduled> scheduled = new ArrayList<>();

  @Override
  public synchronized Cancellable schedule(long delayMs, Runnable task) {
    Scheduled s = new Scheduled(delayMs, task);
    scheduled.add(s);
    return () -> {
      synchronized (ManualBatchTimer.this) {
        scheduled.remove(s);
      }
    };
  }

  /** Windows scheduled and neither ended nor cancelled. */
  synchronized int pending() {
    return scheduled.size();
  }

  /** The delay the last pending window was scheduled with. */
  synchronized long lastDelayMs() {
    return scheduled.get(scheduled.size() - 1).delayMs();
  }

  /** Ends every pending window now. */
  void fire() {
    List<Scheduled> due;
    synchronized (this) {
      due = new ArrayList<>(scheduled);
      scheduled.clear();
    }
    due.forEach(s -> s.task().run());
  }

  private record Scheduled(long delayMs, Runnable task) {
  }
}
