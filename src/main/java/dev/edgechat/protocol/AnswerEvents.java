package dev.edgechat.protocol;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Handler;

/** Origin's events for one answer, paused until {@link #start}. */
public interface AnswerEvents {

  /**
   * Starts delivering events. {@code onEvent} sees every event up to and including {@code done}
   * or {@code error}; {@code onFailure} sees a broken stream (then no event comes after).
   */
  void start(Handler<SseEvent> onEvent, Handler<ApiError> onFailure);
}
