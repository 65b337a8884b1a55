package dev.edgechat.web;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests that are not HTTP the server can read (bad header bytes, an over-long request line or
 * headers, a head that never ends, a foreign protocol or version): answered in the API's JSON error
 * shape where HTTP still allows an answer, then the connection closes. They are the client's
 * mistakes, so each is logged at DEBUG, and at most one WARN a minute sums them up: a flood of them
 * cannot flood the log.
 */
public final class ProtocolErrors {

  private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrors.class);
  private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final AtomicLong NEXT_WARN = new AtomicLong(System.nanoTime());
  private static final AtomicLong SINCE_WARN = new AtomicLong();

  private ProtocolErrors() {
  }

  /**
   * For {@code HttpServer#invalidRequestHandler}: a request whose head Netty's decoder refused
   * ({@code decoderResult()} failed) gets its JSON error (414, 431, else 400) and the connection
   * closes, as Vert.x's default handler does with an empty body.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiError error;
    if (cause instanceof TooLongHttpLineException) {
      error = ApiError.uriTooLong("the request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = ApiError.headersTooLarge("the request's headers are too large");
    } else {
      error = ApiError.invalidRequest("the request is not valid HTTP: a malformed request line or header");
    }
    noted(error.code(), request.remoteAddress(), cause == null ? "" : cause.toString());
    request.response()
        .setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(io.vertx.core.buffer.Buffer.buffer(body(error)))
        .onComplete(sent -> request.connection().close());
  }

  /**
   * The body of a protocol-level error: the API's {@code {"error":{"code","message"}}} with OpenAI's
   * {@code type} and {@code param} too, since such a request may have been meant for the gateway
   * and no route decided its shape.
   */
  static byte[] body(ApiError error) {
    io.vertx.core.json.JsonObject body = error.toBody();
    body.getJsonObject("error").put("type", "invalid_request_error").putNull("param");
    return body.encode().getBytes(StandardCharsets.UTF_8);
  }

  static void headTimedOut(java.net.SocketAddress client, long timeoutMs) {
    noted("request_timeout", client, "no whole head within " + timeoutMs + " ms");
  }

  static void notHttp(java.net.SocketAddress client, int firstByte) {
    noted("not_http", client, String.format("first byte 0x%02x", firstByte));
  }

  static void foreignVersion(java.net.SocketAddress client, String version) {
    noted("http_version_not_supported", client, version);
  }

  private static void noted(String what, Object client, String detail) {
    LOG.debug("client's protocol error, connection closed [what: {}, client: {}, detail: {}]", what, client, detail);
    long count = SINCE_WARN.incrementAndGet();
    long now = System.nanoTime();
    long next = NEXT_WARN.get();
    if (now - next >= 0 && NEXT_WARN.compareAndSet(next, now + WARN_EVERY_NANOS)) {
      SINCE_WARN.addAndGet(-count);
      LOG.warn("clients' protocol errors answered and closed [count: {}, latest: {}, client: {}]"
          + " (each at DEBUG on {})", count, what, client, ProtocolErrors.class.getName());
    }
  }
}
