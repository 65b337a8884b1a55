package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.Site;
import dev.edgechat.support.SseClient;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every kind of bad input gets its API.md §5 status and JSON error, never a 500 or a hang. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class BadInputTest {

  private static Application app;
  /** Held for the whole class: Vert.x 5 closes an HTTP client that is no longer referenced. */
  private static HttpClient http;
  private static SseClient sse;
  private static final String UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA";

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    // enough connections that no request of a test ever waits for one
    http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(32));
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    new DocumentStore(pool)
        .putSite(new Site("restricted", "Restricted", List.of("https://shop.example"), null, 1))
        .eventually(pool::close)
        .compose(v -> new TestSystem(vertx).startAll())
        .onComplete(ctx.succeeding(a -> {
          app = a;
          sse = new SseClient(vertx, a.edgePort());
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (app == null ? Future.succeededFuture() : app.close()).onComplete(v -> ctx.completeNow());
  }

  record Reply(int status, MultiMap headers, String body) {

    JsonObject error() {
      return new JsonObject(body).getJsonObject("error");
    }
  }

  private static Future<Reply> send(Vertx vertx, int port, HttpMethod method, String path, String contentType,
      Buffer body, String origin) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(path)
        .setIdleTimeout(10_000);
    if (contentType != null) {
      options.putHeader("Content-Type", contentType);
    }
    if (origin != null) {
      options.putHeader("Origin", origin);
    }
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return http.request(options)
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  /**
   * A chat request as the widget's frame sends it: same-origin, naming the page that embeds the frame.
   * {@code host} is the Host header (the edge as the browser addressed it), {@code origin} the frame's.
   */
  private static Future<Reply> fromFrame(String body, String host, int port, String origin, String embedder) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setServer(io.vertx.core.net.SocketAddress.inetSocketAddress(app.edgePort(), "127.0.0.1"))
        .setHost(host).setPort(port) // the Host header: port 80 is left out of it
        .setURI("/v1/chat").setIdleTimeout(10_000)
        .putHeader("Content-Type", "application/json")
        .putHeader("Origin", origin)
        .putHeader("X-Edgechat-Embedder", embedder);
    return http.request(options).compose(req -> req.send(Buffer.buffer(body))
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  private static Future<Reply> chat(Vertx vertx, String body) {
    return send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", "application/json", Buffer.buffer(body), null);
  }

  private static void assertError(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(reply.headers().get("Content-Type")).startsWith("application/json");
    assertThat(reply.error().getString("code")).isEqualTo(code);
    assertThat(reply.error().getString("message")).isNotBlank();
  }

  /** Verifies that malformed, missing, mistyped and over-long fields are 400 invalid_request. */
  @Test
  void chat_malformedBodies_invalidRequest(Vertx vertx, VertxTestContext ctx) {
    List<String> bodies = List.of(
        "{\"site\":",
        "[]",
        "\"just a string\"",
        "{}",
        "{\"site\":\"demo\"}",
        "{\"site\":\"demo\",\"message\":\"   \"}",
        "{\"site\":\"demo\",\"message\":42}",
        "{\"site\":\"demo\",\"message\":\"" + "x".repeat(4001) + "\"}",
        "{\"site\":\"../etc\",\"message\":\"hi\"}",
        "{\"site\":\"demo\",\"message\":\"hi\",\"conversation\":\"bad id!\"}",
        "{\"site\":\"demo\",\"message\":\"hi\",\"visitor\":{\"a\":1}}",
        // Postgres refuses NUL in text: it must be a 400 here, not a failed save for everyone in its batch
        "{\"site\":\"demo\",\"message\":\"hi\\u0000there\"}");
    // a burst is sent from one Vert.x context, as the product's own clients send; see the issue note
    vertx.runOnContext(go -> Future.all(bodies.stream().map(b -> chat(vertx, b)
            .recover(e -> Future.failedFuture(new AssertionError("no answer to " + b.substring(0, Math.min(60, b.length()))
                + ": " + e, e)))).toList())
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < bodies.size(); i++) {
            assertError(all.resultAt(i), 400, "invalid_request");
          }
          ctx.completeNow();
        }))));
  }

  /** Verifies that a body over http.maxBodyBytes is 413 and a non-JSON media type 415. */
  @Test
  void chat_tooLargeOrWrongType_413And415(Vertx vertx, VertxTestContext ctx) {
    Buffer big = Buffer.buffer("{\"site\":\"demo\",\"message\":\"" + "x".repeat(70_000) + "\"}");
    Future<Reply> tooLarge = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", "application/json", big, null);
    Future<Reply> xml = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", "application/xml",
        Buffer.buffer("<chat/>"), null);
    Future.all(tooLarge, xml).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertError(tooLarge.result(), 413, "payload_too_large");
      assertError(xml.result(), 415, "unsupported_media_type");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that curl's default form type is read as JSON, never form-decoded: the README's curl
   * command relies on it, and a "%" or a long question must not break it.
   */
  @Test
  void chat_formContentTypeWithJsonBody_accepted(Vertx vertx, VertxTestContext ctx) {
    String form = "application/x-www-form-urlencoded";
    Future<Reply> plain = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", form,
        Buffer.buffer("{\"site\":\"demo\",\"message\":\"Which payment methods do you accept?\"}"), null);
    Future<Reply> percent = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", form,
        Buffer.buffer("{\"site\":\"demo\",\"message\":\"Is there 50% off a=1&b=%zz shipping?\"}"), null);
    Future<Reply> longOne = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", form,
        Buffer.buffer(new JsonObject().put("site", "demo").put("message", "shipping ".repeat(300)).encode()), null);
    Future.all(plain, percent, longOne).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(plain.result().status()).as(plain.result().body()).isEqualTo(200);
      assertThat(new JsonObject(plain.result().body()).getString("answer")).contains("PayPal");
      assertThat(percent.result().status()).as(percent.result().body()).isEqualTo(200);
      assertThat(longOne.result().status()).as(longOne.result().body()).isEqualTo(200);
      ctx.completeNow();
    })));
  }

  /** Verifies unknown site → 404, a foreign Origin → 403, and an allowed Origin passes. */
  @Test
  void chat_siteAndOrigin_404And403(Vertx vertx, VertxTestContext ctx) {
    Buffer restricted = Buffer.buffer("{\"site\":\"restricted\",\"message\":\"hello\"}");
    Future<Reply> unknown = chat(vertx, "{\"site\":\"no-such-site\",\"message\":\"hi\"}");
    Future<Reply> foreign = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", "application/json", restricted,
        "https://evil.example");
    Future<Reply> allowed = send(vertx, app.edgePort(), HttpMethod.POST, "/v1/chat", "application/json", restricted,
        "https://shop.example");
    Future.all(unknown, foreign, allowed).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertError(unknown.result(), 404, "not_found");
      assertError(foreign.result(), 403, "forbidden_origin");
      assertThat(allowed.result().status()).as(allowed.result().body()).isEqualTo(200);
      // no credentials are involved, so "*" lets the embedding page read the answer as well as its own origin would
      assertThat(allowed.result().headers().get("Access-Control-Allow-Origin")).isIn("*", "https://shop.example");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that the widget's frame, same-origin with the edge, cannot lift a site's allowedOrigins:
   * the page that embeds it must be allowed, as a cross-origin page would have to be; also behind a
   * proxy that ends TLS (the page's origin says https, the edge sees http and a Host without port).
   */
  @Test
  void chat_frameOfForeignEmbedder_403(Vertx vertx, VertxTestContext ctx) {
    String restricted = "{\"site\":\"restricted\",\"message\":\"hello\"}";
    String ip = "127.0.0.1";
    int port = app.edgePort();
    String direct = "http://" + ip + ":" + port;
    Future<Reply> foreign = fromFrame(restricted, ip, port, direct, "https://evil.example");
    Future<Reply> allowed = fromFrame(restricted, ip, port, direct, "https://shop.example");
    Future<Reply> foreignTls = fromFrame(restricted, "chat.example", 80, "https://chat.example", "https://evil.example");
    Future<Reply> allowedTls = fromFrame(restricted, "chat.example", 80, "https://chat.example", "https://shop.example");
    // another port of the same host is another origin: its embedder claim counts for nothing
    Future<Reply> otherPort = fromFrame(restricted, ip, port, "http://127.0.0.1:1", "https://shop.example");
    Future.all(List.of(foreign, allowed, foreignTls, allowedTls, otherPort))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertError(foreign.result(), 403, "forbidden_origin");
          assertThat(allowed.result().status()).as(allowed.result().body()).isEqualTo(200);
          assertError(foreignTls.result(), 403, "forbidden_origin");
          assertThat(allowedTls.result().status()).as(allowedTls.result().body()).isEqualTo(200);
          assertError(otherPort.result(), 403, "forbidden_origin");
          ctx.completeNow();
        })));
  }

  /** Verifies that an unknown conversation is 404 in JSON, and an error event after ready in SSE. */
  @Test
  void chat_unknownConversation_notFound(Vertx vertx, VertxTestContext ctx) {
    JsonObject body = new JsonObject().put("site", "demo").put("message", "hi").put("conversation", UNKNOWN_ID);
    Future<Reply> json = chat(vertx, body.encode());
    Future<SseClient.Answer> stream = sse.chat(body);
    Future<Reply> history = send(vertx, app.edgePort(), HttpMethod.GET, "/v1/conversations/" + UNKNOWN_ID, null, null,
        null);
    Future<Reply> badId = send(vertx, app.edgePort(), HttpMethod.GET, "/v1/conversations/bad!id", null, null, null);
    Future.all(json, stream, history, badId).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertError(json.result(), 404, "not_found");
      assertThat(stream.result().events()).extracting(e -> e.event()).containsExactly("ready", "error");
      assertThat(stream.result().first("error").getString("code")).isEqualTo("not_found");
      assertError(history.result(), 404, "not_found");
      assertError(badId.result(), 400, "invalid_request");
      ctx.completeNow();
    })));
  }

  /** Verifies that unknown paths and methods get JSON errors, and origin's API wants the edge token. */
  @Test
  void routes_unknownPathMethodAndToken_jsonErrors(Vertx vertx, VertxTestContext ctx) {
    Future<Reply> path = send(vertx, app.edgePort(), HttpMethod.GET, "/no/such/path", null, null, null);
    Future<Reply> method = send(vertx, app.edgePort(), HttpMethod.DELETE, "/v1/chat", null, null, null);
    Future<Reply> token = send(vertx, app.originPort(), HttpMethod.POST, "/internal/answer", "application/json",
        Buffer.buffer("{}"), null);
    Future.all(path, method, token).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertError(path.result(), 404, "not_found");
      assertError(method.result(), 405, "method_not_allowed");
      assertError(token.result(), 401, "unauthorized");
      ctx.completeNow();
    })));
  }
}
