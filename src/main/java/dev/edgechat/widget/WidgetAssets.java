package dev.edgechat.widget;

import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The embeddable widget (API.md §6): {@code /widget/edgechat.js}, a small loader revalidated often
 * (short max-age + ETag, stale-while-revalidate so it also loads offline), the chat UI's frame
 * {@code /widget/frame.html} with its own CSP, the service worker {@code /widget/sw.js} that keeps
 * the frame and the conversation for offline visits, and the chat UI under a content-hashed name
 * cached for a year. The hash is computed at startup from the resource bytes and written into the
 * frame and the worker (whose cache is named by a hash of frame and UI), so a new UI reaches every
 * visitor at the next frame load (no-cache) or, with the worker installed, at its next update
 * check, without any build step.
 */
public final class WidgetAssets {

  static final String LOADER_PATH = "/widget/edgechat.js";
  static final String FRAME_PATH = "/widget/frame.html";
  static final String WORKER_PATH = "/widget/sw.js";
  private static final String UI_PLACEHOLDER = "__EDGECHAT_UI__";
  private static final String SHELL_PLACEHOLDER = "__EDGECHAT_SHELL__";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String HTML = "text/html; charset=utf-8";
  // stale-while-revalidate: a page loaded offline (its own cache or service worker) still finds the loader
  private static final String LOADER_CACHE = "public, max-age=300, stale-while-revalidate=604800";
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";
  /** The frame talks only to its own edge; any page may embed it (the edge checks the embedder per site). */
  static final String FRAME_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; worker-src 'self'; "
      + "base-uri 'none'; form-action 'none'; frame-ancestors *";

  private final Revalidated loader;
  private final Revalidated frame;
  private final Revalidated worker;
  private final Buffer ui;
  private final String uiPath;

  /** A small asset served with a short max-age and an ETag. */
  private record Revalidated(Buffer body, String etag, String contentType, String cacheControl) {
    static Revalidated of(byte[] template, Map<String, String> values, String contentType, String cacheControl) {
      String text = new String(template, StandardCharsets.UTF_8);
      for (Map.Entry<String, String> value : values.entrySet()) {
        text = text.replace(value.getKey(), value.getValue());
      }
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      return new Revalidated(Buffer.buffer(bytes), "\"" + sha256(bytes).substring(0, 32) + "\"", contentType,
          cacheControl);
    }
  }

  private WidgetAssets(byte[] loaderTemplate, byte[] uiBytes, byte[] frameTemplate, byte[] workerTemplate) {
    String uiName = "edgechat-ui." + sha256(uiBytes).substring(0, 16) + ".js";
    for (var template : Map.of("frame.html", frameTemplate, "sw.js", workerTemplate).entrySet()) {
      if (!new String(template.getValue(), StandardCharsets.UTF_8).contains(UI_PLACEHOLDER)) {
        throw new IllegalStateException("widget/" + template.getKey() + " lacks " + UI_PLACEHOLDER);
      }
    }
    byte[] shell = ByteBuffer.allocate(frameTemplate.length + uiBytes.length).put(frameTemplate).put(uiBytes).array();
    Map<String, String> names = Map.of(UI_PLACEHOLDER, uiName, SHELL_PLACEHOLDER, sha256(shell).substring(0, 16));
    this.loader = Revalidated.of(loaderTemplate, names, JS, LOADER_CACHE);
    this.frame = Revalidated.of(frameTemplate, names, HTML, "no-cache");
    this.worker = Revalidated.of(workerTemplate, names, JS, "no-cache");
    this.ui = Buffer.buffer(uiBytes);
    this.uiPath = "/widget/" + uiName;
  }

  /** Reads the widget resources on a worker thread. */
  public static Future<WidgetAssets> load(Vertx vertx) {
    return vertx.executeBlocking(() -> new WidgetAssets(resource("widget/edgechat.js"),
        resource("widget/edgechat-ui.js"), resource("widget/frame.html"), resource("widget/sw.js")));
  }

  /** The path of the chat UI under its content-hashed name. */
  public String uiPath() {
    return uiPath;
  }

  public void mount(Router router) {
    // HEAD too: CDNs and link checkers ask it (Vert.x sends the headers without the body)
    router.route(LOADER_PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> revalidated(ctx, loader));
    router.route(FRAME_PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> {
      ctx.response().putHeader("Content-Security-Policy", FRAME_CSP);
      revalidated(ctx, frame);
    });
    router.route(WORKER_PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> revalidated(ctx, worker));
    router.route(uiPath).method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ctx -> send(ctx, ui, JS, IMMUTABLE));
    router.route("/widget/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ctx -> ctx.fail(ApiError.notFound("no such widget asset")));
  }

  private static void revalidated(RoutingContext ctx, Revalidated asset) {
    ctx.response().putHeader("ETag", asset.etag());
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && (match.contains(asset.etag()) || match.trim().equals("*"))) {
      ctx.response().putHeader("Cache-Control", asset.cacheControl()).putHeader("Access-Control-Allow-Origin", "*")
          .setStatusCode(304).end();
      return;
    }
    send(ctx, asset.body(), asset.contentType(), asset.cacheControl());
  }

  private static void send(RoutingContext ctx, Buffer body, String contentType, String cacheControl) {
    ctx.response()
        .putHeader("Content-Type", contentType)
        .putHeader("Cache-Control", cacheControl)
        .putHeader("Access-Control-Allow-Origin", "*")
        .putHeader("Cross-Origin-Resource-Policy", "cross-origin")
        .putHeader("X-Content-Type-Options", "nosniff")
        .end(body);
  }

  private static byte[] resource(String name) {
    try (InputStream in = WidgetAssets.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
