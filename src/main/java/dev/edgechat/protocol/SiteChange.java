package dev.edgechat.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One change of a site, as origin's change feed carries it ({@link ChangeFeed}): the site got a
 * new knowledge-base version (a purge, a document added, changed or deleted, new settings), or,
 * with {@code documents}, the answers citing those documents were purged (the version stays).
 *
 * @param seq the change's number in the log: every change has the next one, none is skipped
 * @param version the site's knowledge-base version after the change
 * @param documents empty for a change of the whole site; else the documents whose citing answers retire
 * @param at when the change was made (the database's clock, just before it committed)
 */
public record SiteChange(long seq, String site, long version, List<String> documents, Instant at) {

  public SiteChange {
    Objects.requireNonNull(site, "site");
    documents = List.copyOf(documents);
    Objects.requireNonNull(at, "at");
  }

  /** Whether the whole site changed (a new version), rather than only the answers citing some documents. */
  public boolean wholeSite() {
    return documents.isEmpty();
  }

  /** {@code {"seq","site","version","documents"?,"at"}}; {@code documents} only for a purge by document. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("seq", seq).put("site", site).put("version", version);
    if (!documents.isEmpty()) {
      json.put("documents", new JsonArray(documents));
    }
    return json.put("at", at.toString());
  }

  /**
   * Reads what {@link #toJson()} wrote.
   *
   * @throws IllegalArgumentException when a field is missing or malformed
   */
  public static SiteChange fromJson(JsonObject json) {
    try {
      JsonArray documents = json.getJsonArray("documents", new JsonArray());
      return new SiteChange(json.getLong("seq"), json.getString("site"), json.getLong("version"),
          documents.stream().map(d -> (String) Objects.requireNonNull(d)).toList(),
          Instant.parse(json.getString("at")));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed site change: " + json.encode(), e);
    }
  }
}
