package dev.edgechat.jobs;

import dev.edgechat.web.ApiError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;

/**
 * {@code GET /v1/jobs/{id}} (API.md §1): a job's state, attempts, and its result or error. A job
 * id is a capability: whoever holds it may read the job (its payload is never shown). The same
 * answer serves {@code GET /admin/jobs/{id}} (API.md §3), mounted behind the admin API's guard
 * with {@link #job(RoutingContext)}.
 */
public final class JobsApi {

  private final JobQueue queue;

  public JobsApi(JobQueue queue) {
    this.queue = Objects.requireNonNull(queue);
  }

  /** Mounts the public {@code GET /v1/jobs/:id}. */
  public void mount(Router router) {
    router.get("/v1/jobs/:id").handler(this::job);
  }

  /**
   * Answers {@code 200} with the job of path parameter {@code id}, or {@code 404 not_found} when
   * there is none (never was, no longer kept, or not a job id at all).
   */
  public void job(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!JobQueue.isJobId(id)) {
      ctx.fail(ApiError.notFound("no job '" + shorten(id) + "'"));
      return;
    }
    queue.find(id).onSuccess(found -> {
      if (found.isEmpty()) {
        ctx.fail(ApiError.notFound("no job '" + id + "'"));
        return;
      }
      ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(found.get().toJson().encode());
    }).onFailure(ctx::fail);
  }

  private static String shorten(String id) {
    if (id == null) {
      return "";
    }
    return id.length() > 64 ? id.substring(0, 64) + "…" : id;
  }
}
