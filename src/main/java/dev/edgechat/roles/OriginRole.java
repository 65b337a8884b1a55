package dev.edgechat.roles;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Database;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.jobs.JobsApi;
import dev.edgechat.knowledge.DemoSite;
import dev.edgechat.knowledge.DocumentSweeper;
import dev.edgechat.knowledge.KnowledgeJobs;
import dev.edgechat.llm.ChatModel;
import dev.edgechat.llm.ExtractiveChatModel;
import dev.edgechat.llm.OpenAiChatModel;
import dev.edgechat.ops.OpsRoutes;
import dev.edgechat.ops.Readiness;
import dev.edgechat.origin.AdminApi;
import dev.edgechat.origin.ConversationStore;
import dev.edgechat.origin.OriginApi;
import dev.edgechat.redis.SiteInvalidations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Role origin: owns Postgres; retrieval, prompt, the LLM stream and conversations behind the
 * edges, and the admin API when an admin token and a job queue are set.
 */
public final class OriginRole {

  private static final Logger LOG = LoggerFactory.getLogger(OriginRole.class);

  /**
   * What origin started, for the parts composed with it in role all.
   *
   * @param port where origin listens
   * @param checks what origin depends on (database, chunk index, job queue); in role all the
   *     edge's /readyz reports them too, on the public port
   * @param admin the admin API, when an admin token and a job queue are set; in role all the edge
   *     serves it too
   * @param queue the job queue, when there is a queue Redis
   * @param knowledge the knowledge base, for the jobs that ingest into it
   */
  public record Started(int port, List<Readiness> checks, Optional<AdminApi> admin, Optional<JobQueue> queue,
      KnowledgeParts knowledge) {

    public Started {
      checks = List.copyOf(checks);
    }
  }

  private final RoleContext context;
  private final Vertx vertx;
  private final LiveConfig config;

  public OriginRole(RoleContext context) {
    this.context = Objects.requireNonNull(context);
    this.vertx = context.vertx;
    this.config = context.config;
  }

  /**
   * Migrates the schema, builds origin's parts and serves origin's API on {@code host:port} (0 =
   * any free port). Succeeds with what it started; fails when a part cannot start (what did start
   * is stopped by the context's teardown).
   *
   * @param cacheRedisUrl the cache Redis: edges and origins listen there for site invalidations,
   *     and embeddings are cached there; without one, edges learn of changes when their site
   *     entries expire
   * @param queueRedisUrl the job queue's Redis; without one there is no admin API and no
   *     asynchronous chat
   * @param seedDemoSite whether the demo site is seeded before origin serves (role all)
   */
  public Future<Started> start(URI postgresUrl, String edgeToken, Optional<URI> cacheRedisUrl,
      Optional<URI> queueRedisUrl, String host, int port, boolean seedDemoSite) {
    return context.migrate(postgresUrl).compose(v -> {
      EdgechatConfig settings = config.get();
      Database database = context.database(postgresUrl);
      RedisAPI cacheRedis = cacheRedisUrl.map(url -> context.redis(url).api()).orElse(null);
      Optional<JobQueue> queue = context.jobQueue(queueRedisUrl);
      KnowledgeParts knowledge = KnowledgeParts.assemble(context, database, cacheRedis, true);
      cacheRedisUrl.ifPresent(url -> refreshIndexOnInvalidations(url, knowledge));
      ChatModel model = model(settings, knowledge);
      ConversationStore conversations = conversations(database, settings);
      OriginApi api = new OriginApi(config, knowledge.retrieval(), conversations, model, queue.orElse(null),
          edgeToken);
      List<Readiness> checks = new ArrayList<>(List.of(database.readiness(), knowledge.index().readiness()));
      queue.ifPresent(q -> checks.add(q.readiness()));
      OpsRoutes ops = context.ops(checks);
      Optional<AdminApi> admin = adminApi(settings, knowledge, queue);
      queue.ifPresent(q -> sweepDocuments(settings, knowledge, q));
      Future<Void> seeded = seedDemoSite
          ? DemoSite.seed(knowledge.documents(), knowledge.ingestion())
          : Future.succeededFuture();
      return seeded
          .compose(s -> context.serve("origin", host, port, router -> {
            ops.mount(router);
            // while the process drains, no new answer starts here; records and reads are still served
            router.post("/internal/answer").handler(context.drain::refuseNewStreams);
            api.mount(router);
            admin.ifPresent(a -> a.mount(router));
          }))
          .map(p -> new Started(p, checks, admin, queue, knowledge));
    });
  }

  /** Another origin changed a site: its chunks are reloaded into this origin's index. */
  private void refreshIndexOnInvalidations(URI cacheRedisUrl, KnowledgeParts knowledge) {
    context.teardown.add(SiteInvalidations.listen(vertx, cacheRedisUrl, invalidation ->
        knowledge.index().refresh(invalidation.site()).onFailure(e -> LOG.warn(
            "chunk index not refreshed; it is at the next change [site: {}, reason: {}]", invalidation.site(),
            e.toString()))));
  }

  /** The upstream LLM when an API key is set, else the offline extractive model. */
  private ChatModel model(EdgechatConfig settings, KnowledgeParts knowledge) {
    ChatModel model = settings.secrets().llmApiKey()
        .<ChatModel>map(key -> new OpenAiChatModel(vertx, settings.llm(), key))
        .orElseGet(() -> new ExtractiveChatModel(vertx));
    LOG.info("origin answers with model {} [upstream: {}, embeddings: {}]", model.name(),
        settings.secrets().llmApiKey().isPresent() ? settings.llm().baseUrl() : "none, offline extractive",
        knowledge.embeddings().name());
    return model;
  }

  /** The conversation writer; at teardown it writes what it holds before the pools close. */
  private ConversationStore conversations(Database database, EdgechatConfig settings) {
    ConversationStore conversations = new ConversationStore(vertx, database.writer(), database.reader(),
        settings.origin().writeBatchRows(), settings.origin().writeBatchMs());
    // in turn after origin's port closed (no record arrives any more), before the pools close
    context.teardown.step(conversations::close);
    return conversations;
  }

  /** The admin API, when an admin token is set and there is a job queue to ingest with. */
  private Optional<AdminApi> adminApi(EdgechatConfig settings, KnowledgeParts knowledge, Optional<JobQueue> queue) {
    if (settings.secrets().adminToken().isEmpty()) {
      LOG.info("admin API off: EDGECHAT_ADMIN_TOKEN is not set");
      return Optional.empty();
    }
    if (queue.isEmpty()) {
      LOG.warn("admin API off: it needs a job queue (queue.redisUrl or redis.url)");
      return Optional.empty();
    }
    JobQueue q = queue.get();
    return Optional.of(new AdminApi(knowledge.documents(), knowledge.versions(),
        new KnowledgeJobs(q, settings.queue().maxAttempts()), new JobsApi(q), settings.knowledge(),
        settings.secrets().adminToken().get()));
  }

  /** Every knowledge.sweepIntervalMs, gives documents left pending or deleting too long a new job. */
  private void sweepDocuments(EdgechatConfig settings, KnowledgeParts knowledge, JobQueue queue) {
    DocumentSweeper sweeper = new DocumentSweeper(vertx, knowledge.documents(),
        new KnowledgeJobs(queue, settings.queue().maxAttempts()), settings.knowledge().sweepAfterMs());
    sweeper.start(settings.knowledge().sweepIntervalMs());
    context.teardown.add(sweeper);
  }
}
