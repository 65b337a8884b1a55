package dev.edgechat.knowledge;

import dev.edgechat.jobs.Job;
import dev.edgechat.jobs.JobQueue;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * The knowledge base's jobs on the queue: {@value #INGEST} ({@code {"site","documents":[ids]}})
 * makes pending documents ready, {@value #DELETE} ({@code {"site","document"}}) removes one. Both
 * are idempotent ({@link Ingestion}), as the queue requires: a job may run twice.
 */
public final class KnowledgeJobs {

  public static final String INGEST = "ingest";
  public static final String DELETE = "delete-document";

  private final JobQueue queue;
  private final int maxAttempts;

  /** @param maxAttempts the queue's tries per job: the last one marks documents failed instead of leaving them pending */
  public KnowledgeJobs(JobQueue queue, int maxAttempts) {
    this.queue = Objects.requireNonNull(queue);
    this.maxAttempts = maxAttempts;
  }

  /** Lets this process's workers run the knowledge jobs. */
  public void handleWith(Ingestion ingestion) {
    queue.handle(INGEST, job -> {
      JsonObject payload = job.payload();
      List<String> ids = payload.getJsonArray("documents", new JsonArray()).stream().map(String::valueOf).toList();
      return ingestion.ingest(payload.getString("site"), ids, job.attempts() >= maxAttempts, job.attempts() > 1)
          .map(Ingestion.Report::toJson);
    });
    queue.handle(DELETE, job -> ingestion.delete(job.payload().getString("site"), job.payload().getString("document"),
            job.attempts() > 1)
        .map(deleted -> new JsonObject().put("deleted", deleted)));
  }

  public Future<Job> ingest(String siteId, List<String> documentIds) {
    return queue.enqueue(INGEST, new JsonObject().put("site", siteId).put("documents", new JsonArray(documentIds)));
  }

  public Future<Job> delete(String siteId, String documentId) {
    return queue.enqueue(DELETE, new JsonObject().put("site", siteId).put("document", documentId));
  }
}
