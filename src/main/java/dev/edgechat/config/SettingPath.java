package dev.edgechat.config;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Dotted setting paths ({@code edge.heartbeatMs}) and the environment variable each maps to. */
final class SettingPath {

  static final String ENV_PREFIX = "EDGECHAT_";

  private SettingPath() {
  }

  /** {@code edge.heartbeatMs} → {@code EDGECHAT_EDGE_HEARTBEAT_MS}. */
  static String envName(String path) {
    StringBuilder out = new StringBuilder(ENV_PREFIX);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '.') {
        out.append('_');
      } else if (Character.isUpperCase(c)) {
        out.append('_').append(c);
      } else {
        out.append(Character.toUpperCase(c));
      }
    }
    return out.toString().toUpperCase(Locale.ROOT);
  }

  /** Every leaf of {@code json} by its dotted path, in document order. */
  static Map<String, Object> leaves(JsonObject json) {
    Map<String, Object> out = new LinkedHashMap<>();
    collect("", json, out);
    return out;
  }

  private static void collect(String prefix, JsonObject json, Map<String, Object> out) {
    for (Map.Entry<String, Object> e : json) {
      String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue() instanceof JsonObject child) {
        collect(path, child, out);
      } else {
        out.put(path, e.getValue());
      }
    }
  }

  static Object get(JsonObject json, String path) {
    JsonObject node = json;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
      if (node == null) {
        return null;
      }
    }
    return node.getValue(parts[parts.length - 1]);
  }

  static void put(JsonObject json, String path, Object value) {
    JsonObject node = json;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject next = node.getJsonObject(parts[i]);
      if (next == null) {
        next = new JsonObject();
        node.put(parts[i], next);
      }
      node = next;
    }
    node.put(parts[parts.length - 1], value);
  }

  /** Removes the setting at {@code path}, if there is one. */
  static void remove(JsonObject json, String path) {
    JsonObject node = json;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
      if (node == null) {
        return;
      }
    }
    node.remove(parts[parts.length - 1]);
  }
}
