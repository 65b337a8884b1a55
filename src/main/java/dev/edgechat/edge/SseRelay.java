package dev.edgechat.edge;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Relays origin's events for one answer to the visitor's SSE stream, renumbered after
 * {@code ready}. It pauses origin while the visitor's socket is full, pings every
 * {@code edge.heartbeatMs}, and cancels origin's work when the visitor leaves. With streaming
 * switched off (the plan's baseline) it holds the events back and sends them all at the end.
 */
final class SseRelay {

  private final Vertx vertx;
  private final SseStream sse;
  private final boolean streaming;
  private final long startedNanos;
  private final List<SseEvent> held = new ArrayList<>();
  private final long heartbeat;
  private OriginAnswer origin;
  private boolean finished;

  SseRelay(Vertx vertx, SseStream sse, long heartbeatMs, boolean streaming, long startedNanos) {
    this.vertx = vertx;
    this.sse = sse;
    this.streaming = streaming;
    this.startedNanos = startedNanos;
    this.heartbeat = vertx.setPeriodic(heartbeatMs, id -> sse.ping());
  }

  /** The visitor's connection closed: stop origin's work for it. */
  void visitorLeft() {
    if (!finished) {
      finish();
      if (origin != null) {
        origin.cancel();
      }
    }
  }

  void relay(OriginAnswer answer) {
    if (finished) {
      answer.cancel();
      return;
    }
    this.origin = answer;
    answer.start(this::event, this::fail);
  }

  void fail(ApiError error) {
    if (!finished) {
      deliver(SseEvent.of("error", error.toEventData()));
      flushAndEnd();
    }
  }

  private void event(SseEvent event) {
    if (finished) {
      return;
    }
    if ("done".equals(event.event())) {
      JsonObject data = event.json().put("ms", (System.nanoTime() - startedNanos) / 1_000_000);
      data.remove("freshness"); // origin tells the edge (for the cache's TTL), not the visitor
      deliver(SseEvent.of("done", data));
      flushAndEnd();
      return;
    }
    deliver(event);
    if ("error".equals(event.event())) {
      flushAndEnd();
    } else if (sse.writeQueueFull()) {
      origin.pause();
      sse.drainHandler(v -> {
        if (!finished) {
          origin.resume();
        }
      });
    }
  }

  private void deliver(SseEvent event) {
    if (streaming) {
      sse.send(event);
    } else {
      held.add(event);
    }
  }

  private void flushAndEnd() {
    held.forEach(sse::send);
    held.clear();
    finish();
    sse.end();
  }

  private void finish() {
    finished = true;
    vertx.cancelTimer(heartbeat);
  }
}
