package dev.edgechat.web;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.impl.Origin;
import java.util.Objects;

/**
 * Vert.x's {@link CorsHandler} in front of a check of the {@code Origin} header's form: a header
 * that is no origin at all ({@code xxx}, {@code file://}, {@code http://a b}) is refused with
 * {@code 403 forbidden_origin} here, before the CORS handler sees it. The check is vertx-web's own
 * ({@code Origin.isValid}, what the CORS handler asks), made safe: on some malformed values
 * ({@code https://}) it throws instead of answering false, which would reach the error responder
 * as an unexpected failure (a 502).
 */
public final class CorsGuard implements Handler<RoutingContext> {

  private final CorsHandler cors;

  private CorsGuard(CorsHandler cors) {
    this.cors = Objects.requireNonNull(cors);
  }

  public static CorsGuard of(CorsHandler cors) {
    return new CorsGuard(cors);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !isOrigin(origin)) {
      ctx.fail(ApiError.forbiddenOrigin("the Origin header is not a valid origin"));
      return;
    }
    cors.handle(ctx);
  }

  /** Whether {@code value} has the form of an origin ({@code scheme://host[:port]}, or {@code null}). */
  static boolean isOrigin(String value) {
    try {
      return Origin.isValid(value);
    } catch (RuntimeException malformed) {
      return false;
    }
  }
}
