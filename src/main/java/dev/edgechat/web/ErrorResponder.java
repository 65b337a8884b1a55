package dev.edgechat.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's failure handler: every failure becomes a JSON error of API.md §5. Failures the
 * code did not foresee are logged and answered 502/503 class, never 500: the contract has no 500.
 */
public final class ErrorResponder {

  private static final Logger LOG = LoggerFactory.getLogger(ErrorResponder.class);

  private ErrorResponder() {
  }

  /** For {@code router.route().failureHandler(...)}. */
  public static void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (!resetIfUnderWay(response)) {
      send(response, toApiError(ctx));
    }
  }

  /**
   * For {@code router.errorHandler(400, ...)}: the router met a request it cannot route (a path
   * whose %-escapes do not decode) before any handler ran. Vert.x calls it without setting the
   * context's failure or status, so the 400 is said here.
   */
  public static void badRequest(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (!resetIfUnderWay(response)) {
      send(response, ctx.failure() instanceof ApiError e ? e
          : ApiError.invalidRequest("the request's path cannot be decoded (a malformed %-escape)"));
    }
  }

  /**
   * For a failure after the response's head went out: a stream is under way, and the only honest
   * thing left is to cut it (reset) so the client sees it broken, not ended.
   *
   * @return whether the head was out, so no error response can be sent any more
   */
  public static boolean resetIfUnderWay(HttpServerResponse response) {
    if (!response.headWritten()) {
      return false;
    }
    if (!response.ended()) {
      response.reset();
    }
    return true;
  }

  public static ApiError toApiError(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiError e) {
      return e;
    }
    return switch (ctx.statusCode()) {
      case 400 -> ApiError.invalidRequest("the request is malformed");
      case 401 -> ApiError.unauthorized("missing or wrong credentials");
      // Vert.x's CorsHandler refuses an Origin header that is no origin at all (xxx, file://, http://a b)
      case 403 -> ApiError.forbiddenOrigin("the Origin header is not a valid origin");
      case 404 -> ApiError.notFound("no such resource: " + ctx.request().path());
      case 405 -> new ApiError(405, "method_not_allowed", "method " + ctx.request().method() + " is not allowed here");
      case 413 -> ApiError.payloadTooLarge("the request body is too large");
      case 415 -> ApiError.unsupportedMediaType("unsupported Content-Type");
      case 414 -> ApiError.uriTooLong("the request line is too long");
      case 431 -> ApiError.headersTooLarge("the request's headers are too large");
      default -> {
        if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
          // a client's mistake a Vert.x handler named by its status: its status, never a 502
          LOG.debug("client error [status: {}, method: {}, path: {}]", ctx.statusCode(), ctx.request().method(),
              ctx.request().path(), failure);
          yield new ApiError(ctx.statusCode(), "invalid_request", "the request cannot be served as sent");
        }
        LOG.error("unexpected failure [method: {}, path: {}]", ctx.request().method(), ctx.request().path(), failure);
        yield ApiError.upstreamUnavailable("the request could not be served; try again");
      }
    };
  }

  /** Writes {@code error} as a JSON error response. */
  public static void send(HttpServerResponse response, ApiError error) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    error.retryAfterSeconds().ifPresent(s -> response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(s)));
    response.end(error.toBody().encode());
  }
}
