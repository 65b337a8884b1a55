package dev.edgechat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.config.ConfigException;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Role worker: starts on the queue Redis alone and reports it in /readyz; refuses to start without one. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class WorkerRoleTest {

  /** Verifies that role worker starts with a queue Redis and Postgres, and is ready once both answer. */
  @Test
  void start_withQueueRedisAndPostgres_ready(Vertx vertx, VertxTestContext ctx) {
    HttpClient http = vertx.createHttpClient();
    new TestSystem(vertx).env("EDGECHAT_QUEUE_REDIS_URL", TestDatabases.redis().toString())
        .env("EDGECHAT_POSTGRES_URL", TestDatabases.postgres().toString())
        .start(Role.WORKER)
        .compose(app -> http.request(HttpMethod.GET, app.workerPort(), "127.0.0.1", "/readyz")
            .compose(req -> req.send().compose(resp -> resp.body().map(body -> {
              ctx.verify(() -> {
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(new JsonObject(body).encode()).contains("queue-redis").contains("postgres");
              });
              return app;
            }))))
        .compose(Application::close)
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Verifies that role worker without queue.redisUrl or redis.url fails to start, naming the setting. */
  @Test
  void start_withoutRedis_failsNamingSetting(Vertx vertx, VertxTestContext ctx) {
    new TestSystem(vertx).env("EDGECHAT_POSTGRES_URL", TestDatabases.postgres().toString())
        .start(Role.WORKER).onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("queue.redisUrl");
          ctx.completeNow();
        })));
  }

  /** Verifies that role worker without postgres.url fails to start, naming the setting (ingestion writes there). */
  @Test
  void start_withoutPostgres_failsNamingSetting(Vertx vertx, VertxTestContext ctx) {
    new TestSystem(vertx).env("EDGECHAT_QUEUE_REDIS_URL", TestDatabases.redis().toString())
        .start(Role.WORKER).onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("postgres.url");
          ctx.completeNow();
        })));
  }
}
