package dev.edgechat.ops.logging;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's first route: begins each request's {@link LogContext} (its trace from the request's
 * {@code traceparent}) and, at DEBUG, logs one line when the response ended: method, path (no query:
 * it may hold a token), status and time.
 */
public final class RequestLog implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(RequestLog.class);

  private final String role;
  private final Supplier<String> region;

  /**
   * @param role the server's role, named by each line of its requests
   * @param region this process's region (read per request: settings may change)
   */
  public RequestLog(String role, Supplier<String> region) {
    this.role = Objects.requireNonNull(role);
    this.region = Objects.requireNonNull(region);
  }

  @Override
  public void handle(RoutingContext ctx) {
    LogContext.begin(Vertx.currentContext(), role, region.get(), ctx.request().getHeader(Traceparent.HEADER));
    if (LOG.isDebugEnabled()) {
      long started = System.nanoTime();
      ctx.addEndHandler(ended -> LOG.debug("request done [method: {}, path: {}, status: {}, ms: {}]",
          ctx.request().method(), ctx.normalizedPath(), ctx.response().getStatusCode(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
    }
    ctx.next();
  }
}
