package dev.edgechat.roles;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one process started, stopped again in the order a clean stop needs: first the HTTP
 * servers (no new work comes in, answers under way finish), then the job queues (jobs under way
 * drain for queue.drainTimeoutMs while the pools and executors they use are still open), then
 * every other resource, last started first, so the embedded databases, started first, stop last.
 * Parts are registered from any thread as they start, so a start that fails half way stops what it
 * had started.
 */
final class Teardown {

  private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);

  private final Deque<String> servers = new ConcurrentLinkedDeque<>();
  private final Deque<AutoCloseable> queues = new ConcurrentLinkedDeque<>();
  private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();

  /** A deployment of HTTP server instances, undeployed first. */
  void server(String deploymentId) {
    servers.push(deploymentId);
  }

  /** A job queue's close, run right after the servers stop; it returns once the jobs under way drained. */
  void queue(AutoCloseable drain) {
    queues.push(drain);
  }

  /** Any other resource, closed after the queues, last added first; returns {@code resource}. */
  <T extends AutoCloseable> T add(T resource) {
    resources.push(resource);
    return resource;
  }

  /**
   * Undeploys the servers, then closes the queues and the resources on {@code blocking} (closes
   * may wait). Succeeds when all was tried; a close that fails is logged, not reported.
   */
  Future<Void> close(Vertx vertx, WorkerExecutor blocking) {
    List<String> deployed = takeAll(servers);
    List<AutoCloseable> toClose = takeAll(queues);
    toClose.addAll(takeAll(resources));
    Future<?> undeployed = Future.join(deployed.stream().map(vertx::undeploy).toList());
    return undeployed.transform(u -> blocking.executeBlocking(() -> {
      for (AutoCloseable resource : toClose) {
        try {
          resource.close();
        } catch (Exception e) {
          LOG.warn("a resource did not close cleanly [resource: {}]", resource, e);
        }
      }
      return null;
    })).mapEmpty();
  }

  private static <T> List<T> takeAll(Deque<T> deque) {
    List<T> taken = new ArrayList<>();
    for (T item = deque.poll(); item != null; item = deque.poll()) {
      taken.add(item);
    }
    return taken;
  }
}
