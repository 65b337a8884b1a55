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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17, defect 5: the visitor chat path had no retry before the first token, so with the
 * simulator failing 30 % of its calls (500) 5 of 30 chats failed. The chat path now shares the
 * gateway's upstream discipline ({@code llm.UpstreamGuard}): a try that fails before the first
 * token is tried again.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class ChatUpstreamErrorsTest {

  private static final int CHATS = 30;

  private static SimulatedSystem system;
  /** A model that never sends its first token, asked with a first-token timeout of 300 ms and one retry. */
  private static SimulatedSystem stalling;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx,
            Map.of("EDGECHAT_SIM_ERROR_RATE", "0.3", "EDGECHAT_SIM_FIRST_TOKEN_MS", "20",
                "EDGECHAT_SIM_TOKENS_PER_SECOND", "2000", "EDGECHAT_SIM_ANSWER_TOKENS", "12"),
            Map.of())
        .compose(started -> {
          system = started;
          return SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "600000"),
              Map.of("EDGECHAT_LLM_FIRST_TOKEN_TIMEOUT_MS", "300", "EDGECHAT_LLM_RETRIES", "1",
                  "EDGECHAT_LLM_RETRY_BACKOFF_MS", "10"));
        })
        .onComplete(ctx.succeeding(started -> {
          stalling = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    Future.join(system == null ? Future.succeededFuture() : system.close(),
            stalling == null ? Future.succeededFuture() : stalling.close())
        .onComplete(v -> ctx.completeNow());
  }

  /**
   * Verifies that a model silent before its first token becomes an error within the tries'
   * first-token timeouts (here 2 x 300 ms), not after 30 s, and that each silent try was asked and
   * then abandoned.
   */
  @Test
  void chat_modelSilentBeforeFirstToken_timeoutWithinFirstTokenTimeouts(Vertx vertx, VertxTestContext ctx) {
    long started = System.nanoTime();
    stalling.sse().chat(new JsonObject().put("site", "demo").put("message", "Anyone there? (" + Ids.next() + ")"))
        .compose(answer -> {
          long tookMs = (System.nanoTime() - started) / 1_000_000;
          return stalling.simStats().map(stats -> new Object[] {answer, tookMs, stats});
        })
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          SseClient.Answer answer = (SseClient.Answer) result[0];
          assertThat(answer.status()).isEqualTo(200);
          assertThat(answer.named("done")).isEmpty();
          assertThat(answer.first("error").getString("code")).isEqualTo("timeout");
          assertThat((Long) result[1]).isBetween(600L, 5_000L);
          assertThat(((JsonObject) result[2]).getLong("chatCalls")).isEqualTo(2L); // the try and one retry
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that with the model failing 30 % of its calls, at least 29 of 30 chats (each a new
   * question, so none is answered from the cache) are answered, because failed tries before the
   * first token are retried.
   */
  @Test
  void chat_simFailsThirtyPercentOfCalls_atLeast29Of30Answered(Vertx vertx, VertxTestContext ctx) {
    List<SseClient.Answer> answers = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < CHATS; i++) {
      JsonObject body = new JsonObject().put("site", "demo")
          .put("message", "How do I reset my password? (" + Ids.next() + ")");
      chain = chain.compose(v -> system.sse().chat(body).map(answer -> {
        answers.add(answer);
        return null;
      }));
    }
    chain.compose(v -> system.simStats()).onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
      long answered = answers.stream().filter(a -> !a.named("done").isEmpty()).count();
      List<JsonObject> errors = answers.stream().filter(a -> a.named("done").isEmpty())
          .map(a -> a.first("error")).toList();
      assertThat(answered).as("chats answered; errors: %s", errors).isGreaterThanOrEqualTo(CHATS - 1);
      assertThat(answers).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
      // the simulator's failures were there to be retried: more calls than chats
      assertThat(stats.getLong("chatCalls")).isGreaterThan((long) CHATS);
      ctx.completeNow();
    })));
  }
}
