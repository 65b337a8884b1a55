package dev.edgechat.web;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * A server-sent event stream on an HTTP response: the headers, events numbered 1, 2, 3 …, comment
 * lines, and the write queue so callers can apply back-pressure.
 */
public final class SseStream {

  private static final Buffer PING = Buffer.buffer(": ping\n\n");
  // header names and values made once (Netty's AsciiString): no encoding per response
  private static final CharSequence CONTENT_TYPE = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache, no-transform");
  private static final CharSequence X_ACCEL_BUFFERING = HttpHeaders.createOptimized("X-Accel-Buffering");
  private static final CharSequence NO = HttpHeaders.createOptimized("no");

  private final HttpServerResponse response;
  private long lastId;

  public SseStream(HttpServerResponse response) {
    this.response = java.util.Objects.requireNonNull(response);
  }

  /** Numbers the next event {@code lastId + 1}: a resumed stream goes on where the visitor's copy stopped. */
  public SseStream continuingAfter(long lastId) {
    this.lastId = lastId;
    return this;
  }

  /**
   * Sends the status and headers; proxies are told not to buffer (the point of streaming). Over
   * HTTP/1.0, which has no chunked encoding, the stream is delimited by the connection's close
   * (HttpServerVerticle closes it after the end): Vert.x refuses a bare head without a length there,
   * so the head goes out with an empty first write.
   */
  public SseStream open() {
    headers();
    if (response.isChunked()) {
      response.writeHead();
    } else {
      response.write(Buffer.buffer());
    }
    return this;
  }

  /**
   * Sends a whole stream at once, the status and headers of {@link #open()}, {@code frames} (the
   * events in wire form, numbered by the caller) and the end, in one write: for an answer that is
   * complete before its first byte leaves (a cache hit).
   */
  public void sendWhole(Buffer frames) {
    if (!isClosed()) {
      headers().end(frames);
    }
  }

  private HttpServerResponse headers() {
    return response.setStatusCode(200)
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, CONTENT_TYPE)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_CACHE)
        .putHeader(X_ACCEL_BUFFERING, NO);
  }

  /** Writes the next event; its id is one more than the last one's. */
  public Future<Void> send(String event, JsonObject data) {
    return send(new SseEvent(null, event, data.encode()));
  }

  /** Writes {@code event} under the next id, whatever id it had. */
  public Future<Void> send(SseEvent event) {
    if (isClosed()) {
      return Future.succeededFuture();
    }
    return response.write(event.withId(++lastId).toBuffer());
  }

  /**
   * Writes {@code events} under the next ids in one write: still separate events for the reader,
   * but one syscall for a burst (a replayed answer), not one per token.
   */
  public Future<Void> sendAll(java.util.List<SseEvent> events) {
    if (isClosed() || events.isEmpty()) {
      return Future.succeededFuture();
    }
    Buffer frames = Buffer.buffer(events.size() * 64);
    for (SseEvent event : events) {
      frames.appendBuffer(event.withId(++lastId).toBuffer());
    }
    return response.write(frames);
  }

  /** A comment line, which keeps idle proxies from closing the stream. */
  public void ping() {
    if (!isClosed()) {
      response.write(PING);
    }
  }

  public boolean writeQueueFull() {
    return response.writeQueueFull();
  }

  public void drainHandler(Handler<Void> handler) {
    response.drainHandler(handler);
  }

  public boolean isClosed() {
    return response.ended() || response.closed();
  }

  public void end() {
    if (!isClosed()) {
      response.end();
    }
  }
}
