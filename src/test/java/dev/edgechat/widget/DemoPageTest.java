package dev.edgechat.widget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.web.HttpServerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo page over real HTTP: revalidated at each use (no-cache, an ETag of its bytes, 304 to a
 * matching If-None-Match), never {@code immutable}, since it changes with the jar under the same name
 * (issue 21, item 8).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class DemoPageTest {

  private HttpServerVerticle server;
  private HttpClient http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    DemoPage.load(vertx).compose(page -> {
      server = new HttpServerVerticle("demo", new HttpServerOptions().setHost("127.0.0.1").setPort(0),
          page::mount, 1000);
      return vertx.deployVerticle(server);
    }).onComplete(ctx.succeeding(id -> {
      http = vertx.createHttpClient();
      ctx.completeNow();
    }));
  }

  /** Verifies that / and its script are no-cache with an ETag of their bytes, not immutable, and revalidate to 304. */
  @Test
  void page_changesWithTheJar_revalidatedNotImmutable_issue21Item8(VertxTestContext ctx) throws Exception {
    String indexTag = "\"" + WidgetManifest.sha256(resource("webroot/index.html")).substring(0, 32) + "\"";
    get("/", Map.of())
        .compose(first -> get("/", Map.of("If-None-Match", first.header("ETag")))
            .compose(second -> get("/demo.js", Map.of())
                .compose(script -> get("/demo.js", Map.of("If-None-Match", script.header("ETag")))
                    .map(scriptAgain -> List.of(first, second, script, scriptAgain)))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          WidgetAssetsTest.Reply first = r.get(0);
          assertThat(first.status()).isEqualTo(200);
          assertThat(first.header("Content-Type")).startsWith("text/html");
          assertThat(first.header("Cache-Control")).isEqualTo("no-cache").doesNotContain("immutable");
          assertThat(first.header("ETag")).isEqualTo(indexTag);
          assertThat(first.header("Last-Modified")).isNotNull();
          assertThat(first.body().toString()).contains("edgechat.js");
          assertThat(r.get(1).status()).isEqualTo(304);
          assertThat(r.get(1).body().length()).isZero();
          WidgetAssetsTest.Reply script = r.get(2);
          assertThat(script.status()).isEqualTo(200);
          assertThat(script.header("Cache-Control")).isEqualTo("no-cache");
          assertThat(script.header("ETag")).isNotNull().isNotEqualTo(indexTag);
          assertThat(r.get(3).status()).isEqualTo(304);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a page held under an old ETag is sent again even when its date looks recent: with
   * If-None-Match present, If-Modified-Since is not consulted (RFC 9110 §13.1.3).
   */
  @Test
  void page_oldEtagAndRecentDate_sentAgain_issue21Item8(VertxTestContext ctx) {
    get("/", Map.of("If-None-Match", "\"an-older-release\"", "If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.status()).isEqualTo(200);
          assertThat(r.body().toString()).contains("edgechat.js");
          ctx.completeNow();
        })));
  }

  private Future<WidgetAssetsTest.Reply> get(String path, Map<String, String> headers) {
    return http.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", path).compose(req -> {
      headers.forEach(req::putHeader);
      return req.send().compose(WidgetAssetsTest.Reply::of);
    });
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = DemoPageTest.class.getClassLoader().getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }
}
