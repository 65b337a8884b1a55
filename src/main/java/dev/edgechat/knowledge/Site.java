package dev.edgechat.knowledge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A website that embeds the chat.
 *
 * @param allowedOrigins browser origins allowed to call the chat for this site; {@code *} allows any
 * @param kbVersion version of the knowledge base, bumped on every change (part of cache keys)
 */
public record Site(String id, String name, List<String> allowedOrigins, String systemPrompt, long kbVersion) {

  public Site {
    allowedOrigins = List.copyOf(allowedOrigins);
  }

  /** Whether a browser page of {@code origin} may call the chat for this site. */
  public boolean allowsOrigin(String origin) {
    return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("allowedOrigins", new JsonArray(allowedOrigins))
        .put("systemPrompt", systemPrompt)
        .put("kbVersion", kbVersion);
  }

  public static Site fromJson(JsonObject json) {
    return new Site(json.getString("id"), json.getString("name"),
        json.getJsonArray("allowedOrigins", new JsonArray()).stream().map(String::valueOf).toList(),
        json.getString("systemPrompt"), json.getLong("kbVersion", 1L));
  }
}
