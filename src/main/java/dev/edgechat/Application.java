package dev.edgechat;

import dev.edgechat.config.ConfigException;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.edge.OriginClient;
import dev.edgechat.ops.LatencyBuckets;
import dev.edgechat.roles.EdgeRole;
import dev.edgechat.roles.LocalStores;
import dev.edgechat.roles.OriginRole;
import dev.edgechat.roles.RoleContext;
import dev.edgechat.roles.SimRole;
import dev.edgechat.roles.WorkerJobs;
import dev.edgechat.roles.WorkerRole;
import dev.edgechat.web.Ids;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The one place that composes the roles: which role classes ({@code dev.edgechat.roles}) a role
 * starts, with what, in what order; role {@code all} is origin, the queue's jobs and an edge,
 * each given what the one before it started. Everything started is drained and stopped again by
 * {@link #close()}, embedded databases last.
 */
public final class Application {

  /** The ports a role listens on; -1 for a server it does not run. */
  private record Ports(int edge, int origin, int worker, int sim) {

    static Ports edge(int port) {
      return new Ports(port, -1, -1, -1);
    }

    static Ports origin(int port) {
      return new Ports(-1, port, -1, -1);
    }

    static Ports worker(int port) {
      return new Ports(-1, -1, port, -1);
    }

    static Ports sim(int port) {
      return new Ports(-1, -1, -1, port);
    }
  }

  private final RoleContext context;
  private final Ports ports;

  private Application(RoleContext context, Ports ports) {
    this.context = Objects.requireNonNull(context);
    this.ports = Objects.requireNonNull(ports);
  }

  /** Starts {@code role}; fails (having stopped what it started) when a part cannot start. */
  public static Future<Application> start(Vertx vertx, PrometheusMeterRegistry registry, LiveConfig config,
      Role role) {
    LatencyBuckets.applyTo(registry); // every latency a histogram (a no-op when EdgechatVertx did it)
    RoleContext context = new RoleContext(vertx, registry, config);
    Future<Ports> started;
    try {
      context.startTraces(role.label());
      started = start(vertx, context, config.get(), role)
          .compose(ports -> context.serveMetrics().map(ports));
    } catch (ConfigException e) {
      started = Future.failedFuture(e);
    }
    return started
        .map(ports -> new Application(context, ports))
        .recover(e -> context.close().transform(v -> Future.failedFuture(e)));
  }

  private static Future<Ports> start(Vertx vertx, RoleContext context, EdgechatConfig settings, Role role) {
    return switch (role) {
      case ALL -> startAll(vertx, context, settings);
      case EDGE -> new EdgeRole(context)
          .start(required(settings.origin().url(), "origin.url", role), edgeToken(settings, role),
              settings.redis().url(), List.of(), Optional.empty())
          .map(Ports::edge);
      case ORIGIN -> new OriginRole(context)
          .start(required(settings.postgres().url(), "postgres.url", role), edgeToken(settings, role),
              settings.redis().url(), queueRedis(settings), settings.http().host(), settings.http().port(), false)
          .map(origin -> Ports.origin(origin.port()));
      case WORKER -> new WorkerRole(context)
          .start(required(settings.postgres().url(), "postgres.url", role), queueRedis(settings))
          .map(Ports::worker);
      case SIM -> new SimRole(context).start().map(Ports::sim);
    };
  }

  /**
   * Role all: the stores (embedded unless configured), then origin on 127.0.0.1, then the queue's
   * jobs (asynchronous chat asks that origin), then the edge on the public port, which also
   * reports origin's dependencies and serves its admin API.
   */
  private static Future<Ports> startAll(Vertx vertx, RoleContext context, EdgechatConfig settings) {
    String edgeToken = settings.secrets().edgeToken().orElseGet(Ids::next);
    return new LocalStores(context).start().compose(stores -> new OriginRole(context)
        .start(stores.postgres(), edgeToken, Optional.of(stores.redis()), Optional.of(stores.queueRedis()),
            "127.0.0.1", settings.origin().internalPort(), true)
        .compose(origin -> {
          URI originUrl = URI.create("http://127.0.0.1:" + origin.port());
          OriginClient self = new OriginClient(vertx, () -> originUrl, edgeToken, settings.edge());
          Future<Void> jobs = origin.queue()
              .map(queue -> WorkerJobs.start(queue, origin.knowledge(), Optional.of(self),
                  settings.queue().maxAttempts()))
              .orElseGet(Future::succeededFuture);
          return jobs
              .compose(v -> new EdgeRole(context).start(originUrl, edgeToken, Optional.of(stores.redis()),
                  origin.checks(), origin.admin()))
              .map(edgePort -> new Ports(edgePort, origin.port(), -1, -1));
        }));
  }

  /** Port of the edge's public server, or -1 when this role has none. */
  public int edgePort() {
    return ports.edge();
  }

  /** Port of origin's server, or -1 when this role has none. */
  public int originPort() {
    return ports.origin();
  }

  /** Port of the worker's operations server (/healthz, /readyz, /metrics), or -1 when this role has none. */
  public int workerPort() {
    return ports.worker();
  }

  /** Port of the simulator, or -1 when this role has none. */
  public int simPort() {
    return ports.sim();
  }

  /**
   * Drains and stops the role ({@link RoleContext#close()}): /readyz 503 and no new streams at
   * once, the streams and jobs under way finish, records and write-behind are flushed, the pools
   * close, embedded databases stop last. Succeeds when all was tried.
   */
  public Future<Void> close() {
    return context.close();
  }

  /** The longest {@link #close()} should take (the drains, then the flushes): what stops the process waits this long. */
  public long stopBoundMs() {
    return context.stopBoundMs();
  }

  /** The job queue's Redis of a role on its own: queue.redisUrl, else the cache Redis. */
  private static Optional<URI> queueRedis(EdgechatConfig settings) {
    return settings.redis().queueUrl().or(() -> settings.redis().url());
  }

  private static URI required(Optional<URI> url, String setting, Role role) {
    return url.orElseThrow(() -> new ConfigException("setting " + setting + " ("
        + "EDGECHAT_" + setting.replaceAll("([A-Z])", "_$1").replace('.', '_').toUpperCase(java.util.Locale.ROOT)
        + ") is required for role " + role.label()));
  }

  private static String edgeToken(EdgechatConfig settings, Role role) {
    return settings.secrets().edgeToken().orElseThrow(() -> new ConfigException(
        "EDGECHAT_EDGE_TOKEN must be set for role " + role.label() + " (the secret shared by edges and origin)"));
  }
}
