package dev.edgechat.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import dev.edgechat.config.EdgechatConfig.Http;
import dev.edgechat.time.Scheduler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
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
 *
 * <p>Below the router, the protocol: a request Netty cannot decode gets its JSON error
 * ({@link ProtocolErrors}); a request's head must arrive within the header timeout, a connection
 * opened with bytes that cannot begin HTTP is closed, and an HTTP version other than 1.0/1.1 gets
 * 400 {@code http_version_not_supported} ({@link RequestHeadDeadline}). HTTP/2 in clear text (h2c) is off: nothing in a deployment
 * speaks it, and a server waiting for its preface would hold a silent connection past any deadline.
 * An HTTP/1.0 response without a length (a stream) is delimited by the connection's close
 * ({@link #closeDelimitedOnHttp10}).
 */
public final class HttpServerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpServerVerticle.class);

  private final String name;
  private final HttpServerOptions options;
  private final Consumer<Router> routes;
  private final LongSupplier shutdownGraceMs;
  private final Handler<RoutingContext> exchanges;
  private final long headerTimeoutMs;
  private HttpServer server;

  /**
   * @param name the role, for logs
   * @param routes mounts the role's routes on a fresh router
   * @param drainTimeoutMs on stop, how long answers under way may finish before they are cut
   */
  public HttpServerVerticle(String name, HttpServerOptions options, Consumer<Router> routes, long drainTimeoutMs) {
    this(name, options, routes, () -> drainTimeoutMs, RoutingContext::next, Http.DEFAULT_HEADER_TIMEOUT_MS);
  }

  /**
   * @param name the role, for logs
   * @param routes mounts the role's routes on a fresh router
   * @param shutdownGraceMs read on stop: how long the exchanges still under way may finish before
   *     they are cut (what is left of the process's drain)
   * @param exchanges the router's first handler, shared by the instances of one server: it counts
   *     the exchanges under way ({@link ExchangesInFlight}) and passes each on
   * @param headerTimeoutMs how long a request's line and headers may take to arrive
   *     (http.headerTimeoutMs)
   */
  public HttpServerVerticle(String name, HttpServerOptions options, Consumer<Router> routes,
      LongSupplier shutdownGraceMs, Handler<RoutingContext> exchanges, long headerTimeoutMs) {
    this.name = Objects.requireNonNull(name);
    this.options = Objects.requireNonNull(options);
    this.routes = Objects.requireNonNull(routes);
    this.shutdownGraceMs = Objects.requireNonNull(shutdownGraceMs);
    this.exchanges = Objects.requireNonNull(exchanges);
    if (headerTimeoutMs <= 0) {
      throw new IllegalArgumentException("headerTimeoutMs must be positive, was " + headerTimeoutMs);
    }
    this.headerTimeoutMs = headerTimeoutMs;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    // behind a proxy (Fly's edge terminates TLS) scheme and host come from X-Forwarded-*
    router.allowForward(AllowForwardHeaders.X_FORWARD);
    router.route().handler(HttpServerVerticle::closeDelimitedOnHttp10);
    router.route().handler(exchanges);
    routes.accept(router);
    router.route().failureHandler(ErrorResponder::handle);
    // a failure the router meets before any route (a path whose %-escapes do not decode is 400)
    router.errorHandler(400, ErrorResponder::badRequest);
    router.errorHandler(404, ErrorResponder::handle);
    router.errorHandler(405, ErrorResponder::handle);
    // should the failure handler itself fail, still no plain-text 500
    router.errorHandler(500, ErrorResponder::handle);
    Scheduler time = Scheduler.of(vertx);
    return vertx.createHttpServer(new HttpServerOptions(options).setHttp2ClearTextEnabled(false))
        .invalidRequestHandler(ProtocolErrors::invalidRequest)
        .connectionHandler(connection -> {
          if (!RequestHeadDeadline.install(connection, time, headerTimeoutMs)) {
            LOG.debug("{}: a connection without the request-head guards [type: {}]", name,
                connection.getClass().getSimpleName());
          }
        })
        .requestHandler(router)
        .listen()
        .onSuccess(s -> {
          server = s;
          LOG.debug("{} listening [port: {}]", name, s.actualPort());
        });
  }

  /**
   * HTTP/1.0 has no chunked encoding: a response sent without a length (an event stream) can only
   * end with the connection. So such a response says {@code Connection: close} and the connection
   * closes once it ended, also when the client asked to keep it alive (Vert.x would otherwise keep
   * it open, and the client would wait for an end that never comes).
   */
  static void closeDelimitedOnHttp10(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.version() == HttpVersion.HTTP_1_0) {
      HttpServerResponse response = ctx.response();
      ctx.addHeadersEndHandler(v -> {
        if (!response.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
          response.putHeader(HttpHeaders.CONNECTION, "close");
          ctx.addEndHandler(ended -> request.connection().close());
        }
      });
    }
    ctx.next();
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
