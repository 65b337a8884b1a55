package dev.edgechat.knowledge;

import io.vertx.core.json.JsonObject;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A site's own abuse limits, set through the admin API ({@code PUT /admin/sites/{site}},
 * {@code "limits"}); each one left empty is the edge's setting ({@code limits.*} in edgechat.yaml).
 * 0 is no limit, as in the settings.
 *
 * @param visitorChatsPerMinute over {@code limits.visitorChatsPerMinute}
 * @param ipChatsPerMinute over {@code limits.ipChatsPerMinute}
 * @param dailyTokens over {@code limits.siteDailyTokens}
 */
public record SiteLimits(OptionalLong visitorChatsPerMinute, OptionalLong ipChatsPerMinute, OptionalLong dailyTokens) {

  /** No override: every limit is the edge's setting. */
  public static final SiteLimits NONE = new SiteLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());

  /** The fields of {@code "limits"}, and the largest value each takes. */
  private static final Set<String> FIELDS = Set.of("visitorChatsPerMinute", "ipChatsPerMinute", "dailyTokens");
  private static final long MAX_PER_MINUTE = 1_000_000;
  private static final long MAX_TOKENS = 1_000_000_000_000L;

  /** Whether nothing is overridden. */
  public boolean isEmpty() {
    return equals(NONE);
  }

  /** {@code {"visitorChatsPerMinute"?, "ipChatsPerMinute"?, "dailyTokens"?}}: the limits that are set. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    visitorChatsPerMinute.ifPresent(v -> json.put("visitorChatsPerMinute", v));
    ipChatsPerMinute.ifPresent(v -> json.put("ipChatsPerMinute", v));
    dailyTokens.ifPresent(v -> json.put("dailyTokens", v));
    return json;
  }

  /**
   * The limits of {@code json} (null: none), checked: whole numbers from 0, each field at most once.
   *
   * @throws IllegalArgumentException saying what is wrong, for a 400
   */
  public static SiteLimits fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    for (String name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("'limits' has no field '" + (name.length() > 64 ? name.substring(0, 64) : name)
            + "'; it takes visitorChatsPerMinute, ipChatsPerMinute and dailyTokens");
      }
    }
    return new SiteLimits(whole(json, "visitorChatsPerMinute", MAX_PER_MINUTE),
        whole(json, "ipChatsPerMinute", MAX_PER_MINUTE), whole(json, "dailyTokens", MAX_TOKENS));
  }

  private static OptionalLong whole(JsonObject json, String name, long max) {
    Object value = json.getValue(name);
    if (value == null) {
      return OptionalLong.empty();
    }
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0
        || n.doubleValue() > max) {
      throw new IllegalArgumentException("'limits." + name + "' must be a whole number from 0 (no limit) to " + max
          + ", or null for the edge's setting");
    }
    return OptionalLong.of(n.longValue());
  }
}
