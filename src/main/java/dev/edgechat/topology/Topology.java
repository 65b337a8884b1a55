package dev.edgechat.topology;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge network as deployed, on one machine: a multi-region deployment of real processes on
 * loopback. The primary region runs a Postgres primary with a streaming replica, its own Redis, the
 * queue Redis, origin, worker and (optionally) the {@code sim} LLM upstream; every other region runs
 * an edge and its own Redis. On request the primary region runs an edge too, on the primary's Redis
 * (today's single-region deployment, for the bench to reach from far away). Each role is a JVM of its
 * own started from this JVM's {@code java} and class path, configured only by environment variables,
 * as an orchestrator would start it. A {@link DelayProxy} stands for each distance: edge to origin
 * (80–200 ms) and role to its region's Redis (~1 ms). {@code topology.json} in the base folder says what runs where.
 *
 * <p>Design note: written by hand, as plain blocking code, because nothing off the shelf runs here:
 * there is no Docker engine for Compose or Testcontainers, and the embedded Postgres the tests use
 * cannot make a replica. Debian's Postgres 15 can ({@code initdb}, {@code pg_basebackup -R} with a
 * physical slot), and its {@code redis-server} is the real thing. A launcher waits for one part after
 * another, so each step is a blocking call with a deadline whose failure names the part and quotes
 * its log; only the delay proxies run on Vert.x, on the launcher's own instance. Everything started is
 * stopped in reverse order by {@link #close()} (roles with SIGTERM first, so they drain, then the proxies,
 * Redis, and Postgres with a fast shutdown), also from a JVM shutdown hook, so nothing is left behind.
 */
