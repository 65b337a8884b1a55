package dev.edgechat.cache;

import dev.edgechat.web.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A complete answer as it was streamed: its text deltas (replayed as the same natural chunks, not
 * one blob), its sources and the freshness of what it cites.
 */
public record CachedAnswer(List<String> tokens, JsonArray sources, String freshness, List<SseEvent> replay) {

  public CachedAnswer(List<String> tokens, JsonArray sources, String freshness) {
    this(tokens, sources, freshness, null);
  }

  /**
   * {@code replay} is derived: the answer's {@code token} events and its {@code sources} event,
   * encoded once when the answer enters the cache, so that a hit only copies references.
   */
  public CachedAnswer {
    tokens = List.copyOf(tokens);
    sources = sources.copy();
    List<SseEvent> events = new ArrayList<>(tokens.size() + 1);
    tokens.forEach(text -> events.add(SseEvent.of("token", new JsonObject().put("text", text))));
    events.add(SseEvent.of("sources", new JsonObject().put("items", sources)));
    replay = List.copyOf(events);
  }

  public String text() {
    return String.join("", tokens);
  }

  /** Roughly what the entry costs in memory, for the byte-bounded in-process cache. */
  int weightBytes() {
    int bytes = 64 + sources.encode().length() * 4;
    for (String token : tokens) {
      bytes += 120 + token.length() * 4; // the text and its encoded event
    }
    return bytes;
  }

  JsonObject toJson() {
    return new JsonObject().put("tokens", new JsonArray(tokens)).put("sources", sources).put("freshness", freshness);
  }

  static CachedAnswer fromJson(JsonObject json) {
    return new CachedAnswer(json.getJsonArray("tokens").stream().map(String::valueOf).toList(),
        json.getJsonArray("sources", new JsonArray()), json.getString("freshness", "dynamic"));
  }
}
