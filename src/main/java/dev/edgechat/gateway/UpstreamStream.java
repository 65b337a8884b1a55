package dev.edgechat.gateway;

import dev.edgechat.web.IdleWatchdog;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An upstream's {@code chat.completion.chunk} stream, chunk by chunk, whole: unlike the origin's
 * {@code llm.OpenAiTokenStream}, which keeps only the text a widget shows, the gateway must pass on
 * every part of every delta (role, tool calls, refusals) and the usage chunk, so it reads its own.
 *
 * <p>{@link #firstChunk()} completes when the first chunk arrives (what a retry waits for), and
 * fails when the upstream is silent for {@code firstTokenTimeoutMs}, breaks or ends first; chunks
 * that arrive before {@link #start} are held and handed over then. After the first chunk, silence
 * of {@code idleTimeoutMs} fails the stream. A stream that ends without {@code data: [DONE]} has
 * failed (the upstream cut it), as has a chunk that is not JSON or carries an {@code error}.
 * Use it from the request's event loop only.
 */
final class UpstreamStream {

  private final Vertx vertx;
  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private final long idleTimeoutMs;
  private final Promise<UpstreamStream> first = Promise.promise();
  private final List<JsonObject> early = new ArrayList<>();
  private IdleWatchdog watchdog;
  private Handler<JsonObject> onChunk;
  private Runnable onEnd;
  private Handler<GatewayError> onFailure;
  /** What each read of the stream runs inside: the chunks of one read handed over as one burst. */
  private Consumer<Runnable> reads = Runnable::run;
  private boolean ended;
  private GatewayError failure;
  private boolean finished;

  UpstreamStream(Vertx vertx, HttpClientRequest request, HttpClientResponse response, long firstTokenTimeoutMs,
      long idleTimeoutMs) {
    this.vertx = vertx;
    this.request = request;
    this.response = response;
    this.idleTimeoutMs = idleTimeoutMs;
    this.watchdog = new IdleWatchdog(vertx, firstTokenTimeoutMs, () -> silent(firstTokenTimeoutMs));
    SseParser parser = new SseParser(this::onEvent);
    response.handler(chunk -> {
      watchdog.touch();
      reads.accept(() -> parser.handle(chunk));
    });
    response.endHandler(v -> fail(GatewayError.upstream(502, "upstream_unavailable",
        "the upstream stopped mid-answer", null)));
    response.exceptionHandler(e -> fail(GatewayError.upstream(502, "upstream_unavailable",
        "the connection to the upstream broke", null)));
  }

  /** Completes with this stream when its first chunk has arrived; fails as the stream does before then. */
  Future<UpstreamStream> firstChunk() {
    return first.future();
  }

  /**
   * Hands over the chunks (those held first), then the end or the failure; call it once. Each read
   * of the upstream's stream runs inside {@code burst}, so the chunks it carried can be passed on
   * together ({@link dev.edgechat.answer.AnswerSink#inBurst}).
   */
  void start(Handler<JsonObject> chunks, Runnable end, Handler<GatewayError> failed, Consumer<Runnable> burst) {
    this.reads = burst;
    this.onChunk = chunks;
    this.onEnd = end;
    this.onFailure = failed;
    early.forEach(chunks::handle);
    early.clear();
    if (ended) {
      end.run();
    } else if (failure != null) {
      failed.handle(failure);
    }
  }

  /** Abandons the stream: the upstream request is reset and nothing more is handed over. */
  void cancel() {
    if (!finished) {
      finished = true;
      watchdog.stop();
      request.reset();
    }
  }

  private void onEvent(SseEvent event) {
    if (finished) {
      return;
    }
    if ("[DONE]".equals(event.data())) {
      finished = true;
      watchdog.stop();
      if (!first.future().isComplete()) {
        first.tryFail(GatewayError.upstream(502, "upstream_unavailable", "the upstream answered nothing", null));
      } else if (onEnd != null) {
        onEnd.run();
      } else {
        ended = true;
      }
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(event.data());
    } catch (DecodeException | ClassCastException e) {
      fail(GatewayError.upstream(502, "upstream_unavailable", "the upstream sent a malformed chunk", null));
      request.reset();
      return;
    }
    if (chunk.getValue("error") instanceof JsonObject error) {
      fail(GatewayError.upstream(502, "upstream_unavailable",
          "the upstream failed: " + error.getString("message", "unknown error"), null));
      request.reset();
      return;
    }
    if (!first.future().isComplete()) {
      watchdog.stop();
      watchdog = new IdleWatchdog(vertx, idleTimeoutMs, () -> silent(idleTimeoutMs));
      early.add(chunk);
      first.complete(this);
    } else if (onChunk != null) {
      onChunk.handle(chunk);
    } else {
      early.add(chunk);
    }
  }

  private void silent(long ms) {
    fail(GatewayError.upstream(504, "timeout", "the upstream went silent for " + ms + " ms", null));
    request.reset();
  }

  private void fail(GatewayError error) {
    if (finished) {
      return;
    }
    finished = true;
    watchdog.stop();
    if (first.tryFail(error)) {
      return;
    }
    if (onFailure != null) {
      onFailure.handle(error);
    } else {
      failure = error;
    }
  }
}
