package dev.edgechat.widget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.web.HttpServerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The widget's HTTP caching contract: a revalidated loader, an immutable content-hashed UI, CORS for both. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WidgetAssetsTest {

  private WidgetAssets assets;
  private HttpServerVerticle server;
  private HttpClient http;

  /** A reply read inside the send callback (Vert.x 5.0.8: see SimulatedSystem#simStats). */
  record Reply(int status, Map<String, String> headers, Buffer body) {
    static Future<Reply> of(HttpClientResponse r) {
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      r.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
      return r.body().map(b -> new Reply(r.statusCode(), headers, b));
    }
  }

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    WidgetAssets.load(vertx).compose(loaded -> {
      assets = loaded;
      server = new HttpServerVerticle("widget", new HttpServerOptions().setHost("127.0.0.1").setPort(0),
          assets::mount, 1000);
      return vertx.deployVerticle(server);
    }).onComplete(ctx.succeeding(id -> {
      http = vertx.createHttpClient();
      ctx.completeNow();
    }));
  }

  private Future<Reply> get(String path, String ifNoneMatch) {
    return request(HttpMethod.GET, path, ifNoneMatch);
  }

  private Future<Reply> request(HttpMethod method, String path, String ifNoneMatch) {
    return http.request(method, server.actualPort(), "127.0.0.1", path).compose(req -> {
      if (ifNoneMatch != null) {
        req.putHeader("If-None-Match", ifNoneMatch);
      }
      return req.send().compose(Reply::of);
    });
  }

  /** Verifies the loader: short max-age, an ETag that revalidates to 304, CORS, the frame it embeds named inside. */
  @Test
  void loader_shortCacheWithEtag_namesHashedUi(VertxTestContext ctx) throws Exception {
    String hash = sha256(resource("widget/edgechat-ui.js")).substring(0, 16);
    get("/widget/edgechat.js", null).compose(first -> get("/widget/edgechat.js", first.headers().get("ETag"))
        .map(second -> Map.of("first", first, "second", second))).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          Reply first = r.get("first");
          assertThat(first.status()).isEqualTo(200);
          assertThat(first.headers().get("Content-Type")).startsWith("text/javascript");
          assertThat(first.headers().get("Cache-Control")).isEqualTo("public, max-age=300, stale-while-revalidate=604800");
          assertThat(first.headers().get("Access-Control-Allow-Origin")).isEqualTo("*");
          assertThat(first.headers().get("ETag")).matches("\"[0-9a-f]{32}\"");
          assertThat(first.body().toString()).contains("/widget/frame.html").doesNotContain("__EDGECHAT");
          assertThat(assets.uiPath()).isEqualTo("/widget/edgechat-ui." + hash + ".js");
          Reply second = r.get("second");
          assertThat(second.status()).isEqualTo(304);
          assertThat(second.body().length()).isZero();
          ctx.completeNow();
        })));
  }

  /** Verifies that HEAD (CDNs and link checkers ask it) answers the loader's headers without its body. */
  @Test
  void loader_head_headersWithoutBody(VertxTestContext ctx) {
    request(HttpMethod.HEAD, "/widget/edgechat.js", null).onComplete(ctx.succeeding(head -> ctx.verify(() -> {
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers().get("Cache-Control")).isEqualTo("public, max-age=300, stale-while-revalidate=604800");
      assertThat(head.headers().get("ETag")).matches("\"[0-9a-f]{32}\"");
      assertThat(head.body().length()).isZero();
      ctx.completeNow();
    })));
  }

  /** Verifies the UI: the resource's exact bytes, cached for a year as immutable, with CORS; other names 404. */
  @Test
  void ui_immutableUnderHashedName_othersNotFound(VertxTestContext ctx) throws Exception {
    byte[] ui = resource("widget/edgechat-ui.js");
    Future<Reply> hashed = get(assets.uiPath(), null);
    Future<Reply> stale = get("/widget/edgechat-ui.0000000000000000.js", null);
    Future.all(hashed, stale).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(hashed.result().status()).isEqualTo(200);
      assertThat(hashed.result().headers().get("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
      assertThat(hashed.result().headers().get("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(hashed.result().body().getBytes()).isEqualTo(ui);
      assertThat(stale.result().status()).isEqualTo(404);
      assertThat(new JsonObject(stale.result().body()).getJsonObject("error").getString("code")).isEqualTo("not_found");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the frame and its service worker: the frame under its own CSP naming the hashed UI, the
   * worker caching exactly that UI under a shell version; neither keeps a placeholder.
   */
  @Test
  void frameAndWorker_nameHashedUi_frameUnderOwnCsp(VertxTestContext ctx) {
    Future<Reply> frame = get("/widget/frame.html", null);
    Future<Reply> worker = get("/widget/sw.js", null);
    Future.all(frame, worker).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      String ui = assets.uiPath();
      assertThat(frame.result().status()).isEqualTo(200);
      assertThat(frame.result().headers().get("Content-Type")).startsWith("text/html");
      assertThat(frame.result().headers().get("Content-Security-Policy")).isEqualTo(WidgetAssets.FRAME_CSP)
          .contains("script-src 'self'").contains("frame-ancestors *").doesNotContain("unsafe");
      assertThat(frame.result().body().toString()).contains("src=\"" + ui + "\"").doesNotContain("__EDGECHAT");
      assertThat(worker.result().status()).isEqualTo(200);
      assertThat(worker.result().headers().get("Content-Type")).startsWith("text/javascript");
      assertThat(worker.result().headers().get("Cache-Control")).isEqualTo("no-cache");
      assertThat(worker.result().body().toString()).contains("'" + ui + "'")
          .containsPattern("edgechat-shell-[0-9a-f]{16}").doesNotContain("__EDGECHAT");
      ctx.completeNow();
    })));
  }

  /** Verifies the size budgets: the loader at most 5 KB and the chat UI (frame and script) at most 30 KB gzipped. */
  @Test
  void sizes_withinBudget(VertxTestContext ctx) throws Exception {
    assertThat(gzipped(resource("widget/edgechat.js"))).isLessThanOrEqualTo(5 * 1024);
    assertThat(gzipped(resource("widget/edgechat-ui.js")) + gzipped(resource("widget/frame.html")))
        .isLessThanOrEqualTo(30 * 1024);
    ctx.completeNow();
  }

  private static int gzipped(byte[] bytes) throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.size();
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = WidgetAssetsTest.class.getClassLoader().getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
