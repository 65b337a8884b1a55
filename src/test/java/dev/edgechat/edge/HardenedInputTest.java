package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.RawHttp;
import dev.edgechat.support.RawHttp.Reply;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The drills' defects of issue 17 on the visitor API, the gateway, origin and the admin API:
 * malformed {@code Origin} headers (2), messages of invisible characters (3) and HTTP/1.0 streams
 * (4). Role all answering with the simulator; raw sockets, since well-behaved clients cannot send
 * these requests.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class HardenedInputTest {

  private static final String ADMIN_TOKEN = "hardened-admin-token";
  private static final String EDGE_TOKEN = "hardened-edge-token";
  private static final String GATEWAY_KEY = "hardened-gateway-key";
  private static final String UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA";
  /** A reply is read until the server closes or stays silent this long: a hang shows as closed == false. */
  private static final long READ_MS = 30_000;
  private static final Pattern MESSAGE_ID = Pattern.compile("\"message\":\"([A-Za-z0-9_-]{8,64})\"");

  private static Application sim;
  private static Application app;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    sim = await(new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "50")
        .env("EDGECHAT_SIM_TOKENS_PER_SECOND", "200").env("EDGECHAT_SIM_ANSWER_TOKENS", "12")
        // text-embedding-3-small's own length, which the gateway expects of it
        .env("EDGECHAT_SIM_EMBEDDING_DIMENSIONS", "1536").start(Role.SIM));
    app = await(new TestSystem(vertx)
        .env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN)
        .env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_GATEWAY_KEYS", GATEWAY_KEY)
        .startAllWithSim(sim.simPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Application started : new Application[] {app, sim}) {
      if (started != null) {
        await(started.close());
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static String request(String method, String path, String version, List<String> headers, String body) {
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(method).append(' ').append(path).append(' ').append(version).append("\r\n")
        .append("Host: 127.0.0.1\r\n");
    headers.forEach(h -> out.append(h).append("\r\n"));
    if (body != null) {
      out.append("Content-Type: application/json\r\nContent-Length: ").append(bytes.length).append("\r\n");
    }
    return out.append("\r\n").append(body == null ? "" : body).toString();
  }

  private static Reply send(int port, String method, String path, List<String> headers, String body) {
    List<String> all = new ArrayList<>(headers);
    all.add("Connection: close");
    return RawHttp.exchange(port, request(method, path, "HTTP/1.1", all, body), READ_MS);
  }

  private static void assertError(String what, Reply reply, int status, String code) {
    assertThat(reply.status()).as(what + ": " + reply.raw()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).as(what).startsWith("application/json");
    assertThat(reply.error().getString("code")).as(what).isEqualTo(code);
    assertThat(reply.error().getString("message")).as(what).isNotBlank();
  }

  /** Defect 2: an Origin header that is no origin at all is 403 forbidden_origin on every /v1 route, never 502. */
  @Test
  void malformedOrigin_getsForbiddenOriginNot502() {
    List<String> origins = List.of("xxx", "https://", "file://", "chrome-extension://abc", "http://a b");
    String chat = "{\"site\":\"demo\",\"message\":\"hello\"}";
    String completion = "{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    record Route(String method, String path, List<String> headers, String body) {
    }
    List<Route> routes = List.of(
        new Route("POST", "/v1/chat", List.of(), chat),
        new Route("POST", "/v1/chat", List.of("Accept: text/event-stream"), chat),
        new Route("GET", "/v1/ping", List.of(), null),
        new Route("GET", "/v1/conversations/" + UNKNOWN_ID, List.of(), null),
        new Route("GET", "/v1/jobs/" + UNKNOWN_ID, List.of(), null),
        new Route("GET", "/v1/chat/" + UNKNOWN_ID + "/events", List.of("Last-Event-ID: 0"), null),
        new Route("OPTIONS", "/v1/chat", List.of("Access-Control-Request-Method: POST"), null),
        new Route("POST", "/v1/chat/completions", List.of("Authorization: Bearer " + GATEWAY_KEY), completion),
        new Route("GET", "/v1/models", List.of("Authorization: Bearer " + GATEWAY_KEY), null));
    for (String origin : origins) {
      for (Route route : routes) {
        List<String> headers = new ArrayList<>(route.headers());
        headers.add("Origin: " + origin);
        Reply reply = send(app.edgePort(), route.method(), route.path(), headers, route.body());
        assertError(route.method() + " " + route.path() + " from Origin '" + origin + "'", reply, 403,
            "forbidden_origin");
      }
    }
  }

  /**
   * Defect 3: a message of invisible characters is 400 at the edge and at origin (any edge may ask
   * it), and no path that takes text (admin documents, the gateway) answers it with a 5xx.
   */
  @Test
  void invisibleMessage_gets400Not502() {
    // JSON escapes, so that a lone surrogate reaches the server as the JSON parser reads it
    List<String> invisible = List.of("\\u200b", "\\ufeff", "\\u202e", "\\ud800", "\\udfff", " \\u200b \\n\\t\\ufeff ",
        "\\u200b\\u200c\\u200d\\u2060\\u00a0", "\\u0301", "\\ue000", "\\ufffd");
    for (String text : invisible) {
      Reply edge = send(app.edgePort(), "POST", "/v1/chat", List.of(),
          "{\"site\":\"demo\",\"message\":\"" + text + "\"}");
      assertError("edge, message " + text, edge, 400, "invalid_request");
      Reply stream = send(app.edgePort(), "POST", "/v1/chat", List.of("Accept: text/event-stream"),
          "{\"site\":\"demo\",\"message\":\"" + text + "\"}");
      assertError("edge stream, message " + text, stream, 400, "invalid_request");
      Reply origin = send(app.originPort(), "POST", "/internal/answer", List.of("Authorization: Bearer " + EDGE_TOKEN),
          "{\"site\":\"demo\",\"conversation\":\"" + UNKNOWN_ID + "\",\"newConversation\":true,\"message\":\""
              + UNKNOWN_ID + "\",\"question\":\"" + text + "\"}");
      assertError("origin, question " + text, origin, 400, "invalid_request");
      Reply document = send(app.edgePort(), "POST", "/admin/sites/demo/documents",
          List.of("Authorization: Bearer " + ADMIN_TOKEN),
          "{\"documents\":[{\"title\":\"Invisible\",\"text\":\"" + text + "\"}]}");
      assertError("admin document, text " + text, document, 400, "invalid_request");
      Reply completion = send(app.edgePort(), "POST", "/v1/chat/completions",
          List.of("Authorization: Bearer " + GATEWAY_KEY),
          "{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}");
      assertThat(completion.status()).as("gateway completion, content " + text + ": " + completion.raw())
          .isBetween(200, 499);
      Reply embedding = send(app.edgePort(), "POST", "/v1/embeddings", List.of("Authorization: Bearer " + GATEWAY_KEY),
          "{\"model\":\"text-embedding-3-small\",\"input\":\"" + text + "\"}");
      assertThat(embedding.status()).as("gateway embeddings, input " + text + ": " + embedding.raw())
          .isBetween(200, 499);
    }
    // visible words with an invisible sentence or paragraph among them are a document like any other
    Reply mixed = send(app.edgePort(), "POST", "/admin/sites/demo/documents", List.of("Authorization: Bearer " + ADMIN_TOKEN),
        "{\"documents\":[{\"title\":\"Mixed\",\"text\":\"Returns take 30 days.\\n\\n\\u200b\\u200b\\n\\nShipping is free.\"}]}");
    assertThat(mixed.status()).as(mixed.raw()).isEqualTo(202);
    // and a question with invisible characters around real words is answered
    Reply answered = send(app.edgePort(), "POST", "/v1/chat", List.of(),
        "{\"site\":\"demo\",\"message\":\"\\u200bHow long do returns take?\\ufeff\"}");
    assertThat(answered.status()).as(answered.raw()).isEqualTo(200);
  }

  /**
   * Defect 4: over HTTP/1.0 (no chunked encoding) every stream is sent whole, delimited by the
   * connection's close, also when the client asked to keep the connection alive: a new question,
   * a cached one, a resume, and the gateway's stream.
   */
  @Test
  void http10Stream_streamsCloseDelimitedNotHang() {
    for (List<String> connection : List.of(List.<String>of(), List.of("Connection: keep-alive"))) {
      List<String> sse = new ArrayList<>(connection);
      sse.add("Accept: text/event-stream");
      String question = "{\"site\":\"demo\",\"message\":\"Do you ship to Norway? " + connection.size() + "\"}";
      for (String pass : List.of("new", "cached")) {
        Reply chat = RawHttp.exchange(app.edgePort(), request("POST", "/v1/chat", "HTTP/1.0", sse, question), READ_MS);
        assertThat(chat.complete()).as(pass + " " + connection + ": the whole stream, not a hang: " + chat.raw()).isTrue();
        assertThat(chat.status()).as(chat.raw()).isEqualTo(200);
        assertThat(chat.header("Transfer-Encoding")).as(chat.raw()).isNull();
        assertThat(chat.body()).as(chat.raw()).contains("event: ready").contains("event: done");
        Matcher id = MESSAGE_ID.matcher(chat.body());
        assertThat(id.find()).as(chat.body()).isTrue();
        List<String> resume = new ArrayList<>(sse);
        resume.add("Last-Event-ID: 1");
        Reply resumed = RawHttp.exchange(app.edgePort(),
            request("GET", "/v1/chat/" + id.group(1) + "/events", "HTTP/1.0", resume, null), READ_MS);
        assertThat(resumed.complete()).as(pass + " resume " + connection + ": " + resumed.raw()).isTrue();
        assertThat(resumed.status()).as(resumed.raw()).isEqualTo(200);
        assertThat(resumed.body()).as(resumed.raw()).doesNotContain("event: ready").contains("event: done");
      }
      List<String> gateway = new ArrayList<>(connection);
      gateway.add("Authorization: Bearer " + GATEWAY_KEY);
      Reply stream = RawHttp.exchange(app.edgePort(), request("POST", "/v1/chat/completions", "HTTP/1.0", gateway,
          new JsonObject().put("model", "sim-1").put("stream", true).put("messages",
              new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user")
                  .put("content", "Do you ship to Norway? " + connection.size()))).encode()), READ_MS);
      assertThat(stream.complete()).as("gateway stream " + connection + ": " + stream.raw()).isTrue();
      assertThat(stream.status()).as(stream.raw()).isEqualTo(200);
      assertThat(stream.body()).as(stream.raw()).contains("data: [DONE]");
    }
  }
}
