package dev.edgechat.answer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A flight's readers hear of events once per publish, or once per burst of events that arrived together. */
class AnswerFlightTest {

  private static SseEvent token(String text) {
    return new SseEvent(null, Events.TOKEN, "{\"text\":\"" + text + "\"}");
  }

  /** Verifies that a reader is told once per event published on its own. */
  @Test
  void publish_eachEvent_toldEachTime() {
    AnswerFlight flight = new AnswerFlight();
    int[] told = {0};
    flight.follow(null, () -> told[0]++);
    flight.publish(token("a"));
    flight.publish(token("b"));
    assertThat(told[0]).isEqualTo(2);
  }

  /**
   * Verifies that events published in one burst are told once, at its end, with all of them in the
   * log by then, and that the end of the answer inside a burst still runs its end handlers at once.
   */
  @Test
  void inBurst_threeEventsAndTheEnd_toldOnceAfterwards_endHandlersAtOnce() {
    AnswerFlight flight = new AnswerFlight();
    List<Integer> logSizeWhenTold = new ArrayList<>();
    flight.follow(null, () -> logSizeWhenTold.add(flight.size()));
    List<List<SseEvent>> ended = new ArrayList<>();
    flight.onEnd(ended::add);
    flight.inBurst(() -> {
      flight.publish(token("a"));
      flight.publish(token("b"));
      flight.publish(new SseEvent(null, Events.DONE, "{\"cache\":\"miss\"}"));
      assertThat(ended).as("the end handlers ran at the end, inside the burst").hasSize(1);
      assertThat(logSizeWhenTold).as("nobody told inside the burst").isEmpty();
    });
    assertThat(logSizeWhenTold).containsExactly(3);
    assertThat(flight.isEnded()).isTrue();
  }

  /** Verifies that a burst that published nothing tells nobody, and a later publish is told at once again. */
  @Test
  void inBurst_nothingPublished_nobodyTold_thenPublishTold() {
    AnswerFlight flight = new AnswerFlight();
    int[] told = {0};
    flight.follow(null, () -> told[0]++);
    flight.inBurst(() -> { });
    assertThat(told[0]).isZero();
    flight.publish(token("a"));
    assertThat(told[0]).isEqualTo(1);
  }
}
