package dev.edgechat.answer;

import dev.edgechat.web.Cancellation;

/**
 * An API's upstream, as the engine asks it: origin for the visitor chat, the key's provider for
 * the gateway.
 */
@FunctionalInterface
public interface AnswerSource {

  /**
   * Starts answering into {@code sink}: events in the API's vocabulary, ending with {@code done} or
   * {@code error}. Never throws: a failure to reach the upstream is an {@code error} event. Called
   * on the event loop the upstream call belongs to; {@code everyoneLeft} fires there, when every
   * reader has left, and must stop the call at whatever stage it is.
   */
  void answer(AnswerSink sink, Cancellation everyoneLeft);

  /**
   * As {@link #answer(AnswerSink, Cancellation)}, with the question's vector as the edge's semantic
   * cache embedded it ({@code null} when it was not), for an upstream that can use it instead of
   * embedding the question again. By default the vector is not used.
   */
  default void answer(AnswerSink sink, Cancellation everyoneLeft, float[] questionVector) {
    answer(sink, everyoneLeft);
  }
}
