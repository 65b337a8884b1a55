package dev.edgechat.widget;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.ParsedHeaderValue;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One widget file as served: its plain bytes and its precompressed copies (brotli, gzip), each with
 * its own ETag, and the choice among them for a request's {@code Accept-Encoding}.
 */
final class WidgetAsset {

  /** One representation: {@code encoding} is {@code br}, {@code gzip} or {@code identity}. */
  record Representation(String encoding, Buffer body, String etag) {
  }

  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("json", "application/json"),
      Map.entry("webmanifest", "application/manifest+json"),
      Map.entry("svg", "image/svg+xml"),
      Map.entry("txt", "text/plain; charset=utf-8"),
      Map.entry("png", "image/png"),
      Map.entry("ico", "image/x-icon"),
      Map.entry("woff2", "font/woff2"));

  private final String source;
  private final String name;
  private final boolean stable;
  private final String contentType;
  private final Representation identity;
  private final List<Representation> encoded;

  /**
   * @param source the file's name in the widget's sources
   * @param name the name it is served under
   * @param encoded its precompressed copies, most preferred first
   */
  WidgetAsset(String source, String name, boolean stable, Buffer identity, Map<String, Buffer> encoded) {
    this.source = Objects.requireNonNull(source);
    this.name = Objects.requireNonNull(name);
    this.stable = stable;
    int dot = source.lastIndexOf('.');
    this.contentType = TYPES.getOrDefault(dot > 0 ? source.substring(dot + 1).toLowerCase(Locale.ROOT) : "",
        "application/octet-stream");
    String tag = WidgetManifest.sha256(identity.getBytes()).substring(0, 32);
    this.identity = new Representation("identity", identity, "\"" + tag + "\"");
    this.encoded = encoded.entrySet().stream()
        .map(e -> new Representation(e.getKey(), e.getValue(), "\"" + tag + "-" + e.getKey() + "\""))
        .toList();
  }

  String source() {
    return source;
  }

  /** The name it is served under: the source name if stable, else with its content hash. */
  String name() {
    return name;
  }

  boolean stable() {
    return stable;
  }

  String contentType() {
    return contentType;
  }

  /**
   * The representation for a request's parsed {@code Accept-Encoding}: the precompressed copy the
   * client weighs highest ({@code *} counts for codings it does not name, {@code q=0} refuses), ties
   * going to the smaller (brotli before gzip); the plain bytes when it accepts none.
   */
  Representation select(List<ParsedHeaderValue> acceptEncoding) {
    Representation best = identity;
    float bestWeight = 0;
    for (Representation r : encoded) {
      float weight = weight(acceptEncoding, r.encoding());
      if (weight > bestWeight) {
        best = r;
        bestWeight = weight;
      }
    }
    return best;
  }

  private static float weight(List<ParsedHeaderValue> acceptEncoding, String coding) {
    float wildcard = 0;
    for (ParsedHeaderValue v : acceptEncoding) {
      String value = v.value().trim();
      if (value.equalsIgnoreCase(coding) || (coding.equals("gzip") && value.equalsIgnoreCase("x-gzip"))) {
        return v.weight();
      }
      if (value.equals("*")) {
        wildcard = v.weight();
      }
    }
    return wildcard;
  }
}
