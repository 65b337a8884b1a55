package dev.edgechat.widget;

import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embeddable widget (API.md §6) under {@code /widget/}: every file that the build step
 * ({@link WidgetBuild}) wrote, minified, content-hashed and precompressed, read once at startup.
 *
 * <ul>
 *   <li>{@code /widget/<base>.<hash>.<ext>}: a content-hashed file, {@value #IMMUTABLE};</li>
 *   <li>{@code /widget/<source name>}: a stable file (the loader {@code edgechat.js}, the frame, the
 *       service worker) and, for a hashed one, its current version: {@value #SHORT} unless
 *       {@link #CACHE_CONTROL} says otherwise, revalidated by ETag;</li>
 *   <li>a hashed name with a hash this edge does not have (a page holding an older or newer loader
 *       during a rolling deploy): {@code 302} to the current hashed name, {@value #NOT_STORED}, so no
 *       cache keeps a wrong file under a name that promises immutability;</li>
 *   <li>any other name: 404.</li>
 * </ul>
 * Each answer is the brotli, gzip or plain copy by {@code Accept-Encoding}, with its own ETag and
 * {@code Vary: Accept-Encoding}; 304 on a matching {@code If-None-Match}; HEAD; CORS for any origin;
 * a file's own headers from {@link #HEADERS} (the frame's CSP).
 */
public final class WidgetAssets {

  static final String LOADER = "edgechat.js";
  static final String LOADER_PATH = "/widget/" + LOADER;
  static final String SHORT = "public, max-age=300";
  static final String IMMUTABLE = "public, max-age=31536000, immutable";
  static final String NOT_STORED = "no-store";
  /** The chat UI's frame talks only to its own edge; any page may embed it (the edge checks the embedder per site). */
  static final String FRAME_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; "
      + "base-uri 'none'; form-action 'none'; frame-ancestors *";
  /**
   * Cache-Control, by source name, where {@value #SHORT} does not fit a file's own or plain name:
   * the loader may be used stale for a week while it revalidates (a page loaded offline still finds
   * it); the frame and the service worker are revalidated at every use, so a release reaches a
   * visitor at the next frame load or worker update check.
   */
  static final Map<String, String> CACHE_CONTROL = Map.of(
      LOADER, "public, max-age=300, stale-while-revalidate=604800",
      "frame.html", "no-cache",
      "sw.js", "no-cache");
  /** Headers a file is served with besides the common ones, by source name: the frame's own CSP. */
  static final Map<String, Map<String, String>> HEADERS = Map.of(
      "frame.html", Map.of("Content-Security-Policy", FRAME_CSP));
  private static final String PREFIX = "/widget/";
  /** {@code <base>.<16 hex>.<ext>}: a content-hashed name (WidgetManifest#hashedName), whatever the hash. */
  private static final Pattern HASHED = Pattern.compile("(.+)\\.[0-9a-f]{16}(\\.[^.]+)?");

  /** What answers one name under /widget/. */
  private record Route(WidgetAsset asset, String cacheControl, Map<String, String> headers) {
  }

  private final Map<String, Route> routes = new HashMap<>();
  private final Map<String, WidgetAsset> hashedBySource = new HashMap<>();

  /**
   * @param cacheControl by source name, replaces {@value #SHORT} for the file's own (stable) or plain name
   * @param headers by source name, added to each of the file's answers (not to 304s and redirects)
   */
  WidgetAssets(List<WidgetAsset> assets, Map<String, String> cacheControl, Map<String, Map<String, String>> headers) {
    for (WidgetAsset asset : assets) {
      String shortLived = cacheControl.getOrDefault(asset.source(), SHORT);
      Map<String, String> extra = headers.getOrDefault(asset.source(), Map.of());
      if (asset.stable()) {
        routes.put(asset.name(), new Route(asset, shortLived, extra));
      } else {
        routes.put(asset.name(), new Route(asset, IMMUTABLE, extra));
        routes.put(asset.source(), new Route(asset, shortLived, extra));
        hashedBySource.put(asset.source(), asset);
      }
    }
    if (!routes.containsKey(LOADER)) {
      throw new IllegalStateException("the widget has no loader: " + WidgetManifest.RESOURCE + " lists no " + LOADER);
    }
  }

  /**
   * Reads the built widget from the classpath on a worker thread. Fails when the build step has not
   * run (e.g. classes compiled by an IDE alone): {@code mvn process-classes} (or {@code package}) builds it.
   */
  public static Future<WidgetAssets> load(Vertx vertx) {
    return vertx.executeBlocking(() -> fromClasspath(WidgetAssets.class.getClassLoader()));
  }

  static WidgetAssets fromClasspath(ClassLoader classLoader) {
    return fromClasspath(classLoader, CACHE_CONTROL, HEADERS);
  }

  static WidgetAssets fromClasspath(ClassLoader classLoader, Map<String, String> cacheControl,
      Map<String, Map<String, String>> headers) {
    byte[] index = resource(classLoader, WidgetManifest.RESOURCE).orElseThrow(() -> new IllegalStateException(
        "the widget is not built: " + WidgetManifest.RESOURCE + " is not on the classpath. Maven's process-classes "
            + "phase builds it (mvn -o -q process-classes, or package) from src/main/resources/widget"));
    WidgetManifest manifest = WidgetManifest.fromJson(new JsonObject(Buffer.buffer(index)));
    return new WidgetAssets(manifest.assets().stream().map(e -> asset(classLoader, e)).toList(), cacheControl,
        headers);
  }

  private static WidgetAsset asset(ClassLoader classLoader, WidgetManifest.Entry entry) {
    Buffer plain = Buffer.buffer(required(classLoader, entry.name()));
    if (!entry.stable() && !entry.name().equals(WidgetManifest.hashedName(entry.source(), plain.getBytes()))) {
      throw new IllegalStateException("widget file " + entry.name() + " does not hold the bytes its name hashes: "
          + "rebuild (mvn process-classes)");
    }
    Map<String, Buffer> encoded = new LinkedHashMap<>();
    for (String encoding : entry.encodings()) {
      encoded.put(encoding, Buffer.buffer(required(classLoader, WidgetManifest.encodedName(entry.name(), encoding))));
    }
    return new WidgetAsset(entry.source(), entry.name(), entry.stable(), plain, encoded);
  }

  /** The path a widget file is served under now, by its source name ({@code edgechat-ui.js}). */
  public Optional<String> path(String source) {
    Route route = routes.get(source);
    return route == null ? Optional.empty() : Optional.of(PREFIX + route.asset().name());
  }

  /** The path of the chat UI under its content-hashed name. */
  public String uiPath() {
    return path("edgechat-ui.js").orElseThrow();
  }

  public void mount(Router router) {
    // HEAD too: CDNs and link checkers ask it (Vert.x sends the headers without the body)
    router.route(PREFIX + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    String name = ctx.normalizedPath().substring(PREFIX.length());
    Route route = routes.get(name);
    if (route != null) {
      send(ctx, route);
      return;
    }
    Matcher hashed = HASHED.matcher(name);
    WidgetAsset current = hashed.matches()
        ? hashedBySource.get(hashed.group(1) + (hashed.group(2) == null ? "" : hashed.group(2)))
        : null;
    if (current != null) {
      // relative, so it resolves under whatever prefix a CDN or proxy serves /widget/ from
      cors(ctx.response()).putHeader(HttpHeaders.CACHE_CONTROL, NOT_STORED)
          .putHeader(HttpHeaders.LOCATION, current.name()).setStatusCode(302).end();
      return;
    }
    ctx.fail(ApiError.notFound("no such widget asset"));
  }

  private static void send(RoutingContext ctx, Route route) {
    WidgetAsset.Representation r = route.asset().select(ctx.parsedHeaders().acceptEncoding());
    HttpServerResponse response = cors(ctx.response())
        .putHeader(HttpHeaders.CACHE_CONTROL, route.cacheControl())
        .putHeader(HttpHeaders.ETAG, r.etag())
        .putHeader(HttpHeaders.VARY, "Accept-Encoding");
    if (matches(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), r.etag())) {
      response.setStatusCode(304).end();
      return;
    }
    // set here, not left to end(): Vert.x leaves it out of a HEAD answer otherwise
    response.putHeader(HttpHeaders.CONTENT_TYPE, route.asset().contentType())
        .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(r.body().length()));
    route.headers().forEach(response::putHeader);
    if (!r.encoding().equals("identity") || ctx.request().headers().contains(HttpHeaders.ACCEPT_ENCODING)) {
      // any Content-Encoding keeps the server's on-the-fly compression off this answer (HTTP/1.1:
      // Netty's HttpContentCompressor#beginEncode; HTTP/2: Vert.x's VertxCompressorHttp2ConnectionEncoder),
      // and Vert.x drops "identity" before it is sent
      response.putHeader(HttpHeaders.CONTENT_ENCODING, r.encoding());
    }
    response.end(r.body());
  }

  private static HttpServerResponse cors(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
        .putHeader("Cross-Origin-Resource-Policy", "cross-origin")
        .putHeader("X-Content-Type-Options", "nosniff");
  }

  /** If-None-Match: {@code *} or a list of entity tags, weak ones compared by their opaque part (RFC 9110 §13.1.2). */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String tag : ifNoneMatch.split(",")) {
      String t = tag.trim();
      if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] required(ClassLoader classLoader, String name) {
    return resource(classLoader, WidgetManifest.FOLDER + name).orElseThrow(() -> new IllegalStateException(
        "widget file " + name + " is listed in " + WidgetManifest.RESOURCE + " but missing: rebuild (mvn process-classes)"));
  }

  private static Optional<byte[]> resource(ClassLoader classLoader, String name) {
    try (InputStream in = classLoader.getResourceAsStream(name)) {
      return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
