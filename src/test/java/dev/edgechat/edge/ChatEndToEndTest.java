package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A chat answered through edge, origin (loopback HTTP) and the simulator, on real Postgres and Redis. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ChatEndToEndTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx,
            Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "20", "EDGECHAT_SIM_TOKENS_PER_SECOND", "2000",
            "EDGECHAT_SIM_ANSWER_TOKENS", "12"),
            Map.of())
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /** Verifies that an SSE chat streams ready, tokens, sources and done, numbered 1, 2, 3 … */
  @Test
  void chat_eventStream_readyTokensSourcesDone(Vertx vertx, VertxTestContext ctx) {
    system.sse().chat(new JsonObject().put("site", "demo").put("message", "How do I reset my password?"))
        .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
          assertThat(answer.status()).isEqualTo(200);
          List<String> names = answer.events().stream().map(SseEvent::event).toList();
          assertThat(names.get(0)).isEqualTo("ready");
          assertThat(names.subList(1, names.size() - 2)).isNotEmpty().containsOnly("token");
          assertThat(names.subList(names.size() - 2, names.size())).containsExactly("sources", "done");
          assertThat(answer.events().stream().map(SseEvent::id).map(Long::parseLong).toList())
              .containsExactlyElementsOf(LongStream.rangeClosed(1, names.size()).boxed().toList());
          JsonObject ready = answer.first("ready");
          assertThat(ready.getString("conversation")).matches("[A-Za-z0-9_-]{22}");
          assertThat(ready.getString("message")).matches("[A-Za-z0-9_-]{22}");
          assertThat(ready.getString("region")).isEqualTo("local");
          assertThat(answer.named("token")).hasSize(12);
          assertThat(answer.first("sources").getJsonArray("items").getJsonObject(0).getString("title"))
              .isEqualTo("Resetting your password");
          assertThat(answer.first("done").getString("cache")).isEqualTo("miss");
          assertThat(answer.first("done").getBoolean("stale")).isFalse();
          assertThat(answer.first("done").getLong("ms")).isNotNegative();
          ctx.completeNow();
        })));
  }

  /** Verifies that a finished conversation reads back with the question and the answer, in order. */
  @Test
  void conversation_afterChat_holdsQuestionAndAnswer(Vertx vertx, VertxTestContext ctx) {
    SseClient client = system.sse();
    client.chat(new JsonObject().put("site", "demo").put("message", "Do you ship to Canada?"))
        .compose(first -> client.chat(new JsonObject().put("site", "demo").put("message", "How long does it take?")
                .put("conversation", first.first("ready").getString("conversation")))
            .map(second -> List.of(first, second)))
        .compose(answers -> get(vertx, "/v1/conversations/" + answers.get(0).first("ready").getString("conversation"))
            .map(body -> List.of(answers.get(0), answers.get(1), body)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          SseClient.Answer first = (SseClient.Answer) all.get(0);
          SseClient.Answer second = (SseClient.Answer) all.get(1);
          JsonObject conversation = ((Buffer) all.get(2)).toJsonObject();
          assertThat(second.first("ready").getString("conversation"))
              .isEqualTo(first.first("ready").getString("conversation"));
          assertThat(conversation.getString("site")).isEqualTo("demo");
          List<JsonObject> messages = conversation.getJsonArray("messages").stream().map(JsonObject.class::cast).toList();
          assertThat(messages).extracting(m -> m.getString("role"))
              .containsExactly("user", "assistant", "user", "assistant");
          assertThat(messages.get(0).getString("text")).isEqualTo("Do you ship to Canada?");
          assertThat(messages.get(1).getString("text")).isEqualTo(first.text());
          assertThat(messages.get(1).getString("id")).isEqualTo(first.first("ready").getString("message"));
          assertThat(messages.get(3).getString("text")).isEqualTo(second.text());
          assertThat(messages.get(0).getString("at")).endsWith("Z");
          ctx.completeNow();
        })));
  }

  /** Verifies that without text/event-stream the answer comes as one JSON object. */
  @Test
  void chat_jsonForm_wholeAnswer(Vertx vertx, VertxTestContext ctx) {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    system.http().request(HttpMethod.POST, system.app().edgePort(), "127.0.0.1", "/v1/chat")
        .compose(req -> req.putHeader("Content-Type", "application/json")
            .send(new JsonObject().put("site", "demo").put("message", "What are your opening hours?").encode())
            .compose(resp -> resp.body().map(body -> new Object[] {resp.statusCode(), body.toJsonObject()})))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result[0]).isEqualTo(200);
          JsonObject body = (JsonObject) result[1];
          assertThat(body.fieldNames()).contains("conversation", "message", "answer", "sources", "cache", "stale");
          assertThat(body.getString("answer").split(" ", -1)).hasSizeGreaterThan(5);
          assertThat(body.getString("cache")).isEqualTo("miss");
          assertThat(body.getJsonArray("sources").getJsonObject(0).getString("title"))
              .isEqualTo("Opening hours and contact");
          ctx.completeNow();
        })));
  }

  /** Verifies that the edge serves the demo page at /, embedding the widget with one script tag and no inline script. */
  @Test
  void demoPage_servedAtRoot(Vertx vertx, VertxTestContext ctx) {
    Future<Buffer> page = get(vertx, "/");
    Future<Buffer> script = get(vertx, "/demo.js");
    Future.all(page, script).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(page.result().toString()).contains("<script src=\"/widget/edgechat.js\" data-site=\"demo\"")
          .doesNotContain("<script>");
      assertThat(script.result().toString()).contains("EdgeChat.send(").doesNotContain("innerHTML");
      ctx.completeNow();
    })));
  }

  private static Future<Buffer> get(Vertx vertx, String path) {
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1", path)
        // reads the body in the callback that sent the request: see SimulatedSystem#simStats
        .compose(req -> req.send().compose(resp -> resp.body()));
  }
}
