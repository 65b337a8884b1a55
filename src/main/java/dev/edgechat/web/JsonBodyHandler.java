package dev.edgechat.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a JSON request body of at most {@code limitBytes} and puts it where
 * {@link RequestBodies#json(RoutingContext)} finds it. Unlike Vert.x's BodyHandler it never
 * form-decodes: {@code curl -d '{…}'} sends JSON labelled as a form, and a {@code %} in a question
 * must not break it. A body over the limit is 413; what is left of it is read and dropped so the
 * client can read the answer (an unread body on a kept-alive connection can stall both ends).
 */
public final class JsonBodyHandler implements Handler<RoutingContext> {

  static final String BODY_KEY = "edgechat.body";
  /** Beyond this much of a refused body, the connection is closed rather than drained. */
  private static final long MAX_DRAIN_BYTES = 8L << 20;

  private final int limitBytes;

  public JsonBodyHandler(int limitBytes) {
    this.limitBytes = limitBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) {
      // only possible if a handler before this one went async without pausing the request
      ctx.fail(new IllegalStateException("the request body was read before JsonBodyHandler ran"));
      return;
    }
    long declared = declaredLength(request);
    if (declared > limitBytes) {
      refuse(ctx, declared);
      return;
    }
    Buffer body = Buffer.buffer(declared > 0 ? (int) declared : 256);
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > limitBytes) {
        refused[0] = true;
        refuse(ctx, -1);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        ctx.put(BODY_KEY, body);
        ctx.next();
      }
    });
    request.exceptionHandler(ctx::fail);
    request.resume();
  }

  private void refuse(RoutingContext ctx, long declared) {
    HttpServerRequest request = ctx.request();
    if (declared > MAX_DRAIN_BYTES || declared < 0 && !request.isEnded()) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    }
    if (!request.isEnded()) {
      request.handler(chunk -> { });
      request.endHandler(v -> { });
      request.resume();
    }
    ctx.fail(ApiError.payloadTooLarge("the request body is larger than " + limitBytes + " bytes"));
  }

  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || !length.matches("\\d{1,18}")) {
      return -1;
    }
    return Long.parseLong(length);
  }
}