public final class Topology implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Topology.class);
  static final String QUEUE = "queue";
  private static final Duration ROLE_STOP_GRACE = Duration.ofSeconds(30);

  private final TopologySettings settings;
  private final Path baseDir;
  private final boolean temporary;
  private final Vertx vertx = Vertx.vertx();
  private final String edgeToken = secret();
  private final String adminToken = secret();
  /** What to stop, last started first. */
  private final Deque<Stoppable> started = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook = new Thread(this::stopAll, "edgechat-topology-stop");

  private PostgresCluster postgres;
  private final Map<String, RedisServerProcess> redis = new LinkedHashMap<>();
  private final Map<String, DelayProxy> redisProxies = new LinkedHashMap<>();
  private final Map<String, DelayProxy> originProxies = new LinkedHashMap<>();
  private final Map<String, RoleProcess> edges = new LinkedHashMap<>();
  private RoleProcess sim;
  private RoleProcess origin;
  private RoleProcess worker;
  private Duration startup;

  private interface Stoppable {
    void stop() throws Exception;
  }

  private Topology(TopologySettings settings, Path baseDir, boolean temporary) {
    this.settings = settings;
    this.baseDir = baseDir;
    this.temporary = temporary;
  }

  /**
   * Starts every part and waits until each role answers {@code /readyz} with 200 (and, when asked,
   * the demo site is loaded and replicated).
   *
   * @throws TopologyException naming the part that did not start, with its log's last lines; what had
   *     started is stopped again
   */
  public static Topology start(TopologySettings settings) {
    ServiceBinaries binaries = ServiceBinaries.find();
    Topology topology = new Topology(settings, baseDir(settings), settings.baseDir().isEmpty());
    Runtime.getRuntime().addShutdownHook(topology.shutdownHook);
    long begin = System.nanoTime();
    try {
      topology.startParts(binaries);
    } catch (RuntimeException e) {
      topology.close();
      throw e;
    }
    topology.startup = Duration.ofNanos(System.nanoTime() - begin);
    topology.writeDescription();
    LOG.info("topology ready in {} ms [base: {}]", topology.startup.toMillis(), topology.baseDir);
    return topology;
  }

  private void startParts(ServiceBinaries binaries) {
    String primary = settings.primaryRegion();
    postgres = PostgresCluster.start(baseDir.resolve("postgres"), binaries);
    track(postgres::close);
    startRedis(primary, baseDir.resolve(primary).resolve("redis"), binaries, "allkeys-lru", "128mb");
    startRedis(QUEUE, baseDir.resolve(primary).resolve("queue-redis"), binaries, "noeviction", "256mb");
    for (EdgeRegion region : settings.edgeRegions()) {
      startRedis(region.name(), baseDir.resolve(region.name()).resolve("redis"), binaries, "allkeys-lru", "128mb");
    }
    JavaCommand java = JavaCommand.current(settings.jvmOptions());
    if (settings.sim()) {
      sim = startRole(java, "sim", primary, new LinkedHashMap<>());
    }
    origin = startRole(java, "origin", primary, originEnvironment());
    worker = startRole(java, "worker", primary, workerEnvironment());
    if (settings.seedDemoSite()) {
      new DemoSiteUpload(origin.url(), adminToken).upload(Duration.ofMinutes(2));
      postgres.awaitReplicaCaughtUp(Duration.ofSeconds(30));
    }
    // the primary region's own edge, when asked for, first; it shares the primary region's Redis
    for (EdgeRegion region : settings.edges()) {
      DelayProxy toOrigin = DelayProxy.start(vertx, origin.port(), region.originRttMs()).await();
      track(toOrigin::close);
      originProxies.put(region.name(), toOrigin);
      edges.put(region.name(), startRole(java, "edge", region.name(), edgeEnvironment(region.name())));
    }
  }

  private void startRedis(String name, Path dir, ServiceBinaries binaries, String policy, String maxMemory) {
    RedisServerProcess server = RedisServerProcess.start(name, dir, binaries, policy, maxMemory);
    track(server::close);
    redis.put(name, server);
    DelayProxy near = DelayProxy.start(vertx, server.port(), settings.redisRttMs()).await();
    track(near::close);
    redisProxies.put(name, near);
  }

  private RoleProcess startRole(JavaCommand java, String role, String region, Map<String, String> environment) {
    int port = LoopbackPorts.free();
    environment.put("EDGECHAT_REGION", region);
    environment.put("EDGECHAT_HTTP_PORT", String.valueOf(port));
    environment.put("EDGECHAT_HTTP_HOST", "127.0.0.1");
    RoleProcess process = RoleProcess.launch(java, role, region, port, environment,
        baseDir.resolve(region).resolve(role));
    track(() -> {
      int exit = process.stop(ROLE_STOP_GRACE);
      if (exit != 0 && exit != 143) {
        LOG.warn("{} stopped with exit code {} [log: {}]", process.describe(), exit, process.log());
      }
    });
    process.awaitReady(settings.readyTimeout());
    LOG.info("{} ready in {} ms [url: {}, rss: {} MiB]", process.describe(), process.timeToReady().toMillis(),
        process.url(), process.readyRssKb() / 1024);
    return process;
  }

  private Map<String, String> originEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("EDGECHAT_POSTGRES_URL", postgres.primaryUrl().toString());
    env.put("EDGECHAT_POSTGRES_REPLICA_URLS", postgres.replicaUrl().toString());
    env.put("EDGECHAT_REDIS_URL", regionalRedisUrl(settings.primaryRegion()).toString());
    env.put("EDGECHAT_QUEUE_REDIS_URL", regionalRedisUrl(QUEUE).toString());
    env.put("EDGECHAT_EDGE_TOKEN", edgeToken);
    env.put("EDGECHAT_ADMIN_TOKEN", adminToken);
    if (sim != null) {
      env.put("EDGECHAT_LLM_BASE_URL", sim.url().resolve("/v1").toString());
      env.put("EDGECHAT_LLM_API_KEY", "sim");
    }
    return env;
  }

  private Map<String, String> workerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("EDGECHAT_POSTGRES_URL", postgres.primaryUrl().toString());
    env.put("EDGECHAT_POSTGRES_REPLICA_URLS", postgres.replicaUrl().toString());
    env.put("EDGECHAT_REDIS_URL", regionalRedisUrl(settings.primaryRegion()).toString());
    env.put("EDGECHAT_QUEUE_REDIS_URL", regionalRedisUrl(QUEUE).toString());
    // asynchronous chat asks origin, in the same region
    env.put("EDGECHAT_ORIGIN_URL", origin.url().toString());
    env.put("EDGECHAT_EDGE_TOKEN", edgeToken);
    return env;
  }

  private Map<String, String> edgeEnvironment(String region) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("EDGECHAT_ORIGIN_URL", originUrlFrom(region).toString());
    env.put("EDGECHAT_EDGE_TOKEN", edgeToken);
    env.put("EDGECHAT_REDIS_URL", regionalRedisUrl(region).toString());
    // on one machine every visitor is 127.0.0.1: a limit per address would be one limit for all of them
    // (the limits per visitor id and per site stay as deployed; docs/limits.md)
    env.put("EDGECHAT_LIMITS_IP_CHATS_PER_MINUTE", "0");
    env.put("EDGECHAT_LIMITS_IP_READS_PER_MINUTE", "0");
    return env;
  }

  /** The settings it was started with. */
  public TopologySettings settings() {
    return settings;
  }

  /** Where logs, data and {@code topology.json} are. */
  public Path baseDir() {
    return baseDir;
  }

  public PostgresCluster postgres() {
    return postgres;
  }

  public RoleProcess origin() {
    return origin;
  }

  public RoleProcess worker() {
    return worker;
  }

  /** The sim upstream, when the settings asked for it. */
  public Optional<RoleProcess> sim() {
    return Optional.ofNullable(sim);
  }

  /** The edges, by region: the primary region's own first, when there is one, then the settings' order. */
  public Map<String, RoleProcess> edges() {
    return Collections.unmodifiableMap(edges);
  }

  /** The edge of {@code region}; fails for a region without one. */
  public RoleProcess edge(String region) {
    RoleProcess edge = edges.get(region);
    if (edge == null) {
      throw new IllegalArgumentException("no edge in region " + region + "; edges run in " + edges.keySet());
    }
    return edge;
  }

  /**
   * The regions other than the primary one, each with its edge, in the settings' order; an edge in the
   * primary region ({@link TopologySettings#primaryEdgeRttMs}) is in {@link #edges()}, not here.
   */
  public List<EdgeRegion> edgeRegions() {
    return settings.edgeRegions();
  }

  /** The Redis of {@code region}, or the queue Redis for {@code "queue"}. */
  public RedisServerProcess redis(String region) {
    RedisServerProcess server = redis.get(region);
    if (server == null) {
      throw new IllegalArgumentException("no Redis named " + region + "; there are " + redis.keySet());
    }
    return server;
  }

  public RedisServerProcess queueRedis() {
    return redis(QUEUE);
  }

  /** A region's Redis as the roles of that region reach it: through its ~1 ms proxy. */
  public URI regionalRedisUrl(String region) {
    redis(region);
    return URI.create("redis://127.0.0.1:" + redisProxies.get(region).port());
  }

  /**
   * The delay proxy between the roles and the Redis named {@code name} (a region, or {@code "queue"}):
   * cut it for a Redis outage that keeps the data.
   */
  public DelayProxy redisProxy(String name) {
    redis(name);
    return redisProxies.get(name);
  }

  /** Origin as the edge of {@code region} reaches it: through that region's distance. */
  public URI originUrlFrom(String region) {
    DelayProxy proxy = originProxies.get(region);
    if (proxy == null) {
      throw new IllegalArgumentException("no edge region " + region + "; edges run in " + originProxies.keySet());
    }
    return URI.create("http://127.0.0.1:" + proxy.port());
  }

  /** The delay proxy between the edge of {@code region} and origin: cut it to cut that region off. */
  public DelayProxy originProxy(String region) {
    DelayProxy proxy = originProxies.get(region);
    if (proxy == null) {
      throw new IllegalArgumentException("no edge region " + region + "; edges run in " + originProxies.keySet());
    }
    return proxy;
  }

  /** The round trip set between the edge of {@code region} and origin. */
  public long originRttMs(String region) {
    return settings.edges().stream().filter(r -> r.name().equals(region)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no edge region " + region)).originRttMs();
  }

  /** The secret shared by edges, worker and origin. */
  public String edgeToken() {
    return edgeToken;
  }

  /** The bearer token of origin's admin API. */
  public String adminToken() {
    return adminToken;
  }

  /** From the first part started to the last role ready (and the demo site loaded). */
  public Duration startup() {
    return startup;
  }

  /** Every role, primary region first: sim, origin, worker, then the edges. */
  public List<RoleProcess> roles() {
    return Stream.concat(Stream.of(sim, origin, worker), edges.values().stream())
        .filter(Objects::nonNull).toList();
  }

  /** What runs where, as a table for a terminal. */
  public String table() {
    return new TopologyDescription(this).table();
  }

  /** Stops everything, last started first, and deletes the base folder when it was a temporary one. */
  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook is running or ran
    }
  }

  /**
   * Remembers what to stop; when the topology was stopped meanwhile (a Ctrl-C while it starts), stops
   * it at once instead and ends the start.
   */
  private synchronized void track(Stoppable part) {
    if (closed.get()) {
      try {
        part.stop();
      } catch (Exception e) {
        LOG.warn("a part of the topology did not stop cleanly [reason: {}]", e.toString());
      }
      throw new TopologyException("the topology was stopped while it started");
    }
    started.push(part);
  }

  private synchronized void stopAll() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    while (!started.isEmpty()) {
      try {
        started.pop().stop();
      } catch (Exception e) {
        LOG.warn("a part of the topology did not stop cleanly [reason: {}]", e.toString());
      }
    }
    try {
      vertx.close().await();
    } catch (RuntimeException e) {
      LOG.warn("the delay proxies' Vert.x did not close cleanly [reason: {}]", e.toString());
    }
    if (temporary) {
      delete(baseDir);
    }
    LOG.info("topology stopped [base: {}{}]", baseDir, temporary ? ", deleted" : "");
  }

  private void writeDescription() {
    try {
      Files.writeString(baseDir.resolve("topology.json"), new TopologyDescription(this).json().encodePrettily() + "\n",
          StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write topology.json in " + baseDir, e);
    }
  }

  private static Path baseDir(TopologySettings settings) {
    try {
      Path dir = settings.baseDir().isPresent()
          ? Files.createDirectories(settings.baseDir().get().toAbsolutePath())
          : Files.createTempDirectory("edgechat-topology-");
      if (settings.baseDir().isEmpty()) {
        // the postgres user (Postgres's servers run as it when this runs as root) must pass through
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create the topology's base folder", e);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> tree = Files.walk(dir)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("the topology's base folder was not deleted whole [dir: {}, reason: {}]", dir, e.toString());
    }
  }

  private static String secret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
