package dev.edgechat.widget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.decoder.Decoder;
import com.aayushatharva.brotli4j.decoder.DecoderJNI;
import com.aayushatharva.brotli4j.decoder.DirectDecompress;
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
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The widget's delivery, over real HTTP on the files the build wrote: a revalidated loader, immutable
 * content-hashed assets, brotli / gzip / plain copies of the same bytes, size budgets, CORS.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WidgetAssetsTest {

  private static final String SOURCES = "src/main/resources/widget";
  private static final String ALL = "gzip, deflate, br";
  private static final String LOADER_CACHE = "public, max-age=300, stale-while-revalidate=604800";

  private WidgetAssets assets;
  private WidgetManifest manifest;
  private HttpServerVerticle server;
  private HttpClient http;

  /** A reply read inside the send callback (Vert.x 5.0.8: see SimulatedSystem#simStats). */
  record Reply(int status, Map<String, String> headers, Buffer body) {
    static Future<Reply> of(HttpClientResponse r) {
      Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      r.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
      return r.body().map(b -> new Reply(r.statusCode(), headers, b));
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    manifest = WidgetManifest.fromJson(new JsonObject(Buffer.buffer(resource(WidgetManifest.RESOURCE))));
    WidgetAssets.load(vertx).compose(loaded -> {
      assets = loaded;
      // as the edge runs it (Application#options): on-the-fly compression on, which must leave these alone
      server = new HttpServerVerticle("widget", new HttpServerOptions().setHost("127.0.0.1").setPort(0)
          .setCompressionSupported(true), assets::mount, 1000);
      return vertx.deployVerticle(server);
    }).onComplete(ctx.succeeding(id -> {
      http = vertx.createHttpClient();
      ctx.completeNow();
    }));
  }

  private Future<Reply> get(String path, String acceptEncoding) {
    return request(HttpMethod.GET, path, acceptEncoding, null);
  }

  private Future<Reply> request(HttpMethod method, String path, String acceptEncoding, String ifNoneMatch) {
    return http.request(method, server.actualPort(), "127.0.0.1", path).compose(req -> {
      if (acceptEncoding != null) {
        req.putHeader("Accept-Encoding", acceptEncoding);
      }
      if (ifNoneMatch != null) {
        req.putHeader("If-None-Match", ifNoneMatch);
      }
      return req.send().compose(Reply::of);
    });
  }

  private String ui() {
    return assets.path("edgechat-ui.js").orElseThrow();
  }

  /**
   * Verifies the loader: short max-age (stale allowed while revalidating, for offline pages), an ETag
   * that revalidates to 304, CORS; and that the UI's hashed name is the hash of the bytes served
   * under it, and a served file names it (the placeholder replaced).
   */
  @Test
  void loader_shortCacheWithEtag_uiNamedByItsHash(VertxTestContext ctx) {
    List<Future<Reply>> everyFile = manifest.assets().stream().map(e -> get("/widget/" + e.name(), null)).toList();
    get("/widget/edgechat.js", null).compose(first -> request(HttpMethod.GET, "/widget/edgechat.js", null,
            first.header("ETag")).compose(second -> get(ui(), null)
            .map(uiReply -> List.of(first, second, uiReply))))
        .compose(r -> Future.all(everyFile).map(r))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          Reply first = r.get(0);
          assertThat(first.status()).isEqualTo(200);
          assertThat(first.header("Content-Type")).isEqualTo("text/javascript; charset=utf-8");
          assertThat(first.header("Cache-Control")).isEqualTo(LOADER_CACHE);
          assertThat(first.header("Access-Control-Allow-Origin")).isEqualTo("*");
          assertThat(first.header("X-Content-Type-Options")).isEqualTo("nosniff");
          assertThat(first.header("ETag")).matches("\"[0-9a-f]{32}\"");
          String uiName = ui().substring("/widget/".length());
          assertThat(uiName).matches("edgechat-ui\\.[0-9a-f]{16}\\.js");
          // the name is the hash of the very bytes served under it
          assertThat(uiName).isEqualTo(WidgetManifest.hashedName("edgechat-ui.js", r.get(2).body().getBytes()));
          assertThat(everyFile).extracting(f -> f.result().body().toString())
              .anyMatch(text -> text.contains(uiName))
              .noneMatch(text -> text.contains("__EDGECHAT_"));
          assertThat(first.body().toString()).as("the loader embeds the chat UI's frame").contains("/widget/frame.html");
          Reply second = r.get(1);
          assertThat(second.status()).isEqualTo(304);
          assertThat(second.header("ETag")).isEqualTo(first.header("ETag"));
          assertThat(second.header("Cache-Control")).isEqualTo(LOADER_CACHE);
          assertThat(second.body().length()).isZero();
          ctx.completeNow();
        })));
  }

  /** Verifies that HEAD (CDNs and link checkers ask it) answers GET's headers, length included, without the body. */
  @Test
  void loader_head_headersWithoutBody(VertxTestContext ctx) {
    Future<Reply> head = request(HttpMethod.HEAD, "/widget/edgechat.js", ALL, null);
    Future<Reply> get = get("/widget/edgechat.js", ALL);
    Future.all(head, get).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(head.result().status()).isEqualTo(200);
      assertThat(head.result().header("Cache-Control")).isEqualTo(LOADER_CACHE);
      assertThat(head.result().header("Content-Encoding")).isEqualTo("br");
      assertThat(head.result().header("ETag")).isEqualTo(get.result().header("ETag"));
      assertThat(head.result().header("Content-Length"))
          .isEqualTo(String.valueOf(get.result().body().length()));
      assertThat(head.result().body().length()).isZero();
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that a hashed asset is cached for a year as immutable under its hashed name, and that its
   * plain name answers the same bytes with the loader's short lifetime (for pages and workers that name it so).
   */
  @Test
  void hashedAsset_immutable_plainNameShortCache(VertxTestContext ctx) {
    Future<Reply> hashed = get(ui(), null);
    Future<Reply> plain = get("/widget/edgechat-ui.js", null);
    Future.all(hashed, plain).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(hashed.result().status()).isEqualTo(200);
      assertThat(hashed.result().header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
      assertThat(hashed.result().header("Access-Control-Allow-Origin")).isEqualTo("*");
      assertThat(hashed.result().header("Cross-Origin-Resource-Policy")).isEqualTo("cross-origin");
      assertThat(plain.result().status()).isEqualTo(200);
      assertThat(plain.result().header("Cache-Control")).isEqualTo("public, max-age=300");
      assertThat(plain.result().header("ETag")).isEqualTo(hashed.result().header("ETag"));
      assertThat(plain.result().body()).isEqualTo(hashed.result().body());
      ctx.completeNow();
    })));
  }

  /**
   * Verifies, for every widget file, that the brotli, gzip and plain answers decode to the same bytes,
   * each labelled with its Content-Encoding, its own ETag, its exact length and Vary: Accept-Encoding.
   */
  @Test
  void everyAsset_brGzipIdentity_decodeToSameBytes(VertxTestContext ctx) {
    List<Future<List<Reply>>> all = new ArrayList<>();
    for (WidgetManifest.Entry e : manifest.assets()) {
      String path = "/widget/" + e.name();
      all.add(Future.all(get(path, "br"), get(path, "gzip"), get(path, null))
          .map(f -> List.of(f.resultAt(0), f.resultAt(1), f.resultAt(2))));
    }
    assertThat(manifest.assets()).extracting(WidgetManifest.Entry::source).contains("edgechat.js", "edgechat-ui.js");
    Future.all(all).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      for (int i = 0; i < all.size(); i++) {
        WidgetManifest.Entry e = manifest.assets().get(i);
        List<Reply> r = all.get(i).result();
        Reply br = r.get(0);
        Reply gz = r.get(1);
        Reply plain = r.get(2);
        // a copy exists only where it is smaller (WidgetBuild): otherwise the plain bytes answer
        assertThat(br.header("Content-Encoding")).as(e.source()).isEqualTo(e.encodings().contains("br") ? "br" : null);
        assertThat(gz.header("Content-Encoding")).as(e.source()).isEqualTo(e.encodings().contains("gzip") ? "gzip" : null);
        assertThat(plain.header("Content-Encoding")).as(e.source()).isNull();
        assertThat(decoded(br)).as(e.source()).isEqualTo(plain.body().getBytes());
        assertThat(decoded(gz)).as(e.source()).isEqualTo(plain.body().getBytes());
        assertThat(plain.body().length()).as(e.source()).isEqualTo((int) e.servedBytes());
        assertThat(List.of(br, gz, plain)).allSatisfy(reply -> {
          assertThat(reply.status()).isEqualTo(200);
          assertThat(reply.header("Vary")).isEqualTo("Accept-Encoding");
          assertThat(reply.header("Content-Length")).isEqualTo(String.valueOf(reply.body().length()));
        });
        // one ETag per representation
        assertThat(Set.of(br.header("ETag"), gz.header("ETag"), plain.header("ETag")).size())
            .as(e.source()).isEqualTo(1 + e.encodings().size());
        if (e.source().equals("edgechat.js") || e.source().equals("edgechat-ui.js")) {
          assertThat(e.encodings()).as(e.source()).containsExactly("br", "gzip");
          assertThat(br.body().length()).as(e.source()).isLessThan(gz.body().length());
        }
      }
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the budgets on the served bytes: loader at most 5 KB gzipped, chat UI at most 30 KB
   * gzipped, and that every JavaScript file is served minified, smaller than its source.
   */
  @Test
  void servedSizes_withinBudget_minifiedSmallerThanSource(VertxTestContext ctx) throws Exception {
    Map<String, Long> sources = new TreeMap<>();
    for (WidgetManifest.Entry e : manifest.assets()) {
      sources.put(e.source(), Files.size(Path.of(SOURCES, e.source())));
    }
    Future<Reply> loaderGz = get("/widget/edgechat.js", "gzip");
    Future<Reply> uiGz = get(ui(), "gzip");
    Future<Reply> loader = get("/widget/edgechat.js", null);
    Future<Reply> ui = get(ui(), null);
    Future.all(loaderGz, uiGz, loader, ui).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(loaderGz.result().header("Content-Encoding")).isEqualTo("gzip");
      assertThat(uiGz.result().header("Content-Encoding")).isEqualTo("gzip");
      assertThat(loaderGz.result().body().length()).isLessThanOrEqualTo(5 * 1024);
      assertThat(uiGz.result().body().length()).isLessThanOrEqualTo(30 * 1024);
      // minified: comments and indentation gone, locals renamed
      assertThat(loader.result().body().length()).isLessThan(sources.get("edgechat.js").intValue());
      assertThat(ui.result().body().length()).isLessThan(sources.get("edgechat-ui.js").intValue());
      assertThat(ui.result().body().toString()).doesNotContain("\n  ").doesNotContain("// ");
      for (WidgetManifest.Entry e : manifest.assets()) {
        if (e.source().endsWith(".js")) {
          assertThat(e.servedBytes()).as(e.source()).isLessThan(sources.get(e.source()));
        }
      }
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the chat UI's frame and its service worker: the frame under its own CSP naming the UI's
   * current hashed file, the worker (never cached long) precaching exactly that file under the
   * shell's hash; neither keeps a placeholder.
   */
  @Test
  void frameAndWorker_nameHashedUi_frameUnderOwnCsp(VertxTestContext ctx) {
    Future<Reply> frame = get("/widget/frame.html", null);
    Future<Reply> worker = get("/widget/sw.js", null);
    Future.all(frame, worker).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      String uiName = ui().substring("/widget/".length());
      assertThat(frame.result().status()).isEqualTo(200);
      assertThat(frame.result().header("Content-Type")).startsWith("text/html");
      assertThat(frame.result().header("Cache-Control")).isEqualTo("no-cache");
      assertThat(frame.result().header("Content-Security-Policy")).isEqualTo(WidgetAssets.FRAME_CSP)
          .contains("script-src 'self'").contains("frame-ancestors *").doesNotContain("unsafe");
      assertThat(frame.result().body().toString()).contains("src=\"/widget/" + uiName + "\"")
          .doesNotContain("__EDGECHAT");
      assertThat(worker.result().status()).isEqualTo(200);
      assertThat(worker.result().header("Content-Type")).startsWith("text/javascript");
      assertThat(worker.result().header("Cache-Control")).isEqualTo("no-cache");
      assertThat(worker.result().body().toString()).contains("/widget/" + uiName)
          .containsPattern("edgechat-shell-[0-9a-f]{16}").doesNotContain("__EDGECHAT");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies content negotiation: weights are honoured (q=0 refuses, a higher q wins, * stands for
   * the rest), and a client accepting only deflate gets the plain bytes, not compressed on the fly.
   */
  @Test
  void acceptEncoding_weightsHonoured_noOnTheFlyCompression(VertxTestContext ctx) {
    String path = "/widget/edgechat.js";
    Future<Reply> brRefused = get(path, "br;q=0, gzip");
    Future<Reply> gzipPreferred = get(path, "gzip;q=1, br;q=0.5");
    Future<Reply> wildcard = get(path, "*");
    Future<Reply> deflateOnly = get(path, "deflate");
    Future<Reply> plain = get(path, null);
    Future.all(List.of(brRefused, gzipPreferred, wildcard, deflateOnly, plain))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(brRefused.result().header("Content-Encoding")).isEqualTo("gzip");
          assertThat(gzipPreferred.result().header("Content-Encoding")).isEqualTo("gzip");
          assertThat(wildcard.result().header("Content-Encoding")).isEqualTo("br");
          assertThat(deflateOnly.result().header("Content-Encoding")).isNull();
          assertThat(deflateOnly.result().body()).isEqualTo(plain.result().body());
          assertThat(deflateOnly.result().header("ETag")).isEqualTo(plain.result().header("ETag"));
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that each representation revalidates with its own ETag (weak form and lists included),
   * and that another representation's ETag does not produce a 304.
   */
  @Test
  void ifNoneMatch_perRepresentation(VertxTestContext ctx) {
    get(ui(), "br").compose(br -> {
      String tag = br.header("ETag");
      assertThat(tag).endsWith("-br\"");
      return Future.all(List.of(
          request(HttpMethod.GET, ui(), "br", tag),
          request(HttpMethod.GET, ui(), "br", "\"other\", W/" + tag),
          request(HttpMethod.GET, ui(), "gzip", tag),
          request(HttpMethod.GET, ui(), "br", "*")));
    }).onComplete(ctx.succeeding(f -> ctx.verify(() -> {
      assertThat(((Reply) f.resultAt(0)).status()).isEqualTo(304);
      assertThat(((Reply) f.resultAt(1)).status()).isEqualTo(304);
      Reply gz = f.resultAt(2);
      assertThat(gz.status()).isEqualTo(200);
      assertThat(gz.header("Content-Encoding")).isEqualTo("gzip");
      assertThat(((Reply) f.resultAt(3)).status()).isEqualTo(304);
      Reply notModified = f.resultAt(0);
      assertThat(notModified.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
      assertThat(notModified.header("Vary")).isEqualTo("Accept-Encoding");
      assertThat(notModified.header("Access-Control-Allow-Origin")).isEqualTo("*");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the rolling-deploy case: a page whose loader names a UI hash this edge does not have is
   * redirected to the current UI by a relative Location that no cache may store; other names are 404.
   */
  @Test
  void unknownHash_redirectsToCurrentUncached_otherNamesNotFound(VertxTestContext ctx) {
    Future<Reply> stale = get("/widget/edgechat-ui.0123456789abcdef.js", ALL);
    Future<Reply> unknownFile = get("/widget/nothing.0123456789abcdef.js", null);
    Future<Reply> unknown = get("/widget/edgechat-ui.min.js", null);
    Future<Reply> nested = get("/widget/a/edgechat.js", null);
    Future.all(stale, unknownFile, unknown, nested).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(stale.result().status()).isEqualTo(302);
      assertThat(stale.result().header("Location")).isEqualTo(ui().substring("/widget/".length()));
      assertThat(stale.result().header("Cache-Control")).isEqualTo("no-store");
      assertThat(stale.result().header("Access-Control-Allow-Origin")).isEqualTo("*");
      for (Reply r : List.of(unknownFile.result(), unknown.result(), nested.result())) {
        assertThat(r.status()).isEqualTo(404);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("not_found");
      }
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the per-file policies: a file's Cache-Control replaces the short lifetime of its plain
   * name (its hashed name stays immutable), and its own headers come with each of its answers.
   */
  @Test
  void perFilePolicies_cacheControlAndHeaders(Vertx vertx, VertxTestContext ctx) {
    WidgetAssets custom = WidgetAssets.fromClasspath(getClass().getClassLoader(), Map.of("edgechat-ui.js", "no-cache"),
        Map.of("edgechat-ui.js", Map.of("Content-Security-Policy", "default-src 'none'")));
    HttpServerVerticle customServer = new HttpServerVerticle("widget", new HttpServerOptions().setHost("127.0.0.1")
        .setPort(0).setCompressionSupported(true), custom::mount, 1000);
    vertx.deployVerticle(customServer).compose(id -> {
      server = customServer; // the helpers below ask this server from here on
      return Future.all(get("/widget/edgechat-ui.js", ALL), get(custom.uiPath(), ALL), get("/widget/edgechat.js", ALL));
    }).onComplete(ctx.succeeding(f -> ctx.verify(() -> {
      Reply plain = f.resultAt(0);
      Reply hashed = f.resultAt(1);
      Reply loader = f.resultAt(2);
      assertThat(plain.header("Cache-Control")).isEqualTo("no-cache");
      assertThat(hashed.header("Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
      assertThat(List.of(plain, hashed)).allSatisfy(r ->
          assertThat(r.header("Content-Security-Policy")).isEqualTo("default-src 'none'"));
      assertThat(loader.header("Cache-Control")).isEqualTo("public, max-age=300");
      assertThat(loader.header("Content-Security-Policy")).isNull();
      ctx.completeNow();
    })));
  }

  /** Verifies that without the build step's output the widget fails to load with a message saying how to build it. */
  @Test
  void fromClasspath_notBuilt_failsSayingHow() throws Exception {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThatThrownBy(() -> WidgetAssets.fromClasspath(empty))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(WidgetManifest.RESOURCE)
          .hasMessageContaining("process-classes");
    }
  }

  private static byte[] decoded(Reply reply) throws Exception {
    String encoding = reply.header("Content-Encoding");
    byte[] body = reply.body().getBytes();
    return encoding == null ? body : encoding.equals("br") ? brotli(body) : gunzip(body);
  }

  private static byte[] brotli(byte[] bytes) throws Exception {
    Brotli4jLoader.ensureAvailability();
    DirectDecompress result = Decoder.decompress(bytes);
    assertThat(result.getResultStatus()).isEqualTo(DecoderJNI.Status.DONE);
    return result.getDecompressedData();
  }

  private static byte[] gunzip(byte[] bytes) throws Exception {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = WidgetAssetsTest.class.getClassLoader().getResourceAsStream(name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
