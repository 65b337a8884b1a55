package dev.edgechat.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

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

  /** Where an exchange keeps the means to count itself out early ({@link #notAwaited}). */
  private static final String COUNT_OUT = ExchangesInFlight.class.getName() + ".countOut";

  @Override
  public void handle(RoutingContext ctx) {
    synchronized (this) {
      count++;
    }
    AtomicBoolean out = new AtomicBoolean();
    Runnable countOut = () -> {
      if (out.compareAndSet(false, true)) {
        ended();
      }
    };
    ctx.put(COUNT_OUT, countOut);
    ctx.addEndHandler(ended -> countOut.run());
    ctx.next();
  }

  /**
   * Counts {@code ctx}'s exchange out now: it is a subscription that lasts as long as its
   * connection (origin's change feed), not work under way, so a drain does not wait for it; it
   * should end itself when its connection shuts down (the port closing). A no-op on a router
   * without this counter.
   */
  public static void notAwaited(RoutingContext ctx) {
    Runnable countOut = ctx.get(COUNT_OUT);
    if (countOut != null) {
      countOut.run();
    }
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
