package dev.edgechat.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Origin's feed of site changes, which every edge follows over its connection to origin
 * ({@code GET /internal/changes?after=<seq>}, edge token, {@code text/event-stream}):
 *
 * <ul>
 *   <li>with {@code after} still in origin's log: a {@value #CHANGE} event for each change after
 *       it, in order, then each new one as it commits;
 *   <li>without {@code after}, or with one older than the log keeps: first a {@value #SNAPSHOT},
 *       the state at some sequence number (every site's version and the purges by document still
 *       kept), then the changes after that number;
 *   <li>a {@code : ping} comment at least every {@code origin.changesHeartbeatMs}, so an edge knows
 *       a silent link from a quiet one.
 * </ul>
 *
 * <p>Each event's {@code id} is its sequence number. Numbers have no gaps: an edge that sees one
 * skipped reconnects after the last it applied. Applying a change twice is harmless, so the edge
 * resumes with the last one it applied and nothing is missed.
 */
public final class ChangeFeed {

  /** Where origin serves the feed. */
  public static final String PATH = "/internal/changes";
  /** The query parameter naming the last change the edge applied. */
  public static final String AFTER = "after";
  /** A change: {@link SiteChange#toJson()}. */
  public static final String CHANGE = "change";
  /** The state at a sequence number: {@link Snapshot#toJson()}. */
  public static final String SNAPSHOT = "snapshot";

  private ChangeFeed() {
  }

  /**
   * What an edge that cannot resume starts from: the log's state at {@code seq}, or later (a change
   * after {@code seq} may be in it already; the feed sends it again, which is harmless).
   *
   * @param versions every site's knowledge-base version
   * @param purges the purges by document the log still keeps, oldest first
   */
  public record Snapshot(long seq, Map<String, Long> versions, List<SiteChange> purges) {

    public Snapshot {
      versions = Map.copyOf(versions);
      purges = List.copyOf(purges);
    }

    /** {@code {"seq","sites":[{"site","version"}],"purges":[change…]}}. */
    public JsonObject toJson() {
      JsonArray sites = new JsonArray();
      versions.forEach((site, version) -> sites.add(new JsonObject().put("site", site).put("version", version)));
      JsonArray kept = new JsonArray();
      purges.forEach(p -> kept.add(p.toJson()));
      return new JsonObject().put("seq", seq).put("sites", sites).put("purges", kept);
    }

    /** @throws IllegalArgumentException when a field is missing or malformed */
    public static Snapshot fromJson(JsonObject json) {
      try {
        Map<String, Long> versions = new java.util.HashMap<>();
        for (Object item : json.getJsonArray("sites")) {
          JsonObject site = (JsonObject) item;
          versions.put(Objects.requireNonNull(site.getString("site")), Objects.requireNonNull(site.getLong("version")));
        }
        List<SiteChange> purges = json.getJsonArray("purges").stream()
            .map(p -> SiteChange.fromJson((JsonObject) p)).toList();
        return new Snapshot(json.getLong("seq"), versions, purges);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("malformed snapshot of site changes", e);
      }
    }
  }
}
