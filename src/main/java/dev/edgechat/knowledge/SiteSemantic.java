package dev.edgechat.knowledge;

import dev.edgechat.config.EdgechatConfig;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A site's own semantic-cache settings, set through the admin API ({@code PUT /admin/sites/{site}},
 * {@code "semantic"}); each one left empty is the edge's setting.
 *
 * @param enabled whether a paraphrase of a cached first question may be answered from the cache
 *     for this site; empty: {@code cache.semantic}. Off for a site, its questions are neither
 *     matched nor indexed by meaning (exact repeats still hit)
 * @param maxWrongShare the share of semantic hits allowed to be wrong, which the matcher honours;
 *     empty: {@code cache.semanticMaxWrongShare}
 */
public record SiteSemantic(Optional<Boolean> enabled, OptionalDouble maxWrongShare) {

  /** No override: the edge's settings. */
  public static final SiteSemantic NONE = new SiteSemantic(Optional.empty(), OptionalDouble.empty());
  /** The least and greatest {@code maxWrongShare}, as {@code cache.semanticMaxWrongShare} takes it. */
  public static final double MIN_WRONG_SHARE = EdgechatConfig.Cache.MIN_WRONG_SHARE;
  public static final double MAX_WRONG_SHARE = EdgechatConfig.Cache.MAX_WRONG_SHARE;

  private static final Set<String> FIELDS = Set.of("enabled", "maxWrongShare");

  public SiteSemantic {
    java.util.Objects.requireNonNull(enabled);
    java.util.Objects.requireNonNull(maxWrongShare);
  }

  /** Whether nothing is overridden. */
  public boolean isEmpty() {
    return enabled.isEmpty() && maxWrongShare.isEmpty();
  }

  /** Whether the semantic level serves this site, given the edge's switch ({@code cache.semantic}). */
  public boolean enabledOver(boolean edgeSwitch) {
    return edgeSwitch && enabled.orElse(true);
  }

  /** The tolerated share of wrong semantic hits, given the edge's ({@code cache.semanticMaxWrongShare}). */
  public double maxWrongShareOver(double edgeDefault) {
    return maxWrongShare.orElse(edgeDefault);
  }

  /** {@code {"enabled"?, "maxWrongShare"?}}: the settings that are set. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    enabled.ifPresent(v -> json.put("enabled", v));
    maxWrongShare.ifPresent(v -> json.put("maxWrongShare", v));
    return json;
  }

  /**
   * The settings of {@code json} (null: none), checked.
   *
   * @throws IllegalArgumentException saying what is wrong, for a 400
   */
  public static SiteSemantic fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    for (String name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw new IllegalArgumentException("'semantic' has no field '" + (name.length() > 64 ? name.substring(0, 64) : name)
            + "'; it takes enabled and maxWrongShare");
      }
    }
    Object enabled = json.getValue("enabled");
    if (enabled != null && !(enabled instanceof Boolean)) {
      throw new IllegalArgumentException("'semantic.enabled' must be true, false, or null for the edge's setting");
    }
    Object share = json.getValue("maxWrongShare");
    if (share != null && (!(share instanceof Number n) || !(n.doubleValue() >= MIN_WRONG_SHARE)
        || n.doubleValue() > MAX_WRONG_SHARE)) {
      throw new IllegalArgumentException("'semantic.maxWrongShare' must be a number from " + MIN_WRONG_SHARE + " to "
          + MAX_WRONG_SHARE + " (the share of semantic hits allowed to be wrong), or null for the edge's setting");
    }
    return new SiteSemantic(Optional.ofNullable((Boolean) enabled),
        share == null ? OptionalDouble.empty() : OptionalDouble.of(((Number) share).doubleValue()));
  }
}
