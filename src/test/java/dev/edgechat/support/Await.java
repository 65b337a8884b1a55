package dev.edgechat.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/** Waits for a condition by polling on a Vert.x timer: no sleeping threads. */
public final class Await {

  private static final long POLL_MS = 25;

  private Await() {
  }

  /** Succeeds once {@code condition} yields true; fails after {@code timeoutMs}. */
  public static Future<Void> until(Vertx vertx, Supplier<Future<Boolean>> condition, long timeoutMs) {
    Promise<Void> done = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    poll(vertx, condition, deadline, done);
    return done.future();
  }

  private static void poll(Vertx vertx, Supplier<Future<Boolean>> condition, long deadline, Promise<Void> done) {
    condition.get().onComplete(result -> {
      if (result.succeeded() && Boolean.TRUE.equals(result.result())) {
        done.complete();
      } else if (System.currentTimeMillis() > deadline) {
        done.fail("condition not met in time" + (result.failed() ? ": " + result.cause() : ""));
      } else {
        vertx.setTimer(POLL_MS, id -> poll(vertx, condition, deadline, done));
      }
    });
  }
}
