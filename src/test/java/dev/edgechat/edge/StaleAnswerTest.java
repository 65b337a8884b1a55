package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** When the model cannot be reached, an expired cached answer is served marked stale (issue 3, failure). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class StaleAnswerTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    // answers are fresh for a second only
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "10", "EDGECHAT_SIM_ANSWER_TOKENS", "10",
            "EDGECHAT_SIM_TOKENS_PER_SECOND", "200"),
            Map.of("EDGECHAT_CACHE_STATIC_TTL_MS", "1000", "EDGECHAT_CACHE_DYNAMIC_TTL_MS", "1000",
                "EDGECHAT_LLM_CONNECT_TIMEOUT_MS", "500"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  private static JsonObject ask(String question) {
    return new JsonObject().put("site", "demo").put("message", question);
  }

  /**
   * Verifies that with the model gone, an answer past its life is served again marked
   * {@code stale:true}, and a question never answered gets the upstream error.
   */
  @Test
  void chat_modelDown_expiredAnswerServedStale_unknownQuestionFails(Vertx vertx, VertxTestContext ctx) {
    String question = "Do you ship to Norway? (" + Ids.next() + ")";
    system.sse().chat(ask(question))
        .compose(fresh -> vertx.timer(1_500)
            .compose(v -> system.sim().close())
            .compose(v -> system.sse().chat(ask(question)))
            .compose(stale -> system.sse().chat(ask("Do you ship to Iceland? (" + Ids.next() + ")"))
                .map(never -> List.of(fresh, stale, never))))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          SseClient.Answer fresh = answers.get(0);
          SseClient.Answer stale = answers.get(1);
          SseClient.Answer never = answers.get(2);
          assertThat(fresh.first("done").getString("cache")).isEqualTo("miss");
          assertThat(stale.first("done").getString("cache")).isEqualTo("hit");
          assertThat(stale.first("done").getBoolean("stale")).isTrue();
          assertThat(stale.text()).isEqualTo(fresh.text());
          assertThat(never.named("done")).isEmpty();
          assertThat(never.first("error").getString("code")).isIn("upstream_unavailable", "timeout");
          ctx.completeNow();
        })));
  }
}
