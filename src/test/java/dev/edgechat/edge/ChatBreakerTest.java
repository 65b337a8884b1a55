package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.MetricsText;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
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
 * The visitor chat with the model's circuit breaker open (issue 17, the chat path's upstream
 * discipline): a question the cache answered before gets that answer marked stale; any other gets
 * a clear {@code upstream_unavailable} with the seconds the breaker stays open, at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ChatBreakerTest {

  /** How long the breaker stays open, in seconds. */
  private static final long RESET_SECONDS = 30;

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    // answers are fresh for a second only; two failed tries open the breaker
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "10", "EDGECHAT_SIM_ANSWER_TOKENS", "10",
            "EDGECHAT_SIM_TOKENS_PER_SECOND", "200"),
            Map.of("EDGECHAT_CACHE_STATIC_TTL_MS", "1000", "EDGECHAT_CACHE_DYNAMIC_TTL_MS", "1000",
                "EDGECHAT_LLM_CONNECT_TIMEOUT_MS", "500", "EDGECHAT_LLM_RETRIES", "1",
                "EDGECHAT_LLM_RETRY_BACKOFF_MS", "10", "EDGECHAT_LLM_BREAKER_MAX_FAILURES", "2",
                "EDGECHAT_LLM_BREAKER_RESET_MS", Long.toString(RESET_SECONDS * 1000)))
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
   * Verifies that once failed tries opened the breaker, an answer past its life is served marked
   * stale, a new question gets an {@code error} event {@code upstream_unavailable} with
   * {@code retryAfter} within the breaker's open time, and the JSON form gets 503 with
   * {@code Retry-After}.
   */
  @Test
  void chat_breakerOpen_staleAnswerOrUpstreamUnavailableWithRetryAfter(Vertx vertx, VertxTestContext ctx) {
    String known = "Do you ship to Norway? (" + Ids.next() + ")";
    List<SseClient.Answer> answers = new ArrayList<>();
    List<Long> refusedInMs = new ArrayList<>();
    List<String> scraped = new ArrayList<>();
    system.sse().chat(ask(known))
        .compose(fresh -> {
          answers.add(fresh);
          return vertx.timer(1_500).compose(v -> system.sim().close());
        })
        // the model is gone: this question's two tries fail, which opens the breaker
        .compose(v -> system.sse().chat(ask("Do you ship to Iceland? (" + Ids.next() + ")")))
        .compose(opening -> {
          answers.add(opening);
          return system.sse().chat(ask(known));
        })
        .compose(stale -> {
          answers.add(stale);
          long started = System.nanoTime();
          return system.sse().chat(ask("Do you ship to Malta? (" + Ids.next() + ")")).map(refused -> {
            refusedInMs.add((System.nanoTime() - started) / 1_000_000);
            answers.add(refused);
            return null;
          });
        })
        .compose(v -> system.http().request(HttpMethod.POST, system.app().edgePort(), "127.0.0.1", "/v1/chat")
            // reads the body in the callback that sent the request: see SimulatedSystem#simStats
            .compose(req -> req.putHeader("Content-Type", "application/json")
                .send(ask("Do you ship to Crete? (" + Ids.next() + ")").encode())
                .compose(resp -> resp.body().map(body -> new Object[] {resp.statusCode(),
                    resp.getHeader("Retry-After"), body.toJsonObject()}))))
        .compose(json -> MetricsText.scrape(system.http(), system.app().edgePort()).map(metrics -> {
          scraped.add(metrics);
          return json;
        }))
        .onComplete(ctx.succeeding(json -> ctx.verify(() -> {
          SseClient.Answer fresh = answers.get(0);
          SseClient.Answer opening = answers.get(1);
          SseClient.Answer stale = answers.get(2);
          SseClient.Answer refused = answers.get(3);
          assertThat(fresh.first("done").getString("cache")).isEqualTo("miss");
          assertThat(opening.first("error").getString("code")).isEqualTo("upstream_unavailable");
          assertThat(stale.first("done").getBoolean("stale")).isTrue();
          assertThat(stale.text()).isEqualTo(fresh.text());
          assertThat(refused.named("done")).isEmpty();
          JsonObject error = refused.first("error");
          assertThat(error.getString("code")).isEqualTo("upstream_unavailable");
          assertThat(error.getLong("retryAfter")).isBetween(1L, RESET_SECONDS);
          assertThat(refusedInMs.get(0)).isLessThan(2_000L); // refused at once: no try, no backoff
          assertThat(json[0]).isEqualTo(503);
          assertThat(Long.parseLong((String) json[1])).isBetween(1L, RESET_SECONDS);
          assertThat(((JsonObject) json[2]).getJsonObject("error").getString("code"))
              .isEqualTo("upstream_unavailable");
          // what an operator sees: the chat's breaker open (2), opened once
          assertThat(MetricsText.value(scraped.get(0), "edgechat_upstream_breaker_state", "api=\"chat\""))
              .isEqualTo(2);
          assertThat(MetricsText.value(scraped.get(0), "edgechat_upstream_breaker_transitions_total",
              "api=\"chat\",to=\"open\"")).isEqualTo(1);
          ctx.completeNow();
        })));
  }
}
