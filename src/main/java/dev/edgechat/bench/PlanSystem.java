package dev.edgechat.bench;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.topology.DelayProxy;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.EmbeddedPostgresServer;
import dev.edgechat.roles.EdgechatVertx;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The system the {@code plan} scenario measures, started in this process: once, Postgres and two
 * Redis servers (embedded, the cache's and the queue's) and the {@code sim} upstream; for each
 * phase, a fresh origin-and-edge ({@code all}, the central deployment) with that phase's settings,
 * and for "edge deployment" also an {@code edge} role process near the visitor. Each role runs on a
 * Vert.x of its own with its own metrics, as separate processes would (they share this JVM's heap
 * and the machine's two cores). Settings reach them exactly as in production: as
 * {@code EDGECHAT_*} variables over {@code edge-config/edgechat.yaml}'s defaults.
 *
 * <p>Distances come from {@link DelayProxy}s: visitor to the central edge {@code visitorOriginRttMs},
 * visitor to the near edge {@code visitorEdgeRttMs}, near edge to origin {@code edgeOriginRttMs}.
 * Between phases the cache Redis and the queue Redis are emptied, so each phase starts cold.
 */
final class PlanSystem implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PlanSystem.class);
  static final String ADMIN_TOKEN = "bench-admin-" + UUID.randomUUID();
  static final int LLM_POOL_SIZE = 1000;
  private static final String EDGE_TOKEN = "bench-edge-" + UUID.randomUUID();

  /** Distances between the parties, as round-trip times. */
  record Distances(long visitorOriginRttMs, long visitorEdgeRttMs, long edgeOriginRttMs) {
  }

  /** One phase's running processes: where visitors ask, and the metrics of origin and edge. */
  record Deployment(URI visitorUrl, URI centralUrl, PrometheusMeterRegistry originMetrics,
      PrometheusMeterRegistry edgeMetrics, List<AutoCloseable> parts) implements AutoCloseable {

    @Override
    public void close() {
      closeAll(parts, "a part of the phase");
    }
  }

  private final Vertx vertx;
  private final Path data;
  private final Distances distances;
  private final Map<String, String> simSettings;
  private final List<AutoCloseable> started = new ArrayList<>();
  private EmbeddedPostgresServer postgres;
  private EmbeddedRedisServer cacheRedis;
  private EmbeddedRedisServer queueRedis;
  private Vertx simVertx;
  private Application sim;
  private RedisConnection cacheFlush;
  private RedisConnection queueFlush;

  /**
   * @param vertx the load generator's Vert.x: proxies and Redis flushes run on it
   * @param simSettings {@code EDGECHAT_SIM_*} variables of the sim
   */
  PlanSystem(Vertx vertx, Distances distances, Map<String, String> simSettings) throws Exception {
    this.vertx = Objects.requireNonNull(vertx);
    this.distances = Objects.requireNonNull(distances);
    this.simSettings = Map.copyOf(simSettings);
    this.data = Files.createTempDirectory("edgechat-bench-plan");
  }

  /** Starts the parts every phase shares. */
  void start() throws Exception {
    postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), 0);
    started.add(0, postgres);
    cacheRedis = EmbeddedRedisServer.start(data.resolve("redis"), 0, "allkeys-lru", "512mb");
    started.add(0, cacheRedis);
    queueRedis = EmbeddedRedisServer.start(data.resolve("redis-queue"), 0, "noeviction", "512mb");
    started.add(0, queueRedis);
    simVertx = EdgechatVertx.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    Map<String, String> env = new HashMap<>(simSettings);
    env.put("EDGECHAT_HTTP_PORT", "0");
    sim = Application.start(simVertx, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), load(simVertx, env),
        Role.SIM).await();
    started.add(0, () -> {
      sim.close().await();
      simVertx.close().await();
    });
    cacheFlush = RedisConnection.open(vertx, "bench-flush", cacheRedis.url(), 2000);
    started.add(0, cacheFlush);
    queueFlush = RedisConnection.open(vertx, "bench-flush-queue", queueRedis.url(), 2000);
    started.add(0, queueFlush);
    LOG.info("plan system started [postgres: {}, sim: {}]", postgres.url(), simUrl());
  }

  URI simUrl() {
    return URI.create("http://127.0.0.1:" + sim.simPort());
  }

  /**
   * Starts one phase's deployment with {@code switches} over the common settings.
   *
   * @param nearEdge whether visitors ask an edge near them (which asks origin far away) rather than
   *     the central edge far away
   */
  Deployment deploy(Map<String, String> switches, boolean nearEdge) throws Exception {
    cacheFlush.api().flushall(List.of()).await();
    queueFlush.api().flushall(List.of()).await();
    List<AutoCloseable> parts = new ArrayList<>();
    Map<String, String> env = common();
    env.put("EDGECHAT_REGION", "central");
    env.putAll(switches);
    PrometheusMeterRegistry originMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx centralVertx = EdgechatVertx.create(originMetrics);
    Application central;
    try {
      central = Application.start(centralVertx, originMetrics, load(centralVertx, env), Role.ALL).await();
    } catch (RuntimeException e) {
      centralVertx.close().await();
      throw e;
    }
    parts.add(0, () -> {
      central.close().await();
      centralVertx.close().await();
    });
    URI centralUrl = URI.create("http://127.0.0.1:" + central.edgePort());
    PrometheusMeterRegistry edgeMetrics = originMetrics;
    URI visitorUrl;
    if (nearEdge) {
      DelayProxy toOrigin = DelayProxy.start(vertx, central.originPort(), distances.edgeOriginRttMs()).await();
      parts.add(0, toOrigin);
      Map<String, String> edgeEnv = common();
      edgeEnv.putAll(switches);
      edgeEnv.put("EDGECHAT_REGION", "near");
      edgeEnv.put("EDGECHAT_ORIGIN_URL", "http://127.0.0.1:" + toOrigin.port());
      edgeMetrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      Vertx edgeVertx = EdgechatVertx.create(edgeMetrics);
      Application edge = Application.start(edgeVertx, edgeMetrics, load(edgeVertx, edgeEnv), Role.EDGE).await();
      parts.add(0, () -> {
        edge.close().await();
        edgeVertx.close().await();
      });
      DelayProxy visitor = DelayProxy.start(vertx, edge.edgePort(), distances.visitorEdgeRttMs()).await();
      parts.add(0, visitor);
      visitorUrl = URI.create("http://127.0.0.1:" + visitor.port());
    } else {
      DelayProxy visitor = DelayProxy.start(vertx, central.edgePort(), distances.visitorOriginRttMs()).await();
      parts.add(0, visitor);
      visitorUrl = URI.create("http://127.0.0.1:" + visitor.port());
    }
    return new Deployment(visitorUrl, centralUrl, originMetrics, edgeMetrics, parts);
  }

  /**
   * Creates {@code site} with one document per intent through the admin API of {@code central}
   * and waits until every document is ingested.
   */
  void seedSite(WebClient client, URI central, String site, List<List<String>> intents) {
    CatalogueSites sites = new CatalogueSites(client, central, ADMIN_TOKEN);
    sites.create(site, intents);
    sites.awaitIngested(Map.of(site, intents.size()), Duration.ofSeconds(120));
  }

  /** The sim's counters since the last reset ({@code GET /sim/stats}). */
  JsonObject simStats(WebClient client) {
    return new JsonObject(call(client, HttpMethod.GET, simUrl() + "/sim/stats", null));
  }

  void resetSimStats(WebClient client) {
    call(client, HttpMethod.POST, simUrl() + "/sim/stats/reset", null);
  }

  /** A blocking admin or sim call, from the scenario's own thread (never an event loop). */
  private static String call(WebClient client, HttpMethod method, String url, JsonObject body) {
    return CatalogueSites.call(client, ADMIN_TOKEN, method, url, body);
  }

  private Map<String, String> common() {
    Map<String, String> env = new HashMap<>();
    env.put("EDGECHAT_HTTP_PORT", "0");
    env.put("EDGECHAT_DATA_DIR", data.toString());
    env.put("EDGECHAT_CONFIG_SCAN_PERIOD_MS", "0");
    env.put("EDGECHAT_POSTGRES_URL", postgres.url().toString());
    env.put("EDGECHAT_REDIS_URL", cacheRedis.url().toString());
    env.put("EDGECHAT_QUEUE_REDIS_URL", queueRedis.url().toString());
    env.put("EDGECHAT_LLM_BASE_URL", simUrl() + "/v1");
    env.put("EDGECHAT_LLM_API_KEY", "bench");
    // the plan measures the system, from one address: the visitor API's abuse limits would refuse its load
    env.put("EDGECHAT_LIMITS_ENABLED", "false");
    // answers of ~12 s at tens of visits a second keep hundreds of upstream streams open; the default
    // pool (64) would queue them at origin, so every phase, the baseline included, gets room for them
    env.put("EDGECHAT_LLM_POOL_SIZE", Integer.toString(LLM_POOL_SIZE));
    env.put("EDGECHAT_EMBEDDINGS_PROVIDER", "remote");
    env.put("EDGECHAT_EMBEDDINGS_DIMENSIONS", simSettings.getOrDefault("EDGECHAT_SIM_EMBEDDING_DIMENSIONS", "256"));
    env.put("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN);
    // a phase's deployment is stopped once measured: answers cut on purpose need not be waited for
    env.put("EDGECHAT_HTTP_DRAIN_TIMEOUT_MS", "200");
    env.put("EDGECHAT_QUEUE_DRAIN_TIMEOUT_MS", "200");
    env.put("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN);
    return env;
  }

  private LiveConfig load(Vertx on, Map<String, String> env) throws Exception {
    return new ConfigLoader(on, Files.createTempDirectory(data, "config"), env).load().await();
  }

  @Override
  public void close() {
    closeAll(started, "a shared part");
    started.clear();
    deleteData();
  }

  /** Closes each of {@code parts} in order; one that fails is logged and the others still close. */
  private static void closeAll(List<AutoCloseable> parts, String what) {
    for (AutoCloseable part : parts) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("{} did not stop cleanly", what, e);
      }
    }
  }

  /** Removes this run's data folder (Postgres, Redis, config layers): each run starts from nothing. */
  private void deleteData() {
    try (Stream<Path> paths = Files.walk(data)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("the run's data folder was not removed [folder: {}, reason: {}]", data, e.toString());
    }
  }
}
