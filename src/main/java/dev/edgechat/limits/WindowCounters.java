package dev.edgechat.limits;

import io.vertx.core.Future;
import java.util.List;

/** Fixed-window counters: where the abuse limits are counted. */
public interface WindowCounters {

  /**
   * Takes a request from several windows at once, atomically: when every window has room, each
   * counts its cost and the verdict is {@link Verdict#ALLOWED}; otherwise nothing is counted and
   * the verdict names the first window that refused, with the time until it frees.
   *
   * @param nowMs the wall clock (epoch milliseconds; every edge of a region agrees on it to NTP's precision)
   * @return the verdict; fails when the counters cannot be reached (the caller lets the request pass)
   */
  Future<Verdict> take(List<Window> windows, long nowMs);

  /**
   * Readies the counters for the first request (a connection, a script), so that it does not pay
   * for them within its deadline; succeeds at once where there is nothing to ready.
   */
  default Future<Void> warmUp() {
    return Future.succeededFuture();
  }
}
