package dev.edgechat.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.support.ManualTime;
import dev.edgechat.web.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limiter in front of a Redis of its own, which the tests make slow ({@code CLIENT PAUSE}) and
 * stop: a request passes, counted as fail-open, and a refusal is counted by its kind.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class LimiterTest {

  private EmbeddedRedisServer server;
  private Redis client;
  private RedisAPI redis;
  private final ManualTime time = new ManualTime();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = EmbeddedRedisServer.start(Files.createTempDirectory("limiter-redis"), 0, "noeviction", "16mb");
    client = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.url().toString()));
    redis = RedisAPI.api(client);
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private Limiter limiter() {
    return new Limiter(new RedisWindows(redis), time, () -> 50, registry);
  }

  /** Verifies that a refusal is counted under its window's kind, and an allowed request under none. */
  @Test
  void take_overLimit_refusalCountedByKind() {
    Limiter limiter = limiter();
    Window visitor = new Window("visitor", Ids.next(), 1, 60_000, 1);
    assertThat(limiter.take(List.of(visitor)).await().allowed()).isTrue();
    assertThat(limiter.take(List.of(visitor)).await().allowed()).isFalse();
    assertThat(registry.get("edgechat.limits.refused").tag("kind", "visitor").counter().count()).isEqualTo(1);
    assertThat(registry.get("edgechat.limits.failopen").counter().count()).isZero();
  }

  /**
   * Verifies that while Redis does not answer (paused), a request over its limit passes once the
   * timeout has run on the injected clock, counted as fail-open, and that the limit holds again
   * once Redis answers.
   */
  @Test
  void take_redisSlow_passesAfterTheTimeout(Vertx vertx) {
    Limiter limiter = limiter();
    Window visitor = new Window("visitor", Ids.next(), 1, 60_000, 1);
    assertThat(limiter.take(List.of(visitor)).await().allowed()).isTrue();
    redis.client(List.of("PAUSE", "3000", "ALL")).await();
    Future<Verdict> waiting = vertx.getOrCreateContext().<Future<Verdict>>executeBlocking(() ->
        limiter.take(List.of(visitor))).await();
    assertThat(waiting.isComplete()).isFalse();
    time.advance(Duration.ofMillis(49)).await();
    assertThat(waiting.isComplete()).isFalse();
    time.advance(Duration.ofMillis(1)).await();
    assertThat(waiting.await().allowed()).isTrue();
    assertThat(registry.get("edgechat.limits.failopen").counter().count()).isEqualTo(1);
    redis.client(List.of("UNPAUSE")).await();
    assertThat(limiter.take(List.of(visitor)).await().allowed()).isFalse();
  }

  /** Verifies that with Redis stopped every request passes, none fails, and each is counted as fail-open. */
  @Test
  void take_redisStopped_everyRequestPasses() {
    Limiter limiter = limiter();
    Window visitor = new Window("visitor", Ids.next(), 1, 60_000, 1);
    assertThat(limiter.take(List.of(visitor)).await().allowed()).isTrue();
    server.close();
    for (int i = 0; i < 5; i++) {
      Future<Verdict> verdict = limiter.take(List.of(visitor));
      // a refused connection fails at once; should the client wait instead, the timeout lets it pass
      for (int tick = 0; tick < 200 && !verdict.isComplete(); tick++) {
        sleep(5);
        time.advance(Duration.ofMillis(1)).await();
      }
      assertThat(verdict.await().allowed()).isTrue();
    }
    assertThat(registry.get("edgechat.limits.failopen").counter().count()).isEqualTo(5);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
