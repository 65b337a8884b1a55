package dev.edgechat.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;

/**
 * Reads a JSON request body of at most {@code limitBytes} and puts it where
 * {@link RequestBodies#json(RoutingContext)} finds it. Unlike Vert.x's BodyHandler it never
 * form-decodes: {@code curl -d '{…}'} sends JSON labelled as a form, and a {@code %} in a question
 * must not break it. A body over the limit is 413, answered once the rest of it has been read and
 * dropped, on a connection that then closes.
 */
public final class JsonBodyHandler implements Handler<RoutingContext> {

  static final String BODY_KEY = "edgechat.body";
  /** Beyond this much of a refused body, the connection is closed rather than drained. */
  private static final long MAX_DRAIN_BYTES = 8L << 20;
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

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
    // the body's encoding broke (a chunk size that is no number) or the client left mid-body: its mistake, a 400
    // (sent if the connection still takes it), never an unexpected failure
    request.exceptionHandler(e -> {
      if (!ctx.failed()) {
        ctx.fail(ApiError.invalidRequest("the request body could not be read: " + (e instanceof HttpClosedException
            ? "the connection closed before it ended" : "it is not valid HTTP (a malformed chunk)")));
      }
    });
    request.resume();
  }

  /**
   * Answers 413 once the refused body has been read and dropped (a response sent while the client
   * is still sending can be lost to a reset), and closes the connection after it: a connection
   * whose request was cut short is not worth reusing. A body declared larger than
   * {@link #MAX_DRAIN_BYTES} is not read at all.
   */
  private void refuse(RoutingContext ctx, long declared) {
    HttpServerRequest request = ctx.request();
    ApiError error = ApiError.payloadTooLarge("the request body is larger than " + limitBytes + " bytes");
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
    if (request.isEnded() || declared > MAX_DRAIN_BYTES) {
      ctx.fail(error);
      return;
    }
    long[] drained = {0};
    request.handler(chunk -> {
      drained[0] += chunk.length();
      if (drained[0] > MAX_DRAIN_BYTES && !ctx.failed()) {
        ctx.fail(error);
      }
    });
    request.endHandler(v -> {
      if (!ctx.failed()) {
        ctx.fail(error);
      }
    });
    request.resume();
  }

  /** The body this handler read, or null when it did not run for this request. */
  public static Buffer body(RoutingContext ctx) {
    return ctx.get(BODY_KEY);
  }

  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (length == null || !DIGITS.matcher(length).matches()) {
      return -1;
    }
    return Long.parseLong(length);
  }
}
