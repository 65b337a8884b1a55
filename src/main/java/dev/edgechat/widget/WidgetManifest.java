package dev.edgechat.widget;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The index the build step writes next to the served files ({@value #RESOURCE} on the classpath) and
 * {@link WidgetAssets} reads at startup: for each widget file, the name it is served under and which
 * precompressed copies exist. Files live under {@value #FOLDER}: {@code <name>}, {@code <name>.br},
 * {@code <name>.gz}.
 */
record WidgetManifest(List<Entry> assets) {

  static final String RESOURCE = "widget-assets.json";
  static final String FOLDER = "widget/";

  WidgetManifest {
    assets = List.copyOf(assets);
  }

  /**
   * One widget file.
   *
   * @param source its name in {@code src/main/resources/widget}
   * @param name the name it is served under: {@code source} for a stable asset, else with the content hash
   * @param stable whether it keeps its source name (and a short cache lifetime) instead of a content hash
   * @param encodings the precompressed copies written, of {@code br} and {@code gzip}: only those smaller than the file
   * @param sourceBytes the source file's size
   * @param servedBytes the served (minified, placeholders replaced) file's size
   * @param gzipBytes the gzip copy's size, 0 if none
   * @param brBytes the brotli copy's size, 0 if none
   */
  record Entry(String source, String name, boolean stable, List<String> encodings, long sourceBytes,
      long servedBytes, long gzipBytes, long brBytes) {

    Entry {
      Objects.requireNonNull(source);
      Objects.requireNonNull(name);
      encodings = List.copyOf(encodings);
    }

    JsonObject toJson() {
      return new JsonObject().put("source", source).put("name", name).put("stable", stable)
          .put("encodings", new JsonArray(encodings))
          .put("sizes", new JsonObject().put("source", sourceBytes).put("served", servedBytes)
              .put("gzip", gzipBytes).put("br", brBytes));
    }

    static Entry fromJson(JsonObject json) {
      JsonObject sizes = json.getJsonObject("sizes");
      return new Entry(json.getString("source"), json.getString("name"), json.getBoolean("stable"),
          json.getJsonArray("encodings").stream().map(String.class::cast).toList(),
          sizes.getLong("source"), sizes.getLong("served"), sizes.getLong("gzip"), sizes.getLong("br"));
    }
  }

  /** The file name of a precompressed copy: {@code .br} or {@code .gz} appended. */
  static String encodedName(String name, String encoding) {
    return switch (encoding) {
      case "br" -> name + ".br";
      case "gzip" -> name + ".gz";
      default -> throw new IllegalArgumentException("no precompressed copy for encoding " + encoding);
    };
  }

  /** {@code edgechat-ui.js} → {@code edgechat-ui.<first 16 hex of SHA-256>.js}. */
  static String hashedName(String name, byte[] bytes) {
    String hash = sha256(bytes).substring(0, 16);
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) + "." + hash + name.substring(dot) : name + "." + hash;
  }

  /** SHA-256 in hex: the content hash in hashed names (its first 16 hex) and ETags (its first 32). */
  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  JsonObject toJson() {
    return new JsonObject().put("assets", new JsonArray(assets.stream().map(Entry::toJson).toList()));
  }

  static WidgetManifest fromJson(JsonObject json) {
    return new WidgetManifest(json.getJsonArray("assets").stream()
        .map(o -> Entry.fromJson((JsonObject) o)).toList());
  }
}
