package dev.edgechat.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Runs the jobs of one type. A job may run more than once (a retry after a failure, or a second
 * run when its worker died or stalled past {@code queue.stalledMs} and another worker took it
 * over, possibly while the first run was still going), so a handler must be idempotent: running it
 * twice has the effect of running it once.
 */
@FunctionalInterface
public interface JobHandler {

  /**
   * Runs {@code job}. Success completes the job with the result (null: an empty result); failure
   * (or an exception thrown here) is a failed try, retried after a backoff until
   * {@code queue.maxAttempts} tries have failed.
   */
  Future<JsonObject> handle(Job job);
}
