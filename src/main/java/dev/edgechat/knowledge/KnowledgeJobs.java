package dev.edgechat.knowledge;

import dev.edgechat.jobs.Job;
import dev.edgechat.jobs.JobOutbox;
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

  /** Enqueues an ingestion of the documents (the sweeper's way: they are in Postgres already). */
  public Future<Job> ingest(String siteId, List<String> documentIds) {
    return queue.enqueue(INGEST, ingestPayload(siteId, documentIds));
  }

  /** Enqueues the removal of a document marked for deletion (the sweeper's way). */
  public Future<Job> delete(String siteId, String documentId) {
    return queue.enqueue(DELETE, deletePayload(siteId, documentId));
  }

  /** An ingestion job under a new id, to stage in the outbox with the documents' write. */
  public static JobOutbox.Staged ingestJob(String siteId, List<String> documentIds) {
    return JobOutbox.Staged.of(INGEST, ingestPayload(siteId, documentIds));
  }

  /** A removal job under a new id, to stage in the outbox with the document's mark for deletion. */
  public static JobOutbox.Staged deleteJob(String siteId, String documentId) {
    return JobOutbox.Staged.of(DELETE, deletePayload(siteId, documentId));
  }

  private static JsonObject ingestPayload(String siteId, List<String> documentIds) {
    return new JsonObject().put("site", siteId).put("documents", new JsonArray(documentIds));
  }

  private static JsonObject deletePayload(String siteId, String documentId) {
    return new JsonObject().put("site", siteId).put("document", documentId);
  }
}
