package dev.edgechat.roles;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Database;
import dev.edgechat.db.Migrations;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.ops.Drain;
import dev.edgechat.ops.OpsRoutes;
import dev.edgechat.ops.Readiness;
import dev.edgechat.ops.logging.RequestLog;
import dev.edgechat.ops.tracing.Tracing;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.web.ExchangesInFlight;
import dev.edgechat.web.HttpServerVerticle;
import dev.edgechat.ops.SiteTags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the roles of one process are assembled on: its Vert.x, metrics registry and settings, a
 * worker pool for blocking start-up steps (migrations, embedded databases), and the
 * {@link Teardown} that every part is registered with as it starts. {@link #close()} stops them all.
 */
public final class RoleContext {

  private static final Logger LOG = LoggerFactory.getLogger(RoleContext.class);
  /**
   * Vert.x shares one listening socket among servers asking for the same port; for port 0 each
   * would get a port of its own, but servers asking for the same negative port share one random
   * port. Each deployment on "any port" takes a negative number of its own from here.
   */
  private static final AtomicInteger SHARED_RANDOM_PORTS = new AtomicInteger();
  /** Time for the flushes and closes after the drains (a batch to origin, the write-behind, the pools). */
  private static final long FLUSH_BOUND_MS = 15_000;

  final Vertx vertx;
  final PrometheusMeterRegistry registry;
  final LiveConfig config;
  final Teardown teardown = new Teardown();
  /** The bounded {@code site} label of this process's metrics, shared by its roles (role all: edge and origin). */
  final SiteTags siteTags = new SiteTags();
  /** This process's drain: every server's /readyz and stream routes follow it. */
  final Drain drain;
  private final WorkerExecutor blocking;
  /** Every dependency the roles' /readyz report, for the operations port's. */
  private final List<Readiness> checks = new CopyOnWriteArrayList<>();

  public RoleContext(Vertx vertx, PrometheusMeterRegistry registry, LiveConfig config) {
    this.vertx = Objects.requireNonNull(vertx);
    this.registry = Objects.requireNonNull(registry);
    this.config = Objects.requireNonNull(config);
    this.drain = new Drain(config.get().http().drainTimeoutMs(), config.get().edge().flyReplay());
    this.blocking = vertx.createSharedWorkerExecutor("edgechat-startup", 2, 10, TimeUnit.MINUTES);
  }

  /**
   * Drains and stops everything this process started ({@link Teardown}): /readyz says 503 and new
   * streams are refused at once; the streams and jobs under way finish (for at most
   * http.drainTimeoutMs and queue.drainTimeoutMs); then the ports close, the edge's records and
   * origin's write-behind are flushed, the pools close, and the embedded databases stop last.
   * Succeeds when all was tried.
   */
  public Future<Void> close() {
    return teardown.close(vertx, blocking, drain).onComplete(v -> blocking.close());
  }

  /**
   * The longest {@link #close()} should take: the longer of the two drains, and time for the
   * flushes and closes after them. What stops the process waits this long at most.
   */
  public long stopBoundMs() {
    EdgechatConfig settings = config.get();
    return Math.max(settings.http().drainTimeoutMs(), settings.queue().drainTimeoutMs()) + FLUSH_BOUND_MS;
  }

  /**
   * The ops routes of a server of this process: /readyz reports the dependencies (in detail on the
   * operations port when there is one), and 503 while draining.
   */
  OpsRoutes ops(List<Readiness> checks) {
    checks.forEach(check -> {
      if (!this.checks.contains(check)) {
        this.checks.add(check);
      }
    });
    return new OpsRoutes(registry, checks, drain::draining, config.get().http().metricsPort() == 0);
  }

  /**
   * Serves {@code /metrics}, the detailed {@code /readyz} (every dependency of this process's roles)
   * and {@code /healthz} on {@code http.metricsPort} when it is set, so a scraper on the private
   * network reads them from a port the public service does not expose; succeeds with that port, or
   * with -1 when the setting is 0 (all stays on each role's port).
   */
  public Future<Integer> serveMetrics() {
    EdgechatConfig settings = config.get();
    if (settings.http().metricsPort() == 0) {
      return Future.succeededFuture(-1);
    }
    return serve("metrics", settings.http().host(), settings.http().metricsPort(),
        router -> new OpsRoutes(registry, checks, drain::draining, false).mountOperations(router));
  }

  /**
   * Turns traces on when {@code tracing.otlpEndpoint} is set, as service {@code edgechat-<role>};
   * called before any part starts, so the spans are sent after every part stopped (the last step).
   */
  public void startTraces(String role) {
    EdgechatConfig settings = config.get();
    Tracing.start(vertx, settings.tracing(), role, settings.region()).ifPresent(teardown::add);
  }

  /** Runs a blocking start-up step on the start-up pool, never on the event loop. */
  <T> Future<T> blocking(Callable<T> step) {
    return blocking.executeBlocking(step);
  }

  /** Brings the schema at {@code postgresUrl} up to date; fails when a migration fails. */
  Future<Void> migrate(URI postgresUrl) {
    return blocking(() -> {
      Migrations.migrate(postgresUrl);
      return null;
    });
  }

  /** The pools of the Postgres at {@code url} (and its replicas), closed at teardown. */
  Database database(URI url) {
    return teardown.add(Database.open(vertx, url, config.get().postgres(), registry));
  }

  /** A connection to the Redis at {@code url}, closed at teardown. */
  RedisConnection redis(URI url) {
    return teardown.add(RedisConnection.open(vertx, "redis", url, config.get().redis().connectTimeoutMs()));
  }

  /**
   * The job queue on the Redis at {@code url}, or empty when there is none; at teardown it is
   * closed right after the servers, so jobs under way drain while the pools are still open.
   */
  Optional<JobQueue> jobQueue(Optional<URI> url) {
    if (url.isEmpty()) {
      LOG.warn("no queue Redis (queue.redisUrl, redis.url): no admin API, no asynchronous chat");
      return Optional.empty();
    }
    EdgechatConfig settings = config.get();
    JobQueue queue = JobQueue.create(vertx, url.get(), settings.queue(), settings.redis().connectTimeoutMs(), registry);
    // the connections close in turn, after the parts started later (origin's server) stopped
    teardown.step(queue::close);
    // running jobs finish while the ports are open (in role all they ask this process's origin)
    teardown.underWay(queue::drain, settings.queue().drainTimeoutMs() + FLUSH_BOUND_MS);
    return Optional.of(queue);
  }

  /**
   * Deploys one server instance per event loop (http.instances), all sharing one port, and
   * succeeds with that port: {@code port}, or for 0 a free one that the first instance binds and
   * the others share (no port is chosen first and bound later, so none can be taken in between).
   */
  Future<Integer> serve(String name, String host, int port, Consumer<Router> routes) {
    int instances = config.get().http().instances() > 0
        ? config.get().http().instances()
        : Runtime.getRuntime().availableProcessors();
    int asked = port > 0 ? port : -SHARED_RANDOM_PORTS.incrementAndGet();
    ExchangesInFlight exchanges = new ExchangesInFlight();
    List<HttpServerVerticle> servers = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
          // each request's lines name this server's role, the region and the request's trace (docs/observability.md)
          RequestLog requestLog = new RequestLog(name, () -> config.get().region());
          HttpServerVerticle server = new HttpServerVerticle(name, options(host, asked), router -> {
            router.route().handler(requestLog);
            routes.accept(router);
          }, drain::remainingMs, exchanges, config.get().http().headerTimeoutMs());
          servers.add(server);
          return server;
        }, new DeploymentOptions().setInstances(instances))
        .map(id -> {
          teardown.server(id, exchanges::idle);
          return servers.get(0).actualPort();
        });
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
}
