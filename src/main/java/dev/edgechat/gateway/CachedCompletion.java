package dev.edgechat.gateway;

import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A whole completion as the upstream streamed it: what a replay needs to send the same chunks
 * again (a stream) or the same message (a whole answer).
 *
 * <p>It is kept in the edge's answer cache as a {@link CachedAnswer}, whose "tokens" are the
 * chunks' {@code delta} objects as JSON (role first, content and tool-call pieces after) and whose
 * one "source" holds the rest ({@code model}, {@code system_fingerprint}, {@code finish_reason},
 * {@code usage}). That borrows a shape made for the widget's answers, but it gives the gateway
 * the cache's two levels, byte bound, Redis fail-open, metrics and semantic index as they are; a
 * second cache beside it would duplicate all of them.
 *
 * @param deltas the {@code choices[0].delta} objects in order, encoded; the first carries the role
 * @param usage what the upstream reported, or null when it did not
 */
record CachedCompletion(String model, String fingerprint, List<String> deltas, String finishReason,
    JsonObject usage) {

  CachedCompletion {
    deltas = List.copyOf(deltas);
  }

  /** The answer-cache entry. */
  CachedAnswer toAnswer() {
    JsonObject meta = new JsonObject().put("model", model).put("system_fingerprint", fingerprint)
        .put("finish_reason", finishReason).put("usage", usage);
    return new CachedAnswer(deltas, new JsonArray().add(meta), "dynamic");
  }

  /** The completion an answer-cache entry holds, or empty when the entry is not one (a widget's answer). */
  static Optional<CachedCompletion> of(CachedAnswer answer) {
    if (answer.sources().size() != 1 || !(answer.sources().getValue(0) instanceof JsonObject meta)
        || !meta.containsKey("finish_reason")) {
      return Optional.empty();
    }
    return Optional.of(new CachedCompletion(meta.getString("model"), meta.getString("system_fingerprint"),
        answer.tokens(), meta.getString("finish_reason"), meta.getJsonObject("usage")));
  }

  /**
   * The completion a flight's log holds when it ended well ({@code head}, {@code delta}s,
   * {@code done}), else empty.
   */
  static Optional<CachedCompletion> of(List<SseEvent> log) {
    if (log.isEmpty() || !Events.DONE.equals(log.get(log.size() - 1).event()) || !Events.HEAD.equals(log.get(0).event())) {
      return Optional.empty();
    }
    JsonObject head = log.get(0).json();
    JsonObject done = log.get(log.size() - 1).json();
    List<String> deltas = new ArrayList<>(log.size());
    for (SseEvent event : log) {
      if (Events.DELTA.equals(event.event())) {
        deltas.add(event.data());
      }
    }
    return Optional.of(new CachedCompletion(head.getString("model"), head.getString("system_fingerprint"), deltas,
        done.getString("finish_reason"), done.getJsonObject("usage")));
  }

  /** The flight events that replay this completion. */
  List<SseEvent> events() {
    List<SseEvent> events = new ArrayList<>(deltas.size() + 2);
    events.add(head(model, fingerprint));
    deltas.forEach(delta -> events.add(new SseEvent(null, Events.DELTA, delta)));
    events.add(done(finishReason, usage));
    return events;
  }

  static SseEvent head(String model, String fingerprint) {
    return SseEvent.of(Events.HEAD, new JsonObject().put("model", model).put("system_fingerprint", fingerprint));
  }

  static SseEvent done(String finishReason, JsonObject usage) {
    return SseEvent.of(Events.DONE, new JsonObject().put("finish_reason", finishReason).put("usage", usage));
  }

  /**
   * Whether the answer may be replayed: it ended with a finish reason, and not because a content
   * filter cut it ({@code length} is kept: the token limit is part of the key, so the same request
   * is cut at the same place).
   */
  boolean cacheable() {
    return finishReason != null && !"content_filter".equals(finishReason);
  }
}
