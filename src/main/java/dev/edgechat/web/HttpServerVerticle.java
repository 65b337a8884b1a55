package dev.edgechat.web;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import java.util.Objects;
import java.util.function.Consumer;
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
  private HttpServer server;

  /**
   * @param name the role, for logs
   * @param routes mounts the role's routes on a fresh router
   */
  public HttpServerVerticle(String name, HttpServerOptions options, Consumer<Router> routes) {
    this.name = Objects.requireNonNull(name);
    this.options = Objects.requireNonNull(options);
    this.routes = Objects.requireNonNull(routes);
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    routes.accept(router);
    router.route().failureHandler(ErrorResponder::handle);
    router.errorHandler(404, ErrorResponder::handle);
    router.errorHandler(405, ErrorResponder::handle);
    return vertx.createHttpServer(options)
        .requestHandler(router)
        .listen()
        .onSuccess(s -> {
          server = s;
          LOG.debug("{} listening [port: {}]", name, s.actualPort());
        });
  }

  /** The port this instance listens on (the configured one, or the one chosen for port 0). */
  public int actualPort() {
    return server.actualPort();
  }
}
