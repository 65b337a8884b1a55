package dev.edgechat.cache;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A complete answer as it was streamed: its text deltas (replayed as the same natural chunks, not
 * one blob), its sources and the freshness of what it cites.
 */
public record CachedAnswer(List<String> tokens, JsonArray sources, String freshness) {

  public CachedAnswer {
    tokens = List.copyOf(tokens);
    sources = sources.copy();
  }

  public String text() {
    return String.join("", tokens);
  }

  /** Roughly what the entry costs in memory, for the byte-bounded in-process cache. */
  int weightBytes() {
    int bytes = 64 + sources.encode().length() * 2;
    for (String token : tokens) {
      bytes += 40 + token.length() * 2;
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
