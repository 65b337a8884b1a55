package dev.edgechat.roles;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Database;
import dev.edgechat.jobs.JobOutbox;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.jobs.JobsApi;
import dev.edgechat.knowledge.DemoSite;
import dev.edgechat.knowledge.DocumentSweeper;
import dev.edgechat.knowledge.EmbeddingAgreement;
import dev.edgechat.knowledge.KnowledgeJobs;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.llm.ChatModel;
import dev.edgechat.llm.ExtractiveChatModel;
import dev.edgechat.llm.OpenAiChatModel;
import dev.edgechat.ops.OpsRoutes;
import dev.edgechat.ops.Readiness;
import dev.edgechat.ops.tracing.TracedChatModel;
import dev.edgechat.time.Scheduler;
import dev.edgechat.db.Notifications;
import dev.edgechat.knowledge.SiteChangeLog;
import dev.edgechat.origin.AdminApi;
import dev.edgechat.origin.ChangeFeedApi;
import dev.edgechat.origin.ChangeHub;
import dev.edgechat.origin.ConversationStore;
import dev.edgechat.origin.IdempotentWrites;
import dev.edgechat.origin.OriginApi;
import dev.edgechat.time.Scheduler;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
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
  private final PrometheusMeterRegistry registry;
  private final LiveConfig config;

  public OriginRole(RoleContext context) {
    this.context = Objects.requireNonNull(context);
    this.vertx = context.vertx;
    this.registry = context.registry;
    this.config = context.config;
  }

  /**
   * Migrates the schema, builds origin's parts and serves origin's API on {@code host:port} (0 =
   * any free port). Succeeds with what it started; fails when a part cannot start (what did start
   * is stopped by the context's teardown).
   *
   * @param cacheRedisUrl the cache Redis, where embeddings are cached (edges learn of site changes
   *     from origin's change feed, not from Redis)
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
      SiteChangeLog changeLog = new SiteChangeLog(database.writer());
      ChangeHub changes = followChanges(postgresUrl, changeLog, knowledge);
      ChatModel model = model(settings, knowledge);
      ConversationStore conversations = conversations(database, settings);
      OriginApi api = new OriginApi(config, knowledge.retrieval(), conversations, model, queue.orElse(null),
          knowledge.documents(), changeLog, changes::head, edgeToken,
          ModelMeters.chat(config, registry, context.siteTags));
      ChangeFeedApi feed = new ChangeFeedApi(vertx, changes, changeLog, () -> config.get().origin().changesHeartbeatMs());
      EmbeddingAgreement agreement = knowledge.agreement(database, "origin", settings);
      List<Readiness> checks = new ArrayList<>(List.of(database.readiness(), knowledge.index().readiness(),
          agreement.readiness()));
      checks.addAll(database.replicaReadiness()); // degraded, never unready: reads go to the primary
      // degraded, never unready: admin writes wait in the outbox, and answers need no queue
      queue.ifPresent(q -> checks.add(q.readiness(false)));
      OpsRoutes ops = context.ops(checks);
      Optional<AdminApi> admin = adminApi(settings, database, knowledge, queue);
      queue.ifPresent(q -> sweepDocuments(settings, knowledge, q));
      Future<Void> seeded = seedDemoSite
          ? DemoSite.seed(knowledge.documents(), knowledge.ingestion())
          : Future.succeededFuture();
      return seeded
          .compose(s -> agreement.record())
          .compose(s -> context.serve("origin", host, port, router -> {
            ops.mount(router);
            // while the process drains, no new answer starts here; records and reads are still served
            router.post("/internal/answer").handler(context.drain::refuseNewStreams);
            api.mount(router);
            feed.mount(router); // after api: behind its edge token
            admin.ifPresent(a -> a.mount(router));
          }))
          .map(p -> {
            LOG.info("origin ready [url: http://{}:{}/, admin API: {}, job queue: {}]", host, p,
                admin.isPresent() ? "on" : "off", queue.isPresent() ? "on" : "off");
            return new Started(p, checks, admin, queue, knowledge);
          });
    });
  }

  /**
   * Follows the site change log on the primary, for the edges' feeds and for this origin's chunk
   * index: a site whose version changed (a worker ingested, another origin deleted) is reloaded.
   */
  private ChangeHub followChanges(URI postgresUrl, SiteChangeLog changeLog, KnowledgeParts knowledge) {
    ChangeHub changes = context.teardown.add(new ChangeHub(vertx, changeLog, Notifications.subscriber(vertx,
        postgresUrl), () -> config.get().knowledge().changesRetentionMs(), registry));
    changes.onChange(change -> {
      if (change.wholeSite()) {
        // shared with the answers behind that version, and nothing when one of them refreshed already
        knowledge.index().catchUp(change.site(), change.version()).onFailure(e -> LOG.warn(
            "chunk index not refreshed; it is at the next change or resync [site: {}, reason: {}]", change.site(),
            e.toString()));
      }
    });
    changes.start();
    return changes;
  }

  /** The upstream LLM when an API key is set, else the offline extractive model. */
  private ChatModel model(EdgechatConfig settings, KnowledgeParts knowledge) {
    ChatModel model = settings.secrets().llmApiKey()
        .<ChatModel>map(key -> new OpenAiChatModel(vertx, Scheduler.of(vertx), settings.llm(), key, registry))
        .orElseGet(() -> new ExtractiveChatModel(vertx));
    // a span per answer with the GenAI attributes when tracing is on
    model = settings.secrets().llmApiKey().isPresent()
        ? new TracedChatModel(model, "openai", settings.llm().baseUrl())
        : new TracedChatModel(model, "edgechat", null);
    LOG.info("origin answers with model {} [upstream: {}, embeddings: {}]", model.name(),
        settings.secrets().llmApiKey().isPresent() ? settings.llm().baseUrl() : "none, offline extractive",
        knowledge.embeddings().name());
    return model;
  }

  /** The conversation writer; at teardown it writes what it holds before the pools close. */
  private ConversationStore conversations(Database database, EdgechatConfig settings) {
    ConversationStore conversations = new ConversationStore(vertx, database.writer(), database.reads(),
        settings.origin().writeBatchRows(), settings.origin().writeBatchMs(), registry);
    // in turn after origin's port closed (no record arrives any more), before the pools close
    context.teardown.step(conversations::close);
    return conversations;
  }

  /**
   * The admin API, when an admin token is set and there is a job queue to ingest with; with it the
   * outbox relay, which hands the jobs staged with the admin writes to the queue once it answers.
   */
  private Optional<AdminApi> adminApi(EdgechatConfig settings, Database database, KnowledgeParts knowledge,
      Optional<JobQueue> queue) {
    if (settings.secrets().adminToken().isEmpty()) {
      LOG.info("admin API off: EDGECHAT_ADMIN_TOKEN is not set");
      return Optional.empty();
    }
    if (queue.isEmpty()) {
      LOG.warn("admin API off: it needs a job queue (queue.redisUrl or redis.url)");
      return Optional.empty();
    }
    JobQueue q = queue.get();
    JobOutbox outbox = context.teardown.add(new JobOutbox(database.writer(), q, Scheduler.of(vertx),
        settings.knowledge().outboxPollMs()));
    outbox.start();
    IdempotentWrites writes = context.teardown.add(new IdempotentWrites(vertx, database.writer(),
        settings.knowledge().idempotencyKeyTtlMs()));
    writes.start();
    return Optional.of(new AdminApi(knowledge.documents(), knowledge.versions(), outbox, new JobsApi(q, outbox),
        writes, settings.knowledge(), settings.secrets().adminToken().get(), database.writer(), config, registry,
        context.siteTags));
  }

  /** Every knowledge.sweepIntervalMs, gives documents left pending or deleting too long a new job. */
  private void sweepDocuments(EdgechatConfig settings, KnowledgeParts knowledge, JobQueue queue) {
    DocumentSweeper sweeper = new DocumentSweeper(vertx, knowledge.documents(),
        new KnowledgeJobs(queue, settings.queue().maxAttempts()), settings.knowledge().sweepAfterMs());
    sweeper.start(settings.knowledge().sweepIntervalMs());
    context.teardown.add(sweeper);
  }
}
