package dev.edgechat.answer;

import dev.edgechat.web.SseEvent;

/** Where an upstream puts an answer's events: its flight, as the engine hands it over. */
public interface AnswerSink {

  /** Appends an event; {@code done} and {@code error} end the answer. Events after the end are dropped. */
  void publish(SseEvent event);

  /** Whether the answer has ended: with {@code done} or {@code error}, or because every reader left. */
  boolean isEnded();

  /**
   * Runs {@code produce}, which publishes events that arrived together (one read of the upstream's
   * stream), so that readers may take them together: one write to a caller rather than one per
   * event, as a proxy writes what it read. By default, as if published one by one.
   */
  default void inBurst(Runnable produce) {
    produce.run();
  }
}
