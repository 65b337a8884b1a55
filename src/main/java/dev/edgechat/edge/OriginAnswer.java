package dev.edgechat.edge;

import dev.edgechat.protocol.AnswerEvents;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.IdleWatchdog;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * Origin's event stream for one answer. Pausing it pauses origin's socket (back-pressure);
 * {@link #cancel()} resets the request, which origin sees as the edge leaving and passes on to
 * the model. A stream that ends without {@code done} or {@code error} ends with an error.
 */
public final class OriginAnswer implements AnswerEvents {

  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private Handler<SseEvent> handler;
  private Handler<ApiError> failureHandler;
  private final IdleWatchdog watchdog;
  private boolean finished;

  /** @param idleTimeoutMs silence from origin after which the answer fails with {@code timeout} */
  OriginAnswer(Vertx vertx, HttpClientRequest request, HttpClientResponse response, long idleTimeoutMs) {
    this.request = request;
    this.response = response;
    this.watchdog = new IdleWatchdog(vertx, idleTimeoutMs, () -> {
      fail(ApiError.timeout("origin went silent for " + idleTimeoutMs + " ms"));
      request.reset();
    });
    response.pause();
  }

  /**
   * Starts delivering events. {@code onEvent} sees every event up to and including {@code done}
   * or {@code error}; {@code onFailure} sees a broken stream (then no event comes after).
   */
  @Override
  public void start(Handler<SseEvent> onEvent, Handler<ApiError> onFailure) {
    this.handler = onEvent;
    this.failureHandler = onFailure;
    SseParser parser = new SseParser(this::event);
    response.handler(chunk -> {
      watchdog.touch();
      parser.handle(chunk);
    });
    response.exceptionHandler(e -> fail(e.getClass().getSimpleName().contains("Timeout")
        ? ApiError.timeout("origin went silent")
        : ApiError.upstreamUnavailable("the connection to origin broke")));
    response.endHandler(v -> fail(ApiError.upstreamUnavailable("origin ended the answer early")));
    response.resume();
  }

  private void event(SseEvent event) {
    if (finished) {
      return;
    }
    if (Events.isTerminal(event)) {
      finished = true;
      watchdog.stop();
    }
    handler.handle(event);
  }

  private void fail(ApiError error) {
    if (!finished) {
      finished = true;
      watchdog.stop();
      failureHandler.handle(error);
    }
  }

  public void pause() {
    watchdog.paused();
    response.pause();
  }

  public void resume() {
    watchdog.resumed();
    response.resume();
  }

  /** Stops the answer at origin (and the model call behind it). */
  public void cancel() {
    if (!finished) {
      finished = true;
      watchdog.stop();
      request.reset();
    }
  }
}
