package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.MetricsText;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway with its upstream's breaker open: a request the cache answered before gets that
 * answer past its life ({@code X-Edgechat-Cache: stale}); any other gets 503
 * {@code upstream_circuit_open} with the seconds the breaker stays open as {@code Retry-After}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class GatewayBreakerTest {

  private static final String KEY = "gw-breaker-key";
  private static final long RESET_SECONDS = 30;

  private static Application sim;
  private static Application edge;
  private static HttpClient http;

  /** A completion's answer: status, {@code X-Edgechat-Cache}, {@code Retry-After} and body. */
  record Completion(int status, String cache, String retryAfter, JsonObject body) {
  }

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    sim = await(new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "10").start(Role.SIM));
    Path config = Files.createTempDirectory("edgechat-gateway-breaker");
    // one failed try opens the breaker; answers are fresh for a second only
    Files.writeString(config.resolve("edgechat.yaml"), """
        gateway:
          retries: 0
          breakerMaxFailures: 1
          breakerResetMs: %d
        cache:
          staticTtlMs: 1000
          dynamicTtlMs: 1000
        """.formatted(RESET_SECONDS * 1000));
    edge = await(new TestSystem(vertx).configDir(config).env("EDGECHAT_GATEWAY_KEYS", KEY)
        .startAllWithSim(sim.simPort()));
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Application app : new Application[] {edge, sim}) {
      if (app != null) {
        await(app.close());
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static Completion ask(String question) throws Exception {
    JsonObject body = new JsonObject().put("model", "sim-1").put("temperature", 0)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", question)));
    return await(http.request(HttpMethod.POST, edge.edgePort(), "127.0.0.1", "/v1/chat/completions")
        // the body is read in the callback that sent the request: see SimulatedSystem#simStats
        .compose(req -> req.putHeader("Authorization", "Bearer " + KEY).putHeader("Content-Type", "application/json")
            .send(body.encode())
            .compose(resp -> resp.body().map(b -> new Completion(resp.statusCode(), resp.getHeader("X-Edgechat-Cache"),
                resp.getHeader("Retry-After"), b.toJsonObject())))));
  }

  /**
   * Verifies that once a failed try opened the breaker, a completion past its life is served
   * marked stale, and a new request gets 503 upstream_circuit_open with a Retry-After within the
   * breaker's open time.
   */
  @Test
  void completions_breakerOpen_staleAnswerOrUnavailableWithRetryAfter(Vertx vertx) throws Exception {
    String known = "Is it raining? " + Ids.next();
    Completion fresh = ask(known);
    await(vertx.timer(1_500));
    await(sim.close());
    Completion opening = ask("Is it snowing? " + Ids.next());
    Completion stale = ask(known);
    Completion refused = ask("Is it windy? " + Ids.next());
    String metrics = await(MetricsText.scrape(http, edge.edgePort()));

    assertThat(fresh.status()).isEqualTo(200);
    assertThat(fresh.cache()).isEqualTo("miss");
    assertThat(opening.status()).isEqualTo(502);
    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.cache()).isEqualTo("stale");
    assertThat(stale.body().getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content"))
        .isEqualTo(fresh.body().getJsonArray("choices").getJsonObject(0).getJsonObject("message")
            .getString("content"));
    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.body().getJsonObject("error").getString("code")).isEqualTo("upstream_circuit_open");
    assertThat(Long.parseLong(refused.retryAfter())).isBetween(1L, RESET_SECONDS);
    // what an operator sees: the breaker open (2), the failed try and the refusals as errors by kind
    String gateway = "api=\"gateway\",upstream=\"http://127.0.0.1:" + sim.simPort() + "/v1\"";
    assertThat(MetricsText.value(metrics, "edgechat_upstream_breaker_state", gateway)).isEqualTo(2);
    assertThat(MetricsText.value(metrics, "edgechat_upstream_breaker_transitions_total", gateway + ",to=\"open\""))
        .isEqualTo(1);
    assertThat(MetricsText.value(metrics, "edgechat_upstream_errors_total", "api=\"gateway\",kind=\"upstream_unavailable\""))
        .isEqualTo(1);
    // refused twice: the call the stale answer stood in for, and the new request's
    assertThat(MetricsText.value(metrics, "edgechat_upstream_errors_total",
        "api=\"gateway\",kind=\"upstream_circuit_open\"")).isEqualTo(2);
    assertThat(MetricsText.value(metrics, "gen_ai_client_operation_duration_seconds_count",
        "api=\"gateway\",error_type=\"none\",gen_ai_request_model=\"sim-1\"")).as("the fresh answer").isEqualTo(1);
  }
}
