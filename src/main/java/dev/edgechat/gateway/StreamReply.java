package dev.edgechat.gateway;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * Writes a flight to one caller as {@code chat.completion.chunk} frames, as fast as its socket
 * takes them (back-pressure: {@code writeQueueFull} and {@code drainHandler}). The response head
 * waits for the first event, so that a failure before any chunk is answered with its own status
 * and an OpenAI error body (what an SDK turns into the right exception); a failure after that is
 * an error frame, as OpenAI sends it, and the end of the stream.
 */
final class StreamReply extends Reply {

  private final HttpServerResponse response;
  private final boolean includeUsage;
  private ChunkFrames frames;
  private int cursor;

  StreamReply(HttpServerResponse response, boolean includeUsage) {
    this.response = response;
    this.includeUsage = includeUsage;
  }

  @Override
  protected void onNews() {
    Buffer burst = Buffer.buffer(256);
    while (!finished) {
      if (response.writeQueueFull()) {
        write(burst);
        response.drainHandler(v -> onNews());
        return;
      }
      SseEvent event = flight.event(cursor);
      if (event == null) {
        break;
      }
      cursor++;
      switch (event.event()) {
        case Events.HEAD -> head(event.json());
        case Events.DELTA -> frames.appendDelta(burst, event.data());
        case Events.DONE -> {
          JsonObject done = event.json();
          frames.appendEnd(burst, done.getString("finish_reason"), done.getJsonObject("usage"), includeUsage);
          end(burst);
          return;
        }
        default -> {
          failed(CompletionFormat.error(event), burst);
          return;
        }
      }
    }
    write(burst);
  }

  @Override
  protected void failed(GatewayError error) {
    failed(error, Buffer.buffer());
  }

  /** Before any chunk, the error with its status; after, {@code burst} and an error frame. */
  private void failed(GatewayError error, Buffer burst) {
    if (!response.headWritten() && burst.length() == 0) {
      finish();
      error.send(response);
      return;
    }
    ChunkFrames.appendError(burst, error);
    end(burst);
  }

  private void head(JsonObject head) {
    frames = new ChunkFrames(head.getString("model"), head.getString("system_fingerprint"));
    response.setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .putHeader(CacheMode.HEADER, head.getString("cache", "miss"));
  }

  private void write(Buffer burst) {
    if (burst.length() > 0 && !response.closed()) {
      response.write(burst);
    }
  }

  private void end(Buffer burst) {
    finish();
    if (!response.closed()) {
      response.end(burst);
    }
  }
}
