package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.protocol.Events;
import dev.edgechat.protocol.ReadAfter;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * One visitor's message as a stream of events numbered from 1 ({@code ready}), kept while it is
 * answered and for a while after, so that a visitor whose connection dropped can resume it
 * (API.md §1). It copies the answer's events from its {@link AnswerFlight} (shared with others
 * who asked the same) into its own log, in the form this visitor sees them, and writes them to
 * the {@link ResumeBuffer} for other edges.
 *
 * <p>When the visitor's connection drops mid-answer, the answer goes on for
 * {@code edge.resumeGraceMs}; if nobody resumes by then, this stream leaves the flight, which
 * cancels origin's work if nobody else reads it.
 */
final class MessageStream implements ResumableMessage {

  private final Vertx vertx;
  private final LiveConfig config;
  private final long startedNanos;
  private final AnswerFlight log = AnswerFlight.keptWhenAbandoned();
  private final ResumeBuffer.Writer buffer;
  private Context context;
  private AnswerFlight answer;
  private AnswerFlight.Follower membership;
  private int cursor;
  private long graceTimer = -1;
  private boolean left;

  /** Starts the stream with its {@code ready} event, on the visitor's context. */
  MessageStream(Vertx vertx, LiveConfig config, ResumeBuffer.Writer buffer, SseEvent ready, long startedNanos) {
    this.vertx = vertx;
    this.config = config;
    this.buffer = buffer;
    this.startedNanos = startedNanos;
    this.context = vertx.getOrCreateContext();
    log.onAbandoned(() -> context.runOnContext(v -> startGrace()), () -> context.runOnContext(v -> stopGrace()));
    append(ready);
  }

  /** The events as the visitor sees them; event n is at index n-1. */
  @Override
  public AnswerFlight log() {
    return log;
  }

  /** Starts copying {@code flight}'s events; news of it arrives on {@code context}, the visitor's. */
  void follow(AnswerFlight flight, Context context) {
    this.context = context;
    this.answer = flight;
    if (left) {
      flight.follow(context, () -> { }).leave(); // the visitor is long gone: let the flight know
      return;
    }
    if (flight.isEnded()) {
      // a replay (a cache hit) arrives whole at once: resumable from this edge's memory, not worth a Redis write
      buffer.discard();
    } else {
      buffer.start();
    }
    this.membership = flight.follow(context, this::copy);
    copy();
  }

  private void copy() {
    List<SseEvent> burst = new ArrayList<>();
    SseEvent event;
    while (!left && (event = answer.event(cursor)) != null) {
      cursor++;
      if (Events.DONE.equals(event.event())) {
        JsonObject data = event.json().put("ms", (System.nanoTime() - startedNanos) / 1_000_000);
        data.remove("freshness"); // origin tells the edge (for the cache's TTL), not the visitor
        data.remove(ReadAfter.FIELD); // and where it wrote the answer (for the edge's next read)
        event = SseEvent.of(Events.DONE, data);
      }
      burst.add(event);
    }
    append(burst);
  }

  private void append(SseEvent event) {
    append(List.of(event));
  }

  private void append(List<SseEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    log.publishAll(events);
    events.forEach(buffer::append);
    if (Events.isTerminal(events.get(events.size() - 1))) {
      stopGrace();
    }
  }

  private void startGrace() {
    if (log.isEnded() || left || graceTimer >= 0) {
      return;
    }
    long graceMs = config.get().edge().resumeGraceMs();
    if (graceMs == 0) {
      leave();
    } else {
      graceTimer = vertx.setTimer(graceMs, id -> {
        graceTimer = -1;
        leave();
      });
    }
  }

  private void stopGrace() {
    if (graceTimer >= 0) {
      vertx.cancelTimer(graceTimer);
      graceTimer = -1;
    }
  }

  /** Nobody resumed in time: stop reading the answer (origin's work stops if nobody else reads it). */
  private void leave() {
    if (left || log.isEnded()) {
      return;
    }
    left = true;
    if (membership != null) {
      membership.leave();
    }
    append(SseEvent.of(Events.ERROR, new JsonObject().put("code", "timeout")
        .put("message", "the answer was stopped: its visitor left and did not resume within edge.resumeGraceMs")));
  }
}
