package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.Await;
import dev.edgechat.support.SimulatedSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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

/** A visitor who leaves before the model has said anything still stops the model call. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class EarlyDisconnectTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    // the model takes 5 s to its first token: the visitor leaves long before
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "5000"),
            Map.of("EDGECHAT_EDGE_RESUME_GRACE_MS", "0")) // no waiting for a resume: the answer stops at once
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
   * Verifies that closing the connection right after ready, while origin waits for the model's
   * response headers, cancels the upstream call (the simulator counts it) and sends no token.
   */
  @Test
  void chat_visitorLeavesBeforeFirstToken_upstreamCancelled(Vertx vertx, VertxTestContext ctx) {
    JsonObject question = new JsonObject().put("site", "demo").put("message", "Do you ship to Switzerland?");
    system.sse().chat(question, event -> event.event().equals("ready"))
        .compose(open -> Await.until(vertx, () -> system.simStats().map(s -> s.getLong("chatCalls") == 1), 10_000)
            .map(open))
        .compose(open -> {
          open.response().request().connection().close();
          return Await.until(vertx, () -> system.simStats().map(s -> s.getLong("cancelled") == 1), 10_000);
        })
        .compose(v -> system.simStats())
        .onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
          assertThat(stats.getLong("chatCalls")).isEqualTo(1);
          assertThat(stats.getLong("cancelled")).isEqualTo(1);
          assertThat(stats.getLong("completionTokens")).isZero();
          ctx.completeNow();
        })));
  }

}
