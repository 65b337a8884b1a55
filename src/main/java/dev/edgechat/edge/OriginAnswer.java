package dev.edgechat.edge;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;

/**
 * Origin's event stream for one answer. Pausing it pauses origin's socket (back-pressure);
 * {@link #cancel()} resets the request, which origin sees as the edge leaving and passes on to
 * the model. A stream that ends without {@code done} or {@code error} ends with an error.
 */
public final class OriginAnswer {

  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private Handler<SseEvent> handler;
  private Handler<ApiError> failureHandler;
  private boolean finished;

  OriginAnswer(HttpClientRequest request, HttpClientResponse response) {
    this.request = request;
    this.response = response;
    response.pause();
  }

  /**
   * Starts delivering events. {@code onEvent} sees every event up to and including {@code done}
   * or {@code error}; {@code onFailure} sees a broken stream (then no event comes after).
   */
  public void start(Handler<SseEvent> onEvent, Handler<ApiError> onFailure) {
    this.handler = onEvent;
    this.failureHandler = onFailure;
    response.handler(new SseParser(this::event));
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
    if ("done".equals(event.event()) || "error".equals(event.event())) {
      finished = true;
    }
    handler.handle(event);
  }

  private void fail(ApiError error) {
    if (!finished) {
      finished = true;
      failureHandler.handle(error);
    }
  }

  public void pause() {
    response.pause();
  }

  public void resume() {
    response.resume();
  }

  /** Stops the answer at origin (and the model call behind it). */
  public void cancel() {
    if (!finished) {
      finished = true;
      request.reset();
    }
  }
}
