package dev.edgechat.protocol;

import dev.edgechat.web.Cancellation;
import io.vertx.core.Future;

/** Origin's answering, as a client of {@code POST /internal/answer} sees it (an edge, a chat job). */
public interface OriginAnswers {

  /**
   * Asks origin to answer. Succeeds once origin started streaming, with the paused events; fails
   * with origin's error when it refused (unknown conversation, …) or could not be reached. When
   * {@code cancel} fires, at any stage, the request to origin is reset.
   */
  Future<? extends AnswerEvents> answer(AnswerRequest request, Cancellation cancel);
}
