package dev.edgechat.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lays {@code EDGECHAT_*} environment variables over the merged files. A variable's name is
 * derived from the setting's path, and its text is read as the type of the setting's default
 * (number, boolean, comma-separated list or string), so the defaults file doubles as the schema.
 */
final class EnvironmentOverlay {

  private static final Logger LOG = LoggerFactory.getLogger(EnvironmentOverlay.class);

  /**
   * Variables that are not settings of the files: secrets, where the files are, and the logs' format
   * and level (read by logback.xml before the files are).
   */
  static final Set<String> NON_SETTINGS = Set.of(
      "EDGECHAT_EDGE_TOKEN", "EDGECHAT_ADMIN_TOKEN", "EDGECHAT_GATEWAY_KEYS", "EDGECHAT_LLM_API_KEY",
      "EDGECHAT_EMBEDDINGS_API_KEY", "EDGECHAT_CONFIG_DIR", "EDGECHAT_LOG_FORMAT", "EDGECHAT_LOG_LEVEL");

  private final JsonObject defaults;
  private final Map<String, String> env;

  EnvironmentOverlay(JsonObject defaults, Map<String, String> env) {
    this.defaults = defaults;
    this.env = env;
  }

  /** Warns about {@code EDGECHAT_*} variables that match no setting (a typo would else go unnoticed). */
  void warnAboutUnknownVariables() {
    Set<String> known = new java.util.HashSet<>(NON_SETTINGS);
    SettingPath.leaves(defaults).keySet().forEach(path -> known.add(SettingPath.envName(path)));
    env.keySet().stream()
        .filter(name -> name.startsWith(SettingPath.ENV_PREFIX) && !known.contains(name))
        .sorted()
        .forEach(name -> LOG.warn("environment variable {} matches no setting of edge-config/edgechat.yaml; ignored", name));
  }

  JsonObject apply(JsonObject merged) {
    JsonObject out = merged.copy();
    for (Map.Entry<String, Object> leaf : SettingPath.leaves(defaults).entrySet()) {
      String name = SettingPath.envName(leaf.getKey());
      String text = env.get(name);
      if (text != null) {
        SettingPath.put(out, leaf.getKey(), parse(leaf.getValue(), text.trim()));
      }
    }
    if (!env.containsKey("EDGECHAT_REGION") && env.get("FLY_REGION") != null) {
      out.put("region", env.get("FLY_REGION"));
    }
    // what Fly.io sets in every machine: the app's primary region, and the region (so: behind Fly's proxy)
    if (!env.containsKey("EDGECHAT_EDGE_PRIMARY_REGION") && env.get("PRIMARY_REGION") != null) {
      SettingPath.put(out, "edge.primaryRegion", env.get("PRIMARY_REGION"));
    }
    // OpenTelemetry's own variable for where traces go, as every OTel SDK reads it
    if (!env.containsKey("EDGECHAT_TRACING_OTLP_ENDPOINT") && env.get("OTEL_EXPORTER_OTLP_ENDPOINT") != null) {
      SettingPath.put(out, "tracing.otlpEndpoint", env.get("OTEL_EXPORTER_OTLP_ENDPOINT").trim());
    }
    if (!env.containsKey("EDGECHAT_EDGE_FLY_REPLAY") && env.get("FLY_REGION") != null) {
      SettingPath.put(out, "edge.flyReplay", true);
    }
    return out;
  }

  /** {@code text} as the type of the default {@code example}; as text when it is not one (the reader then refuses it). */
  private static Object parse(Object example, String text) {
    try {
      if (example instanceof Integer || example instanceof Long) {
        return Long.parseLong(text);
      }
      if (example instanceof Number) {
        return Double.parseDouble(text);
      }
      if (example instanceof Boolean) {
        if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
          throw new IllegalArgumentException();
        }
        return Boolean.parseBoolean(text);
      }
      if (example instanceof JsonArray) {
        JsonArray list = new JsonArray();
        Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(list::add);
        return list;
      }
      return text;
    } catch (IllegalArgumentException e) {
      // kept as text: SettingsReader refuses it, naming the setting and its variable, beside any other bad value
      return text;
    }
  }
}
