package dev.edgechat.roles;

import dev.edgechat.ops.Drain;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one process started, stopped again in the order a clean stop needs, so that nothing
 * accepted is lost:
 *
 * <ol>
 *   <li>the drain begins ({@link Drain#begin()}): {@code /readyz} answers 503, new streams are refused;
 *   <li>what is under way finishes, all at once: each server's exchanges (bounded by the drain's
 *       deadline, {@code http.drainTimeoutMs}) and the jobs each queue runs (bounded by
 *       {@code queue.drainTimeoutMs}); the ports stay open meanwhile;
 *   <li>then every part stops in turn, last started first: a server's port closes before the parts
 *       it was started on, so the flushes registered before a server run after it closed and before
 *       the pools they write through; in role {@code all} the edge (started last) closes first and
 *       sends its records to origin, which is still open; the embedded databases, started first, stop last.
 * </ol>
 *
 * Parts are registered from any thread as they start, so a start that fails half way stops what it
 * had started.
 */
final class Teardown {

  private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

  /** What finishes while the ports are open, all at once. */
  private final Deque<UnderWay> underWay = new ConcurrentLinkedDeque<>();
  /** Every stop step, last registered first. */
  private final Deque<Step> steps = new ConcurrentLinkedDeque<>();

  private interface Step {
    Future<?> run(Vertx vertx, WorkerExecutor blocking);
  }

  /** A drain, and how long it may take at most (read when the drain begins); null: the drain's own deadline. */
  private record UnderWay(Supplier<Future<?>> drain, Long boundMs) {
  }

  /**
   * A deployment of HTTP server instances: its exchanges under way finish during the drain
   * ({@code idle} completes when none is left); it is undeployed (its port closed) in turn.
   */
  void server(String deploymentId, Supplier<Future<?>> idle) {
    underWay.push(new UnderWay(idle, null));
    steps.push((vertx, blocking) -> vertx.undeploy(deploymentId));
  }

  /**
   * Work under way that drains while the ports are still open, such as a job queue's running jobs;
   * it is waited for at most {@code boundMs} (the drain should bound itself: this guards against a lost reply).
   */
  void underWay(Supplier<Future<?>> drain, long boundMs) {
    underWay.push(new UnderWay(drain, boundMs));
  }

  /** An asynchronous stop step (a flush, a close), run in turn, last registered first. */
  void step(Supplier<Future<?>> step) {
    steps.push((vertx, blocking) -> step.get());
  }

  /** A resource closed in turn, last added first, on the blocking pool (a close may wait); returns {@code resource}. */
  <T extends AutoCloseable> T add(T resource) {
    steps.push((vertx, blocking) -> blocking.executeBlocking(() -> {
      resource.close();
      return null;
    }));
    return resource;
  }

  /**
   * Begins {@code drain}, lets what is under way finish (servers for at most the drain's
   * remaining time), then runs every stop step in turn. Succeeds when all was tried; a step that
   * fails is logged, not reported, and the next one runs.
   */
  Future<Void> close(Vertx vertx, WorkerExecutor blocking, Drain drain) {
    drain.begin();
    List<Future<?>> draining = new ArrayList<>();
    for (UnderWay part = underWay.poll(); part != null; part = underWay.poll()) {
      draining.add(bounded(part.drain(), part.boundMs() != null ? part.boundMs() : drain.remainingMs()));
    }
    List<Step> toRun = new ArrayList<>();
    for (Step step = steps.poll(); step != null; step = steps.poll()) {
      toRun.add(step);
    }
    Future<Void> done = Future.join(draining).<Void>mapEmpty().otherwiseEmpty();
    for (Step step : toRun) {
      done = done.compose(v -> run(step, vertx, blocking));
    }
    return done;
  }

  /** The part's drain, given up after {@code ms}: what is still under way then is stopped by the steps. */
  private static Future<?> bounded(Supplier<Future<?>> part, long ms) {
    Future<?> drained;
    try {
      drained = part.get();
    } catch (RuntimeException e) {
      drained = Future.failedFuture(e);
    }
    return drained.timeout(Math.max(1, ms), TimeUnit.MILLISECONDS)
        .onFailure(e -> LOG.warn("not drained in time, stopped anyway [reason: {}]", e.toString()));
  }

  private static Future<Void> run(Step step, Vertx vertx, WorkerExecutor blocking) {
    Future<?> ran;
    try {
      ran = step.run(vertx, blocking);
    } catch (RuntimeException e) {
      ran = Future.failedFuture(e);
    }
    return ran.<Void>mapEmpty()
        .recover(e -> {
          LOG.warn("a part did not stop cleanly [reason: {}]", e.toString(), e);
          return Future.succeededFuture();
        });
  }
}
