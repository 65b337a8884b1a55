package dev.edgechat.widget;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo page at {@code /} (the files of {@code webroot/}), served by Vert.x's {@link StaticHandler}
 * with the headers a page that changes with the jar needs. Its files keep their names from release
 * to release, so they are {@value #CACHE_CONTROL}: a browser or CDN may keep them but asks again
 * before each use (StaticHandler's own {@code public, immutable, max-age=86400} fits only
 * content-hashed names, which the widget's assets have: {@link WidgetAssets}).
 *
 * <p>Written by hand because StaticHandler has no entity tags: each file's ETag is the SHA-256 of its
 * bytes, read once at start, so any edge running the same jar gives the same tag and a matching
 * {@code If-None-Match} is answered {@code 304} here; StaticHandler serves the rest, with its
 * {@code Last-Modified} (which, when {@code If-None-Match} is sent, is not consulted: RFC 9110 §13.1.3).
 */
public final class DemoPage {

  static final String CACHE_CONTROL = "no-cache";
  private static final String ROOT = "webroot";
  private static final String INDEX = "index.html";
  /** The page's files, whose ETags are computed at start; any other file of webroot is revalidated by date only. */
  private static final List<String> FILES = List.of(INDEX, "demo.js", "demo.css");

  /** ETag by request path. */
  private final Map<String, String> etags;

  private DemoPage(Map<String, String> etags) {
    this.etags = Map.copyOf(etags);
  }

  /** Reads the page's files from the classpath on a worker thread; fails when one is missing. */
  public static Future<DemoPage> load(Vertx vertx) {
    return vertx.executeBlocking(() -> fromClasspath(DemoPage.class.getClassLoader()));
  }

  static DemoPage fromClasspath(ClassLoader classLoader) {
    Map<String, String> etags = new HashMap<>();
    for (String file : FILES) {
      try (InputStream in = classLoader.getResourceAsStream(ROOT + "/" + file)) {
        if (in == null) {
          throw new IllegalStateException(ROOT + "/" + file + " is not on the classpath");
        }
        String etag = "\"" + WidgetManifest.sha256(in.readAllBytes()).substring(0, 32) + "\"";
        etags.put("/" + file, etag);
        if (file.equals(INDEX)) {
          etags.put("/", etag);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new DemoPage(etags);
  }

  /** Serves webroot under {@code /*}: mount last, after every other route. */
  public void mount(Router router) {
    router.route("/*").handler(this::revalidate).handler(StaticHandler.create(ROOT).setIndexPage(INDEX));
  }

  private void revalidate(RoutingContext ctx) {
    // StaticHandler adds its Cache-Control only where none is set
    ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, CACHE_CONTROL);
    String etag = etags.get(ctx.normalizedPath());
    HttpMethod method = ctx.request().method();
    if (etag != null && (method == HttpMethod.GET || method == HttpMethod.HEAD)) {
      ctx.response().putHeader(HttpHeaders.ETAG, etag);
      String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
      if (WidgetAssets.matches(ifNoneMatch, etag)) {
        ctx.response().setStatusCode(304).end();
        return;
      }
      if (ifNoneMatch != null) {
        ctx.request().headers().remove(HttpHeaders.IF_MODIFIED_SINCE);
      }
    }
    ctx.next();
  }
}
