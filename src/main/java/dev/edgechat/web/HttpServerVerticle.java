package dev.edgechat.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.AllowForwardHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP server instance of a role: a router that the role's routes are mounted on, every
 * failure answered as a JSON error (API.md §5). Deployed once per event loop; the instances share
 * the port.
 */
public final class HttpServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServerVerticle.class);

  private final String name;
  private final HttpServerOptions options;
  private final Consumer<Router> routes;
  private final LongSupplier shutdownGraceMs;
  private final Handler<RoutingContext> exchanges;
  private HttpServer server;

  /**
   * @param name the role, for logs
   * @param routes mounts the role's routes on a fresh router
   * @param drainTimeoutMs on stop, how long answers under way may finish before they are cut
   */
  public HttpServerVerticle(String name, HttpServerOptions options, Consumer<Router> routes, long drainTimeoutMs) {
    this(name, options, routes, () -> drainTimeoutMs, RoutingContext::next);
  }

  /**
   * @param name the role, for logs
   * @param routes mounts the role's routes on a fresh router
   * @param shutdownGraceMs read on stop: how long the exchanges still under way may finish before
   *     they are cut (what is left of the process's drain)
   * @param exchanges the router's first handler, shared by the instances of one server: it counts
   *     the exchanges under way ({@link ExchangesInFlight}) and passes each on
   */
  public HttpServerVerticle(String name, HttpServerOptions options, Consumer<Router> routes,
      LongSupplier shutdownGraceMs, Handler<RoutingContext> exchanges) {
    this.name = Objects.requireNonNull(name);
    this.options = Objects.requireNonNull(options);
    this.routes = Objects.requireNonNull(routes);
    this.shutdownGraceMs = Objects.requireNonNull(shutdownGraceMs);
    this.exchanges = Objects.requireNonNull(exchanges);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // behind a proxy (Fly's edge terminates TLS) scheme and host come from X-Forwarded-*
    router.allowForward(AllowForwardHeaders.X_FORWARD);
    router.route().handler(exchanges);
    routes.accept(router);
    router.route().failureHandler(ErrorResponder::handle);
    router.errorHandler(404, ErrorResponder::handle);
    router.errorHandler(405, ErrorResponder::handle);
    // should the failure handler itself fail, still no plain-text 500
    router.errorHandler(500, ErrorResponder::handle);
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> {
          server = s;
          LOG.debug("{} listening [port: {}]", name, s.actualPort());
        });
  }

  /**
   * Stops taking connections (the port closes) and lets the exchanges under way finish, for at
   * most the shutdown grace; idle connections close at once.
   */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
        : server.shutdown(Math.max(0, shutdownGraceMs.getAsLong()), TimeUnit.MILLISECONDS);
  }

  /** The port this instance listens on (the configured one, or the one chosen for port 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
