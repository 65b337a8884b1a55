package dev.edgechat;

import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.redis.SiteInvalidations;
import dev.edgechat.cache.TieredAnswerCache;
import dev.edgechat.cache.semantic.MeaningGuard;
import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.ConfigException;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Database;
import dev.edgechat.db.EmbeddedPostgresServer;
import dev.edgechat.db.Migrations;
import dev.edgechat.edge.AsyncChat;
import dev.edgechat.edge.ChatApi;
import dev.edgechat.edge.ResumeApi;
import dev.edgechat.edge.OriginClient;
import dev.edgechat.edge.SiteDirectory;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.embedding.Embeddings;
import dev.edgechat.gateway.GatewayApi;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.jobs.JobsApi;
import dev.edgechat.knowledge.ChunkIndex;
import dev.edgechat.knowledge.Chunker;
import dev.edgechat.knowledge.DemoSite;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.DocumentSweeper;
import dev.edgechat.knowledge.Ingestion;
import dev.edgechat.knowledge.KnowledgeJobs;
import dev.edgechat.knowledge.SiteVersions;
import dev.edgechat.knowledge.VectorKnowledgeBase;
import dev.edgechat.llm.ChatModel;
import dev.edgechat.llm.ExtractiveChatModel;
import dev.edgechat.llm.OpenAiChatModel;
import dev.edgechat.ops.OpsRoutes;
import dev.edgechat.ops.Readiness;
import dev.edgechat.origin.AdminApi;
import dev.edgechat.origin.ConversationStore;
import dev.edgechat.origin.OriginApi;
import dev.edgechat.sim.SimulatorApi;
import dev.edgechat.web.HttpServerVerticle;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Ids;
import dev.edgechat.widget.WidgetAssets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.redis.client.RedisAPI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that wires each role: which servers a role starts, what it connects to, and in
 * what order. Everything that is started is stopped again by {@link #close()}, in reverse order.
 */
public final class Application {

  private static final Logger LOG = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final LiveConfig config;
  private final WorkerExecutor blocking;
  /** What to close on shutdown, last started first. */
  private final Deque<AutoCloseable> resources = new ConcurrentLinkedDeque<>();
  /** Deployment ids of the HTTP servers, undeployed before the resources close. */
  private final Deque<String> deployments = new ConcurrentLinkedDeque<>();
  private int edgePort = -1;
  private int originPort = -1;
  private int simPort = -1;
  private int workerPort = -1;
  /** Role all without any Redis configured: the queue's own embedded Redis. */
  private Optional<URI> embeddedQueueRedis = Optional.empty();
  /** What origin depends on; in role all the edge reports it too, on the public port. */
  private final List<Readiness> originDependencies = new ArrayList<>();
  /** Origin's admin API when an admin token is set; in role all the edge serves it too. */
  private AdminApi adminApi;

  private Application(Vertx vertx, PrometheusMeterRegistry registry, LiveConfig config) {
    this.vertx = Objects.requireNonNull(vertx);
    this.registry = Objects.requireNonNull(registry);
    this.config = Objects.requireNonNull(config);
    this.blocking = vertx.createSharedWorkerExecutor("edgechat-startup", 2, 10, TimeUnit.MINUTES);
  }

  /** Starts {@code role}; fails (having stopped what it started) when a part cannot start. */
  public static Future<Application> start(Vertx vertx, PrometheusMeterRegistry registry, LiveConfig config,
      Role role) {
    Application app = new Application(vertx, registry, config);
    Future<Void> started = switch (role) {
      case ALL -> app.startAll();
      case EDGE -> app.startEdge(required(config.get().origin().url(), "origin.url", role), edgeToken(config, role),
          config.get().redis().url(), List.of());
      case ORIGIN -> app.startOrigin(required(config.get().postgres().url(), "postgres.url", role),
          edgeToken(config, role), config.get().redis().url(), config.get().http().host(), config.get().http().port(),
          false);
      case WORKER -> app.startWorker(required(config.get().postgres().url(), "postgres.url", role));
      case SIM -> app.startSim();
    };
    return started
        .map(app)
        .recover(e -> app.close().transform(v -> Future.failedFuture(e)));
  }

  /** Port of the edge's public server, or -1 when this role has none. */
  public int edgePort() {
    return edgePort;
  }

  /** Port of origin's server, or -1 when this role has none. */
  public int originPort() {
    return originPort;
  }

  /** Port of the worker's operations server (/healthz, /readyz, /metrics), or -1 when this role has none. */
  public int workerPort() {
    return workerPort;
  }

  /** Port of the simulator, or -1 when this role has none. */
  public int simPort() {
    return simPort;
  }

  /** Stops the servers, closes the pools, then stops embedded databases. */
  public Future<Void> close() {
    List<String> servers = new ArrayList<>(deployments);
    deployments.clear();
    List<AutoCloseable> toClose = new ArrayList<>(resources);
    resources.clear();
    Future<?> undeployed = Future.join(servers.stream().map(vertx::undeploy).toList());
    return undeployed.transform(u -> blocking.executeBlocking(() -> {
      for (AutoCloseable resource : toClose) {
        try {
          resource.close();
        } catch (Exception e) {
          LOG.warn("a resource did not close cleanly [resource: {}]", resource, e);
        }
      }
      return null;
    })).onComplete(v -> blocking.close()).mapEmpty();
  }

  private Future<Void> startAll() {
    EdgechatConfig settings = config.get();
    String edgeToken = settings.secrets().edgeToken().orElseGet(Ids::next);
    Future<URI> postgres = settings.postgres().url().map(Future::succeededFuture).orElseGet(() ->
        blocking.executeBlocking(() -> {
          EmbeddedPostgresServer server = EmbeddedPostgresServer.start(settings.dataDir().resolve("postgres"),
              settings.postgres().embeddedPort());
          resources.push(server);
          return server.url();
        }));
    Future<URI> redis = settings.redis().url().map(Future::succeededFuture).orElseGet(() ->
        blocking.executeBlocking(() -> {
          EmbeddedRedisServer server = EmbeddedRedisServer.start(settings.dataDir().resolve("redis"),
              settings.redis().embeddedPort(), "allkeys-lru", "256mb");
          resources.push(server);
          return server.url();
        }));
    // jobs must never be evicted: the queue gets an embedded Redis of its own, with noeviction,
    // unless a queue Redis or any Redis is configured (then the operator chose)
    Future<Optional<URI>> queueRedis = settings.redis().queueUrl().isPresent() || settings.redis().url().isPresent()
        ? Future.succeededFuture(Optional.empty())
        : blocking.executeBlocking(() -> {
          EmbeddedRedisServer server = EmbeddedRedisServer.start(settings.dataDir().resolve("redis-queue"), 0,
              "noeviction", "256mb");
          resources.push(server);
          return Optional.of(server.url());
        });
    return Future.all(postgres, redis, queueRedis)
        .compose(v -> {
          embeddedQueueRedis = queueRedis.result();
          return Future.succeededFuture();
        })
        .compose(v -> startOrigin(postgres.result(), edgeToken, Optional.of(redis.result()), "127.0.0.1",
            settings.origin().internalPort(), true))
        .compose(v -> {
          URI originUrl = URI.create("http://127.0.0.1:" + originPort);
          return startEdge(originUrl, edgeToken, Optional.of(redis.result()), originDependencies);
        });
  }

  /**
   * @param redisUrl the cache Redis: edges and origins listen there for site invalidations, and
   *     embeddings are cached there; without one, edges learn of changes when their site entries expire
   * @param runJobs whether this process also runs the queue's jobs (role all); in role origin a
   *     separate worker does
   */
  private Future<Void> startOrigin(URI postgresUrl, String edgeToken, Optional<URI> redisUrl, String host, int port,
      boolean runJobs) {
    EdgechatConfig settings = config.get();
    return blocking.executeBlocking(() -> {
      Migrations.migrate(postgresUrl);
      return null;
    }).compose(v -> {
      Database database = Database.open(vertx, postgresUrl, settings.postgres());
      resources.push(database);
      RedisAPI cacheRedis = redisUrl.map(url -> connectRedis(url)).orElse(null);
      Optional<JobQueue> queue = jobQueue(redisUrl);
      KnowledgeParts knowledge = knowledgeParts(database, cacheRedis, true);
      redisUrl.ifPresent(url -> resources.push(SiteInvalidations.listen(vertx, url, invalidation ->
          knowledge.index().refresh(invalidation.site()).onFailure(e -> LOG.warn(
              "chunk index not refreshed; it is at the next change [site: {}, reason: {}]", invalidation.site(),
              e.toString())))));
      ChatModel model = settings.secrets().llmApiKey()
          .<ChatModel>map(key -> new OpenAiChatModel(vertx, settings.llm(), key))
          .orElseGet(() -> new ExtractiveChatModel(vertx));
      LOG.info("origin answers with model {} [upstream: {}, embeddings: {}]", model.name(),
          settings.secrets().llmApiKey().isPresent() ? settings.llm().baseUrl() : "none, offline extractive",
          knowledge.embeddings().name());
      ConversationStore conversations = new ConversationStore(vertx, database.writer(), database.reader(),
          settings.origin().writeBatchRows(), settings.origin().writeBatchMs());
      resources.push(() -> conversations.close().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS));
      OriginApi api = new OriginApi(config, knowledge.retrieval(), conversations, model, queue.orElse(null),
          edgeToken);
      originDependencies.add(database.readiness());
      originDependencies.add(knowledge.index().readiness());
      queue.ifPresent(q -> originDependencies.add(q.readiness()));
      OpsRoutes ops = new OpsRoutes(registry, originDependencies);
      settings.secrets().adminToken().ifPresentOrElse(token -> queue.ifPresentOrElse(
          q -> adminApi = new AdminApi(knowledge.documents(), knowledge.versions(),
              new KnowledgeJobs(q, settings.queue().maxAttempts()), new JobsApi(q), settings.knowledge(), token),
          () -> LOG.warn("admin API off: it needs a job queue (queue.redisUrl or redis.url)")),
          () -> LOG.info("admin API off: EDGECHAT_ADMIN_TOKEN is not set"));
      queue.ifPresent(q -> {
        DocumentSweeper sweeper = new DocumentSweeper(vertx, knowledge.documents(),
            new KnowledgeJobs(q, settings.queue().maxAttempts()), settings.knowledge().sweepAfterMs());
        sweeper.start(settings.knowledge().sweepIntervalMs());
        resources.push(sweeper);
      });
      Future<Void> seeded = runJobs
          ? DemoSite.seed(knowledge.documents(), knowledge.ingestion())
          : Future.succeededFuture();
      return seeded.compose(s -> deployServer("origin", host, port, router -> {
        ops.mount(router);
        api.mount(router);
        if (adminApi != null) {
          adminApi.mount(router);
        }
      })).compose(p -> {
        originPort = p;
        if (!runJobs || queue.isEmpty()) {
          queue.ifPresent(this::closeFirst);
          return Future.succeededFuture();
        }
        OriginClient self = new OriginClient(vertx, () -> URI.create("http://127.0.0.1:" + p), edgeToken,
            settings.edge());
        closeFirst(queue.get());
        return runJobs(queue.get(), knowledge, self);
      });
    });
  }

  private RedisAPI connectRedis(URI url) {
    RedisConnection redis = RedisConnection.open(vertx, "redis", url, config.get().redis().connectTimeoutMs());
    resources.push(redis);
    return redis.api();
  }

  /** The job queue on queue.redisUrl (else the cache Redis), or empty when there is neither. */
  private Optional<JobQueue> jobQueue(Optional<URI> cacheRedisUrl) {
    EdgechatConfig settings = config.get();
    Optional<URI> url = settings.redis().queueUrl().or(() -> embeddedQueueRedis).or(() -> cacheRedisUrl);
    if (url.isEmpty()) {
      LOG.warn("no queue Redis (queue.redisUrl, redis.url): no admin API, no asynchronous chat");
      return Optional.empty();
    }
    return Optional.of(JobQueue.create(vertx, url.get(), settings.queue(), settings.redis().connectTimeoutMs(),
        registry));
  }

  /**
   * Closes the queue first of all (pushed last): jobs under way drain for queue.drainTimeoutMs
   * while the pools and executors they use are still open.
   */
  private void closeFirst(JobQueue queue) {
    // the bound here only guards against a lost reply
    resources.push(() -> queue.close().toCompletionStage().toCompletableFuture()
        .get(config.get().queue().drainTimeoutMs() + 30_000, TimeUnit.MILLISECONDS));
  }

  /** The knowledge base's parts: documents, their embeddings and vector index, ingestion, versions. */
  private record KnowledgeParts(DocumentStore documents, EmbeddingModel embeddings, ChunkIndex index,
      VectorKnowledgeBase retrieval, Ingestion ingestion, SiteVersions versions) {
  }

  /** @param loadIndex whether the chunk index is built from Postgres (origin retrieves; a worker only writes) */
  private KnowledgeParts knowledgeParts(Database database, RedisAPI cacheRedis, boolean loadIndex) {
    EdgechatConfig settings = config.get();
    EmbeddingModel embeddings = Embeddings.create(vertx, config::get,
        settings.secrets().embeddingsKey().orElse(null), cacheRedis, registry);
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("edgechat-knowledge", 2);
    resources.push(workers::close);
    WorkerExecutor searches = vertx.createSharedWorkerExecutor("edgechat-retrieval", 2);
    resources.push(searches::close);
    ChunkIndex index = new ChunkIndex(database.writer(), workers, searches, embeddings.name(), embeddings.dimensions());
    resources.push(index);
    if (loadIndex) {
      index.load(vertx);
      long resyncMs = settings.knowledge().resyncMs();
      if (resyncMs > 0) {
        long timer = vertx.setPeriodic(resyncMs, id -> index.resync().onFailure(e -> LOG.warn(
            "chunk index resync failed, trying again next time [reason: {}]", e.toString())));
        resources.push(() -> vertx.cancelTimer(timer));
      }
    }
    DocumentStore documents = new DocumentStore(database.writer());
    SiteVersions versions = new SiteVersions(documents, cacheRedis);
    Chunker chunker = new Chunker(settings.knowledge().chunkTokens(), settings.knowledge().chunkOverlapTokens(),
        new HuggingFaceTokenCountEstimator()::estimateTokenCountInText);
    Ingestion ingestion = new Ingestion(documents, chunker, embeddings, loadIndex ? index : null, versions, workers);
    VectorKnowledgeBase retrieval = new VectorKnowledgeBase(database.reader(), embeddings, index,
        () -> config.get().knowledge().minPassageScore(), registry);
    return new KnowledgeParts(documents, embeddings, index, retrieval, ingestion, versions);
  }

  /**
   * Registers the job handlers and starts taking jobs: ingestion and deletes of documents, and
   * asynchronous chat (answered through origin, as an edge would).
   */
  private Future<Void> runJobs(JobQueue queue, KnowledgeParts knowledge, OriginClient origin) {
    new KnowledgeJobs(queue, config.get().queue().maxAttempts()).handleWith(knowledge.ingestion());
    if (origin != null) {
      queue.handle(AsyncChat.JOB_TYPE, AsyncChat.handler(origin));
    } else {
      LOG.warn("asynchronous chat jobs are left to other workers: origin.url is not set");
    }
    return queue.startWorker();
  }

  /**
   * @param redisUrl the region's cache Redis; without one the edge caches in-process only
   * @param extraChecks dependencies of this process's other roles, reported by the public /readyz too
   */
  private Future<Void> startEdge(URI originUrl, String edgeToken, Optional<URI> redisUrl,
      List<Readiness> extraChecks) {
    EdgechatConfig settings = config.get();
    List<Readiness> checks = new ArrayList<>(extraChecks);
    RedisAPI cacheRedis = null;
    if (redisUrl.isPresent()) {
      RedisConnection redis = RedisConnection.open(vertx, "redis", redisUrl.get(), settings.redis().connectTimeoutMs());
      resources.push(redis);
      checks.add(redis.readiness());
      cacheRedis = redis.api();
    } else {
      LOG.warn("no cache Redis configured (redis.url): answers are cached in this process only");
    }
    AnswerCache cache = new TieredAnswerCache(config, cacheRedis, registry, Scheduler.of(vertx));
    SemanticCache semantic = new SemanticCache(vertx, config, new MiniLmQuestionEmbedder(vertx,
        settings.cache().embedderThreads()), cache, MeaningGuard::new, registry, Scheduler.of(vertx));
    resources.push(() -> semantic.close());
    if (settings.cache().semantic()) {
      // loads the model (about a second) in the background: the edge serves meanwhile, semantic lookups wait
      semantic.warmUp().onFailure(e -> LOG.warn("the semantic cache's model failed to load: {}", e.toString()));
    }
    OriginClient origin = new OriginClient(vertx, () -> originUrl, edgeToken, settings.edge());
    SiteDirectory sites = new SiteDirectory(origin, config);
    redisUrl.ifPresent(url -> resources.push(SiteInvalidations.listen(vertx, url, invalidation -> {
      LOG.info("site changed, its cached answers retired [site: {}, version: {}]", invalidation.site(),
          invalidation.version());
      sites.forget(invalidation.site());
      cache.forgetSite(invalidation.site());
      semantic.forgetSite(invalidation.site());
    })));
    ResumeApi resumes = new ResumeApi(vertx, config, cacheRedis, registry);
    ChatApi chat = new ChatApi(vertx, config, sites, origin, cache, semantic, resumes, registry);
    // the OpenAI-compatible gateway shares the answer cache, its semantic level and the cache Redis
    GatewayApi gateway = new GatewayApi(vertx, config, cache, semantic, cacheRedis, registry);
    resources.push(gateway);
    checks.add(origin.readiness());
    OpsRoutes ops = new OpsRoutes(registry, checks);
    return WidgetAssets.load(vertx).compose(widget -> deployServer("edge", settings.http().host(),
        settings.http().port(), router -> {
      ops.mount(router);
      chat.mount(router);
      gateway.mount(router);
      widget.mount(router);
      resumes.mount(router);
      if (adminApi != null) {
        // role all: one public port, so the admin API of its origin is served there too
        adminApi.mount(router);
      }
      router.route("/*").handler(StaticHandler.create("webroot").setIndexPage("index.html"));
    })).map(p -> {
      edgePort = p;
      LOG.info("edge ready [url: http://localhost:{}/, region: {}, origin: {}]", p, settings.region(), originUrl);
      return null;
    });
  }

  /**
   * Runs the queue's jobs (ingestion on the primary Postgres, asynchronous chat through origin);
   * serves only /healthz, /readyz and /metrics on http.port.
   */
  private Future<Void> startWorker(URI postgresUrl) {
    EdgechatConfig settings = config.get();
    Optional<JobQueue> queue = jobQueue(settings.redis().url());
    if (queue.isEmpty()) {
      return Future.failedFuture(new ConfigException("setting queue.redisUrl (or redis.url) is required for role "
          + Role.WORKER.label()));
    }
    return blocking.executeBlocking(() -> {
      Migrations.migrate(postgresUrl);
      return null;
    }).compose(v -> {
      Database database = Database.open(vertx, postgresUrl, settings.postgres());
      resources.push(database);
      RedisAPI cacheRedis = settings.redis().url().map(this::connectRedis).orElse(null);
      KnowledgeParts knowledge = knowledgeParts(database, cacheRedis, false);
      if (settings.origin().url().isPresent() && settings.secrets().edgeToken().isEmpty()) {
        return Future.failedFuture(new ConfigException("EDGECHAT_EDGE_TOKEN is required for role "
            + Role.WORKER.label() + " when origin.url is set: asynchronous chat jobs ask origin with it"));
      }
      OriginClient origin = settings.origin().url()
          .map(url -> new OriginClient(vertx, () -> url, settings.secrets().edgeToken().get(), settings.edge()))
          .orElse(null);
      closeFirst(queue.get());
      OpsRoutes ops = new OpsRoutes(registry, List.of(queue.get().readiness(), database.readiness()));
      return runJobs(queue.get(), knowledge, origin)
          .compose(started -> deployServer("worker", settings.http().host(), settings.http().port(), ops::mount))
          .map(p -> {
            workerPort = p;
            LOG.info("worker ready [ops: http://localhost:{}/readyz]", p);
            return null;
          });
    });
  }

  private Future<Void> startSim() {
    EdgechatConfig settings = config.get();
    SimulatorApi sim = new SimulatorApi(vertx, settings.sim());
    OpsRoutes ops = new OpsRoutes(registry, List.of());
    return deployServer("sim", settings.http().host(), settings.http().port(), router -> {
      ops.mount(router);
      sim.mount(router);
    }).map(p -> {
      simPort = p;
      LOG.info("sim ready [url: http://localhost:{}/v1, settings: {}]", p, settings.sim());
      return null;
    });
  }

  /**
   * Deploys one server instance per event loop (http.instances); the instances share the port.
   * Vert.x gives each instance its own port when asked for port 0, so for port 0 a free port is
   * chosen first and all instances bind that one.
   */
  private Future<Integer> deployServer(String name, String host, int port, Consumer<Router> routes) {
    int instances = config.get().http().instances() > 0
        ? config.get().http().instances()
        : Runtime.getRuntime().availableProcessors();
    int chosen;
    try {
      chosen = port > 0 ? port : freePort(host);
    } catch (IOException e) {
      return Future.failedFuture(e);
    }
    long drainTimeoutMs = config.get().http().drainTimeoutMs();
    return vertx.deployVerticle(() -> new HttpServerVerticle(name, options(host, chosen), routes, drainTimeoutMs),
            new DeploymentOptions().setInstances(instances))
        .map(id -> {
          deployments.push(id);
          return chosen;
        });
  }

  private static int freePort(String host) throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(host))) {
      return socket.getLocalPort();
    }
  }

  private static HttpServerOptions options(String host, int port) {
    return new HttpServerOptions()
        .setHost(host)
        .setPort(port)
        .setTcpNoDelay(true)
        .setCompressionSupported(true)
        // close connections silent for 2 minutes; SSE streams write a heartbeat at least every 15 s
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS);
  }

  private static URI required(Optional<URI> url, String setting, Role role) {
    return url.orElseThrow(() -> new ConfigException("setting " + setting + " is required for role "
        + role.label()));
  }

  private static String edgeToken(LiveConfig config, Role role) {
    return config.get().secrets().edgeToken().orElseThrow(() -> new ConfigException(
        "EDGECHAT_EDGE_TOKEN must be set for role " + role.label() + " (the secret shared by edges and origin)"));
  }
}
