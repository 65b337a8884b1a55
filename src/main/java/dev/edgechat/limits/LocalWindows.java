package dev.edgechat.limits;

import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The same fixed windows as {@link RedisWindows}, kept in this process: for an edge without a
 * cache Redis (its limits are then its own, not the region's). Windows that ended are dropped as
 * new ones are made, so memory follows the clients of the last window.
 */
public final class LocalWindows implements WindowCounters {

  /** A window's count and when it ends. */
  private static final class Count {
    long value;
    final long endMs;

    Count(long endMs) {
      this.endMs = endMs;
    }
  }

  private final Map<String, Count> counts = new HashMap<>();
  private long nextSweepMs;

  @Override
  public synchronized Future<Verdict> take(List<Window> windows, long nowMs) {
    sweep(nowMs);
    for (Window w : windows) {
      Count count = counts.get(w.name(nowMs));
      if (w.refuses(count == null ? 0 : count.value)) {
        return Future.succeededFuture(new Verdict(w, w.end(nowMs) - nowMs));
      }
    }
    for (Window w : windows) {
      if (w.cost() > 0) {
        counts.computeIfAbsent(w.name(nowMs), k -> new Count(w.end(nowMs))).value += w.cost();
      }
    }
    return Future.succeededFuture(Verdict.ALLOWED);
  }

  /** How many windows are kept: for tests. */
  synchronized int size() {
    return counts.size();
  }

  /** At most once a second, drops the windows that ended. */
  private void sweep(long nowMs) {
    if (nowMs < nextSweepMs) {
      return;
    }
    nextSweepMs = nowMs + 1000;
    counts.values().removeIf(c -> c.endMs <= nowMs);
  }
}
