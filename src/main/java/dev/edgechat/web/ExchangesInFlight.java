package dev.edgechat.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts the exchanges under way on one server (all its instances): mounted as the router's first
 * handler, it counts a request in and counts it out when its response ends or its connection
 * closes ({@link RoutingContext#addEndHandler}, called once either way). {@link #idle()} tells a
 * drain when the streams under way are over, so the port can close without cutting one. Thread-safe:
 * the instances run on different event loops.
 */
public final class ExchangesInFlight implements Handler<RoutingContext> {

  // guarded by this
  private int count;
  private final List<Promise<Void>> waiters = new ArrayList<>();

  @Override
  public void handle(RoutingContext ctx) {
    synchronized (this) {
      count++;
    }
    ctx.addEndHandler(ended -> ended());
    ctx.next();
  }

  private void ended() {
    List<Promise<Void>> released;
    synchronized (this) {
      if (--count > 0 || waiters.isEmpty()) {
        return;
      }
      released = List.copyOf(waiters);
      waiters.clear();
    }
    released.forEach(Promise::tryComplete);
  }

  /** Exchanges under way now. */
  public synchronized int count() {
    return count;
  }

  /** Completes when no exchange is under way: at once when none is. Never fails. */
  public Future<Void> idle() {
    synchronized (this) {
      if (count == 0) {
        return Future.succeededFuture();
      }
      Promise<Void> promise = Promise.promise();
      waiters.add(promise);
      return promise.future();
    }
  }
}
