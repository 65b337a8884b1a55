package dev.edgechat.web;

import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * "The client left": armed when a request arrives, so work started for it at any stage (a
 * lookup, an upstream request still waiting for its headers, a stream) can register how to stop.
 * Use it from the request's event loop only.
 */
public final class Cancellation {

  private final List<Runnable> actions = new ArrayList<>(2);
  private boolean cancelled;

  /**
   * Cancelled when the client leaves before its response ended (the connection closed, or the
   * response failed). Registered with {@link RoutingContext#addEndHandler}, not the response's own
   * {@code closeHandler}, which has one slot: setting it would silence the router's end handlers,
   * such as the count of exchanges a drain waits for.
   */
  public static Cancellation whenClientLeaves(RoutingContext ctx) {
    Cancellation gone = new Cancellation();
    ctx.addEndHandler(ended -> {
      if (ended.failed()) {
        gone.cancel();
      }
    });
    return gone;
  }

  public boolean isCancelled() {
    return cancelled;
  }

  /** Runs {@code action} on cancellation, or at once if it has happened already. */
  public void onCancel(Runnable action) {
    if (cancelled) {
      action.run();
    } else {
      actions.add(action);
    }
  }

  public void cancel() {
    if (!cancelled) {
      cancelled = true;
      List<Runnable> toRun = List.copyOf(actions);
      actions.clear();
      toRun.forEach(Runnable::run);
    }
  }
}
