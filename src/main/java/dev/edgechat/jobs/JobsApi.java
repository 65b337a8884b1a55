package dev.edgechat.jobs;

import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/jobs/{id}} (API.md §1): a job's state, attempts, and its result or error. A job
 * id is a capability: whoever holds it may read the job (its payload is never shown). The same
 * answer serves {@code GET /admin/jobs/{id}} (API.md §3), mounted behind the admin API's guard
 * with {@link #job(RoutingContext)}; there a job still waiting in the {@link JobOutbox} (staged with
 * its write, not yet on the queue because the queue Redis did not answer) shows as {@code waiting}.
 */
public final class JobsApi {

  private final JobQueue queue;
  private final JobOutbox outbox;

  /** Jobs on the queue only (the public route: chat jobs are never staged). */
  public JobsApi(JobQueue queue) {
    this(queue, null);
  }

  /** @param outbox where staged jobs wait for the queue, or null for none */
  public JobsApi(JobQueue queue, JobOutbox outbox) {
    this.queue = Objects.requireNonNull(queue);
    this.outbox = outbox;
  }

  /** Mounts the public {@code GET /v1/jobs/:id}. */
  public void mount(Router router) {
    router.get("/v1/jobs/:id").handler(this::job);
  }

  /**
   * Answers {@code 200} with the job of path parameter {@code id}, or {@code 404 not_found} when
   * there is none (never was, no longer kept, or not a job id at all), or {@code 503 overloaded}
   * with {@code Retry-After} when the queue Redis does not answer and the outbox does not hold it.
   */
  public void job(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!JobQueue.isJobId(id)) {
      ctx.fail(ApiError.notFound("no job '" + shorten(id) + "'"));
      return;
    }
    // the outbox first: a job leaves it only once it is on the queue, so between the two reads it is
    // always in one of them
    staged(id)
        .compose(staged -> staged.isPresent()
            ? Future.succeededFuture(staged)
            : queue.find(id).timeout(JobQueue.ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .recover(e -> Future.failedFuture(JobQueue.unreachable("the job's state cannot be read"))))
        .onSuccess(found -> {
          if (found.isEmpty()) {
            ctx.fail(ApiError.notFound("no job '" + id + "'"));
            return;
          }
          ctx.response()
              .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
              .end(found.get().toJson().encode());
        })
        .onFailure(ctx::fail);
  }

  /** The job while it waits in the outbox; empty without an outbox, or when the outbox cannot be read. */
  private Future<Optional<Job>> staged(String id) {
    return outbox == null ? Future.succeededFuture(Optional.empty()) : outbox.find(id).otherwise(Optional.empty());
  }

  private static String shorten(String id) {
    if (id == null) {
      return "";
    }
    return id.length() > 64 ? id.substring(0, 64) + "…" : id;
  }
}
