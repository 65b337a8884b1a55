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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The embeddable widget (API.md §6): {@code /widget/edgechat.js}, a small loader revalidated often
 * (short max-age + ETag), and the chat UI under a content-hashed name cached for a year. The hash
 * is computed at startup from the resource bytes and written into the loader, so a new UI reaches
 * every page within the loader's max-age without any build step.
 */
public final class WidgetAssets {

  static final String LOADER_PATH = "/widget/edgechat.js";
  private static final String UI_PLACEHOLDER = "__EDGECHAT_UI__";
  private static final String JS = "text/javascript; charset=utf-8";
  private static final String LOADER_CACHE = "public, max-age=300";
  private static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private final Buffer loader;
  private final String loaderEtag;
  private final Buffer ui;
  private final String uiPath;

  private WidgetAssets(byte[] loaderTemplate, byte[] uiBytes) {
    String uiName = "edgechat-ui." + sha256(uiBytes).substring(0, 16) + ".js";
    String loaderText = new String(loaderTemplate, StandardCharsets.UTF_8);
    if (!loaderText.contains(UI_PLACEHOLDER)) {
      throw new IllegalStateException("widget/edgechat.js lacks " + UI_PLACEHOLDER);
    }
    byte[] loaderBytes = loaderText.replace(UI_PLACEHOLDER, uiName).getBytes(StandardCharsets.UTF_8);
    this.loader = Buffer.buffer(loaderBytes);
    this.loaderEtag = "\"" + sha256(loaderBytes).substring(0, 32) + "\"";
    this.ui = Buffer.buffer(uiBytes);
    this.uiPath = "/widget/" + uiName;
  }

  /** Reads the widget resources on a worker thread. */
  public static Future<WidgetAssets> load(Vertx vertx) {
    return vertx.executeBlocking(() -> new WidgetAssets(resource("widget/edgechat.js"),
        resource("widget/edgechat-ui.js")));
  }

  /** The path of the chat UI under its content-hashed name. */
  public String uiPath() {
    return uiPath;
  }

  public void mount(Router router) {
    // HEAD too: CDNs and link checkers ask it (Vert.x sends the headers without the body)
    router.route(LOADER_PATH).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::loader);
    router.route(uiPath).method(HttpMethod.GET).method(HttpMethod.HEAD).handler(ctx -> send(ctx, ui, IMMUTABLE));
    router.route("/widget/*").method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(ctx -> ctx.fail(ApiError.notFound("no such widget asset")));
  }

  private void loader(RoutingContext ctx) {
    ctx.response().putHeader("ETag", loaderEtag);
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null && (match.contains(loaderEtag) || match.trim().equals("*"))) {
      ctx.response().putHeader("Cache-Control", LOADER_CACHE).putHeader("Access-Control-Allow-Origin", "*")
          .setStatusCode(304).end();
      return;
    }
    send(ctx, loader, LOADER_CACHE);
  }

  private static void send(RoutingContext ctx, Buffer body, String cacheControl) {
    ctx.response()
        .putHeader("Content-Type", JS)
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
