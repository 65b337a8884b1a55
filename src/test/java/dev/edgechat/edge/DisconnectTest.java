package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.Await;
import dev.edgechat.support.SseClient;
import dev.edgechat.support.SimulatedSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A visitor who leaves mid-answer stops the work done for them, down to the LLM call. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class DisconnectTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx,
            Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "10", "EDGECHAT_SIM_TOKENS_PER_SECOND", "4",
            "EDGECHAT_SIM_ANSWER_TOKENS", "200"),
            // the visitor may come back for 300 ms (edge.resumeGraceMs); then the answer is stopped
            Map.of("EDGECHAT_EDGE_HEARTBEAT_MS", "200", "EDGECHAT_EDGE_RESUME_GRACE_MS", "300"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /**
   * Verifies that closing the connection after the first token cancels origin's request and the
   * upstream LLM stream (the simulator counts it as cancelled), and no partial answer is saved.
   */
  @Test
  void chat_visitorLeaves_upstreamCancelled(Vertx vertx, VertxTestContext ctx) {
    JsonObject question = new JsonObject().put("site", "demo").put("message", "Can I return a gift card?");
    system.simStats().compose(before -> system.sse()
        .chat(question, event -> event.event().equals("token"))
        .compose(open -> {
          open.response().request().connection().close();
          String conversation = open.answer().first("ready").getString("conversation");
          return awaitCancelled(vertx, before.getLong("cancelled") + 1)
              .compose(v -> system.simStats())
              .compose(after -> conversation(vertx, conversation).map(c -> new JsonObject[] {before, after, c}));
        }))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          JsonObject before = result[0];
          JsonObject after = result[1];
          assertThat(after.getLong("chatCalls") - before.getLong("chatCalls")).isEqualTo(1);
          assertThat(after.getLong("cancelled") - before.getLong("cancelled")).isEqualTo(1);
          assertThat(after.getLong("completionTokens") - before.getLong("completionTokens")).isLessThan(200);
          assertThat(result[2].getJsonArray("messages")).hasSize(1);
          assertThat(result[2].getJsonArray("messages").getJsonObject(0).getString("role")).isEqualTo("user");
          ctx.completeNow();
        })));
  }

  /** Verifies that while the model is slow, the stream carries a heartbeat comment. */
  @Test
  void chat_slowAnswer_heartbeatComments(Vertx vertx, VertxTestContext ctx) {
    JsonObject question = new JsonObject().put("site", "demo").put("message", "What does express delivery cost?");
    int[] tokens = {0};
    system.simStats().compose(before -> system.sse()
        .chat(question, event -> event.event().equals("token") && ++tokens[0] == 3)
        .compose(open -> {
          open.response().request().connection().close();
          // leave no stream behind for the other test to count
          return awaitCancelled(vertx, before.getLong("cancelled") + 1).map(open);
        }))
        .onComplete(ctx.succeeding(open -> ctx.verify(() -> {
          // three tokens at 4/s take about 500 ms; pings come every 200 ms
          assertThat(open.answer().raw()).contains(": ping\n\n");
          ctx.completeNow();
        })));
  }

  private static Future<Void> awaitCancelled(Vertx vertx, long count) {
    return Await.until(vertx, () -> system.simStats().map(s -> s.getLong("cancelled") >= count), 20_000);
  }

  private static Future<JsonObject> conversation(Vertx vertx, String id) {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1", "/v1/conversations/" + id)
        .compose(req -> req.send().compose(r -> r.body())).map(b -> b.toJsonObject());
  }
}
