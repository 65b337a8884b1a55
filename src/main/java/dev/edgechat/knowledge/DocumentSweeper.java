package dev.edgechat.knowledge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Postgres is the source of truth, the queue is not: a document left {@code pending} or
 * {@code deleting} past {@code knowledge.sweepAfterMs} (its job lost with a Redis that was wiped,
 * or never enqueued because the process died in between) gets a new job. Running in several
 * processes at once is harmless: each claimed document is touched, and the jobs are idempotent.
 */
public final class DocumentSweeper implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DocumentSweeper.class);
  private static final int BATCH = 500;

  private final Vertx vertx;
  private final DocumentStore documents;
  private final KnowledgeJobs jobs;
  private final long afterMs;
  private long timer = -1;

  public DocumentSweeper(Vertx vertx, DocumentStore documents, KnowledgeJobs jobs, long afterMs) {
    this.vertx = Objects.requireNonNull(vertx);
    this.documents = Objects.requireNonNull(documents);
    this.jobs = Objects.requireNonNull(jobs);
    this.afterMs = afterMs;
  }

  /** Sweeps every {@code intervalMs}; 0 never. */
  public void start(long intervalMs) {
    if (intervalMs > 0) {
      timer = vertx.setPeriodic(intervalMs, id -> sweep()
          .onFailure(e -> LOG.warn("document sweep failed, trying again next time [reason: {}]", e.toString())));
    }
  }

  /** One sweep: succeeds with the number of documents given a new job. */
  public Future<Integer> sweep() {
    return documents.claimUnfinished(afterMs, BATCH).compose(found -> {
      Map<String, List<String>> toIngest = new LinkedHashMap<>();
      List<Future<?>> enqueued = new ArrayList<>();
      for (DocumentStore.Unfinished doc : found) {
        if (doc.deleting()) {
          enqueued.add(jobs.delete(doc.siteId(), doc.documentId()));
        } else {
          toIngest.computeIfAbsent(doc.siteId(), s -> new ArrayList<>()).add(doc.documentId());
        }
      }
      toIngest.forEach((site, ids) -> enqueued.add(jobs.ingest(site, ids)));
      if (!found.isEmpty()) {
        LOG.info("documents left unfinished got new jobs [documents: {}]", found.size());
      }
      return Future.all(enqueued).map(found.size());
    });
  }

  @Override
  public void close() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }
}
