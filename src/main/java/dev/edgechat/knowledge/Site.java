package dev.edgechat.knowledge;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;

/**
 * A website that embeds the chat.
 *
 * @param allowedOrigins browser origins allowed to call the chat for this site; {@code *} allows any
 * @param kbVersion version of the knowledge base, bumped on every change (part of cache keys)
 * @param limits the site's own abuse limits over the edge's settings ({@link SiteLimits#NONE}: none)
 * @param semantic the site's own semantic-cache settings over the edge's ({@link SiteSemantic#NONE}: none)
 */
public record Site(String id, String name, List<String> allowedOrigins, String systemPrompt, long kbVersion,
    SiteLimits limits, SiteSemantic semantic) {

  public Site {
    allowedOrigins = List.copyOf(allowedOrigins);
    Objects.requireNonNull(limits);
    Objects.requireNonNull(semantic);
  }

  /** A site with its own limits, and the edge's semantic settings. */
  public Site(String id, String name, List<String> allowedOrigins, String systemPrompt, long kbVersion,
      SiteLimits limits) {
    this(id, name, allowedOrigins, systemPrompt, kbVersion, limits, SiteSemantic.NONE);
  }

  /** A site held to the edge's limits. */
  public Site(String id, String name, List<String> allowedOrigins, String systemPrompt, long kbVersion) {
    this(id, name, allowedOrigins, systemPrompt, kbVersion, SiteLimits.NONE);
  }

  /** Whether a browser page of {@code origin} may call the chat for this site. */
  public boolean allowsOrigin(String origin) {
    return allowedOrigins.contains("*") || allowedOrigins.contains(origin);
  }

  /** This site at {@code version}. */
  public Site atVersion(long version) {
    return new Site(id, name, allowedOrigins, systemPrompt, version, limits, semantic);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("allowedOrigins", new JsonArray(allowedOrigins))
        .put("systemPrompt", systemPrompt)
        .put("kbVersion", kbVersion)
        .put("limits", limits.toJson())
        .put("semantic", semantic.toJson());
  }

  public static Site fromJson(JsonObject json) {
    SiteLimits limits;
    try {
      limits = json.getValue("limits") instanceof JsonObject given ? SiteLimits.fromJson(given) : SiteLimits.NONE;
    } catch (IllegalArgumentException e) {
      // written by origin, which checked them: a field this edge does not know yet is left to the edge's settings
      limits = SiteLimits.NONE;
    }
    SiteSemantic semantic;
    try {
      semantic = json.getValue("semantic") instanceof JsonObject given ? SiteSemantic.fromJson(given) : SiteSemantic.NONE;
    } catch (IllegalArgumentException e) {
      // likewise: a setting this edge does not know yet is left to the edge's settings
      semantic = SiteSemantic.NONE;
    }
    return new Site(json.getString("id"), json.getString("name"),
        json.getJsonArray("allowedOrigins", new JsonArray()).stream().map(String::valueOf).toList(),
        json.getString("systemPrompt"), json.getLong("kbVersion", 1L), limits, semantic);
  }
}
