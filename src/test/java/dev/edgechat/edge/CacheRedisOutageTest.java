package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cache Redis going away stops no answer: the edge goes on with its own cache and origin. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class CacheRedisOutageTest {

  private static EmbeddedRedisServer redis;
  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) throws Exception {
    redis = EmbeddedRedisServer.start(Files.createTempDirectory("outage-redis"), 0, "allkeys-lru", "32mb");
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "20", "EDGECHAT_SIM_TOKENS_PER_SECOND", "2000"),
            Map.of("EDGECHAT_REDIS_URL", redis.url().toString()))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> {
      redis.close();
      ctx.completeNow();
    });
  }

  /**
   * Verifies that with Redis stopped mid-test, new questions are still answered (from origin) and
   * repeated ones still hit this edge's own cache; /readyz reports Redis down.
   */
  @Test
  void chat_redisStopped_answersStillArrive(Vertx vertx, VertxTestContext ctx) {
    String before = "Do you ship to Norway? " + Ids.next();
    String after = "Can I pay by invoice? " + Ids.next();
    system.sse().chat(ask(before))
        .compose(first -> vertx.executeBlocking(() -> {
          redis.close();
          return first;
        }))
        .compose(first -> system.sse().chat(ask(after))
            .compose(fresh -> system.sse().chat(ask(before)).map(repeat -> List.of(first, fresh, repeat))))
        .compose(answers -> system.http().request(io.vertx.core.http.HttpMethod.GET, system.app().edgePort(),
                "127.0.0.1", "/readyz")
            // reads the body in the callback that sent the request: see SimulatedSystem#simStats
            .compose(req -> req.send().compose(r -> r.body().map(b -> {
              assertThat(r.statusCode()).isEqualTo(503);
              assertThat(b.toJsonObject().getJsonObject("checks").getJsonObject("redis").getString("status"))
                  .isEqualTo("down");
              return answers;
            }))))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          SseClient.Answer fresh = answers.get(1);
          SseClient.Answer repeat = answers.get(2);
          assertThat(fresh.first("done").getString("cache")).isEqualTo("miss");
          assertThat(fresh.text()).isNotBlank();
          assertThat(repeat.first("done").getString("cache")).isEqualTo("hit");
          assertThat(repeat.text()).isEqualTo(answers.get(0).text());
          ctx.completeNow();
        })));
  }

  private static JsonObject ask(String question) {
    return new JsonObject().put("site", "demo").put("message", question);
  }
}
