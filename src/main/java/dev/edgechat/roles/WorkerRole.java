package dev.edgechat.roles;

import dev.edgechat.config.ConfigException;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.db.Database;
import dev.edgechat.edge.OriginClient;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.knowledge.EmbeddingAgreement;
import dev.edgechat.ops.OpsRoutes;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Role worker: runs the queue's jobs (ingestion on the primary Postgres, asynchronous chat through
 * origin) and serves only /healthz, /readyz and /metrics on http.port.
 */
public final class WorkerRole {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerRole.class);
  private static final String LABEL = "worker";

  private final RoleContext context;

  public WorkerRole(RoleContext context) {
    this.context = Objects.requireNonNull(context);
  }

  /**
   * Starts taking jobs and serves the operations endpoints. Succeeds with the port of those;
   * fails with a {@link ConfigException} when there is no queue Redis, or origin.url is set without
   * the edge token to ask it with, and otherwise when a part cannot start (what did start is
   * stopped by the context's teardown).
   *
   * @param queueRedisUrl the job queue's Redis
   */
  public Future<Integer> start(URI postgresUrl, Optional<URI> queueRedisUrl) {
    EdgechatConfig settings = context.config.get();
    Optional<JobQueue> queue = context.jobQueue(queueRedisUrl);
    if (queue.isEmpty()) {
      return Future.failedFuture(new ConfigException("setting queue.redisUrl (or redis.url) is required for role "
          + LABEL));
    }
    if (settings.origin().url().isPresent() && settings.secrets().edgeToken().isEmpty()) {
      return Future.failedFuture(new ConfigException("EDGECHAT_EDGE_TOKEN is required for role "
          + LABEL + " when origin.url is set: asynchronous chat jobs ask origin with it"));
    }
    return context.migrate(postgresUrl).compose(v -> {
      Database database = context.database(postgresUrl);
      RedisAPI cacheRedis = settings.redis().url().map(url -> context.redis(url).api()).orElse(null);
      KnowledgeParts knowledge = KnowledgeParts.assemble(context, database, cacheRedis, false);
      Optional<OriginClient> origin = settings.origin().url()
          .map(url -> new OriginClient(context.vertx, () -> url, settings.secrets().edgeToken().get(),
              settings.edge()));
      EmbeddingAgreement agreement = knowledge.agreement(database, LABEL, settings);
      OpsRoutes ops = context.ops(List.of(queue.get().readiness(), database.readiness(), agreement.readiness()));
      return agreement.record()
          .compose(recorded -> WorkerJobs.start(queue.get(), knowledge, origin, settings.queue().maxAttempts()))
          .compose(started -> context.serve(LABEL, settings.http().host(), settings.http().port(), ops::mount))
          .map(p -> {
            LOG.info("worker ready [ops: http://localhost:{}/readyz]", p);
            return p;
          });
    });
  }
}
