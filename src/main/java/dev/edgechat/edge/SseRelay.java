package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link MessageStream}'s events to one SSE connection, from a given event on, as fast
 * as the visitor's socket takes them (back-pressure), with a heartbeat comment every
 * {@code edge.heartbeatMs}. With streaming switched off (the plan's baseline) it holds the events
 * back and sends them all at the end.
 */
final class SseRelay {

  private final Vertx vertx;
  private final SseStream sse;
  private final boolean streaming;
  private final List<SseEvent> held = new ArrayList<>();
  private final long heartbeat;
  private AnswerFlight events;
  private AnswerFlight.Follower follower;
  private int cursor;
  private boolean finished;

  SseRelay(Vertx vertx, SseStream sse, long heartbeatMs, boolean streaming) {
    this.vertx = vertx;
    this.sse = sse;
    this.streaming = streaming;
    this.heartbeat = vertx.setPeriodic(heartbeatMs, id -> sse.ping());
  }

  /**
   * Starts writing {@code stream}'s events after the first {@code after} (the visitor has those);
   * news of them arrives on {@code context}, the visitor's.
   */
  void follow(AnswerFlight stream, int after, Context context) {
    if (finished) {
      return;
    }
    this.events = stream;
    this.cursor = after;
    this.follower = stream.follow(context, this::pump);
    pump();
  }

  /** The visitor's connection closed. */
  void visitorLeft() {
    if (!finished) {
      finish();
      if (follower != null) {
        follower.leave();
      }
    }
  }

  private void pump() {
    List<SseEvent> burst = new ArrayList<>();
    while (!finished) {
      if (streaming && sse.writeQueueFull()) {
        sse.sendAll(burst);
        sse.drainHandler(v -> pump());
        return;
      }
      SseEvent event = events.event(cursor);
      if (event == null) {
        break;
      }
      cursor++;
      if (streaming || Events.READY.equals(event.event())) {
        burst.add(event); // ready goes at once even without streaming: it is what shows the typing indicator
      } else {
        held.add(event);
      }
      if (Events.isTerminal(event)) {
        burst.addAll(held);
        held.clear();
        sse.sendAll(burst);
        burst.clear();
        finish();
        if (follower != null) {
          follower.leave();
        }
        sse.end();
      }
    }
    sse.sendAll(burst);
  }

  private void finish() {
    finished = true;
    vertx.cancelTimer(heartbeat);
  }
}
