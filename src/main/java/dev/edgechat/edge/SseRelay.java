package dev.edgechat.edge;

import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes an {@link AnswerFlight} to one visitor's SSE stream, renumbered after {@code ready},
 * as fast as the visitor's socket takes it (back-pressure), with a heartbeat comment every
 * {@code edge.heartbeatMs}. With streaming switched off (the plan's baseline) it holds the events
 * back and sends them all at the end.
 */
final class SseRelay {

  private final Vertx vertx;
  private final SseStream sse;
  private final boolean streaming;
  private final long startedNanos;
  private final List<SseEvent> held = new ArrayList<>();
  private final long heartbeat;
  private AnswerFlight flight;
  private AnswerFlight.Follower follower;
  private int cursor;
  private boolean finished;

  SseRelay(Vertx vertx, SseStream sse, long heartbeatMs, boolean streaming, long startedNanos) {
    this.vertx = vertx;
    this.sse = sse;
    this.streaming = streaming;
    this.startedNanos = startedNanos;
    this.heartbeat = vertx.setPeriodic(heartbeatMs, id -> sse.ping());
  }

  /** Starts reading {@code answer}; news of it arrives on {@code context}, the visitor's. */
  void follow(AnswerFlight answer, Context context) {
    if (finished) {
      return;
    }
    this.flight = answer;
    this.follower = answer.follow(context, this::pump);
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
    while (!finished) {
      if (streaming && sse.writeQueueFull()) {
        sse.drainHandler(v -> pump());
        return;
      }
      SseEvent event = flight.event(cursor);
      if (event == null) {
        return;
      }
      cursor++;
      if ("done".equals(event.event())) {
        JsonObject data = event.json().put("ms", (System.nanoTime() - startedNanos) / 1_000_000);
        data.remove("freshness"); // origin tells the edge (for the cache's TTL), not the visitor
        deliver(SseEvent.of("done", data));
      } else {
        deliver(event);
      }
      if (AnswerFlight.isTerminal(event)) {
        held.forEach(sse::send);
        held.clear();
        finish();
        sse.end();
      }
    }
  }

  private void deliver(SseEvent event) {
    if (streaming) {
      sse.send(event);
    } else {
      held.add(event);
    }
  }

  private void finish() {
    finished = true;
    vertx.cancelTimer(heartbeat);
  }
}
