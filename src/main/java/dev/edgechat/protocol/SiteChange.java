package dev.edgechat.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One change of a site, as origin's change feed carries it ({@link ChangeFeed}): the site got a
 * new knowledge-base version (a purge, a document added, changed or deleted, new settings), or,
 * with {@code documents}, the answers citing those documents were purged (the version stays), or,
 * with {@code wrongHit}, a cached question was reported to have lent its answer to a question it
 * did not mean the same as: it must no longer answer by meaning (the version stays; its exact
 * repeats still hit).
 *
 * @param seq the change's number in the log: every change has the next one, none is skipped
 * @param version the site's knowledge-base version after the change
 * @param documents empty for a change of the whole site; else the documents whose citing answers retire
 * @param at when the change was made (the database's clock, just before it committed)
 * @param wrongHit for a reported wrong hit, the normalized cached question that no longer answers
 *     by meaning; else null
 */
public record SiteChange(long seq, String site, long version, List<String> documents, Instant at, String wrongHit) {

  public SiteChange {
    Objects.requireNonNull(site, "site");
    documents = List.copyOf(documents);
    Objects.requireNonNull(at, "at");
    if (wrongHit != null && !documents.isEmpty()) {
      throw new IllegalArgumentException("a change is a purge by document or a wrong hit, not both");
    }
  }

  /** A new version, or a purge by document. */
  public SiteChange(long seq, String site, long version, List<String> documents, Instant at) {
    this(seq, site, version, documents, at, null);
  }

  /** Whether the whole site changed (a new version), rather than only some of its answers. */
  public boolean wholeSite() {
    return documents.isEmpty() && wrongHit == null;
  }

  /** Whether this is a reported wrong hit ({@link #wrongHit()}). */
  public boolean isWrongHit() {
    return wrongHit != null;
  }

  /**
   * {@code {"seq","site","version","documents"?,"wrongHit"?,"at"}}; {@code documents} only for a
   * purge by document, {@code wrongHit} only for a reported wrong hit.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("seq", seq).put("site", site).put("version", version);
    if (!documents.isEmpty()) {
      json.put("documents", new JsonArray(documents));
    }
    if (wrongHit != null) {
      json.put("wrongHit", wrongHit);
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
          Instant.parse(json.getString("at")), json.getString("wrongHit"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed site change: " + json.encode(), e);
    }
  }
}
