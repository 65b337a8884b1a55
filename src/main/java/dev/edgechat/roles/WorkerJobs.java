package dev.edgechat.roles;

import dev.edgechat.jobs.AsyncChat;
import dev.edgechat.protocol.Jobs;
import dev.edgechat.edge.OriginClient;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.knowledge.KnowledgeJobs;
import io.vertx.core.Future;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs a process takes from the queue: ingestion and deletes of documents, and asynchronous
 * chat, answered through origin as an edge would. Role worker runs them; role all runs them too,
 * next to its origin.
 */
public final class WorkerJobs {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerJobs.class);

  private WorkerJobs() {
  }

  /**
   * Registers the job handlers on {@code queue} and starts taking jobs. Succeeds once the queue's
   * workers run; fails when they cannot start.
   *
   * @param origin where asynchronous chat jobs are answered; empty leaves them to other workers
   * @param maxAttempts tries of a knowledge job (queue.maxAttempts)
   */
  public static Future<Void> start(JobQueue queue, KnowledgeParts knowledge, Optional<OriginClient> origin,
      int maxAttempts) {
    new KnowledgeJobs(queue, maxAttempts).handleWith(knowledge.ingestion());
    origin.ifPresentOrElse(
        client -> queue.handle(Jobs.CHAT, AsyncChat.handler(client)),
        () -> LOG.warn("asynchronous chat jobs are left to other workers: origin.url is not set"));
    return queue.startWorker();
  }
}
