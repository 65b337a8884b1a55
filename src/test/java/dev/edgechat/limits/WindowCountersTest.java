package dev.edgechat.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.ManualTime;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixed-window logic, on injected time, of both counter stores: the Lua script in the real test
 * Redis and the in-process one. Every test uses keys of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WindowCountersTest {

  private static Redis client;
  private static RedisAPI redis;

  @BeforeAll
  static void connect(Vertx vertx) {
    client = Redis.createClient(vertx, new RedisOptions().setConnectionString(TestDatabases.redis().toString()));
    redis = RedisAPI.api(client);
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static Stream<String> stores() {
    return Stream.of("redis", "local");
  }

  private static WindowCounters store(String name) {
    return name.equals("redis") ? new RedisWindows(redis) : new LocalWindows();
  }

  /** Verifies that a window takes requests up to its limit, then refuses until the minute it is in ends. */
  @ParameterizedTest
  @MethodSource("stores")
  void take_overLimit_refusedUntilTheWindowEnds(String store) {
    WindowCounters counters = store(store);
    // 20 s into a minute
    ManualTime time = new ManualTime(Instant.parse("2030-01-01T00:00:20Z"));
    Window visitor = new Window("visitor", "site:" + Ids.next(), 3, 60_000, 1);
    for (int i = 0; i < 3; i++) {
      assertThat(counters.take(List.of(visitor), time.millis()).await().allowed()).isTrue();
    }
    Verdict refused = counters.take(List.of(visitor), time.millis()).await();
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.refused()).isEqualTo(visitor);
    assertThat(refused.retryAfterMs()).isEqualTo(40_000);
    assertThat(refused.retryAfterSeconds()).isEqualTo(40);

    time.advance(Duration.ofMillis(39_999)).await();
    Verdict lastMs = counters.take(List.of(visitor), time.millis()).await();
    assertThat(lastMs.allowed()).isFalse();
    assertThat(lastMs.retryAfterMs()).isEqualTo(1);
    assertThat(lastMs.retryAfterSeconds()).isEqualTo(1);
    time.advance(Duration.ofMillis(1)).await();
    assertThat(counters.take(List.of(visitor), time.millis()).await().allowed()).isTrue();
  }

  /**
   * Verifies that a request one window refuses is counted in none: the other windows keep their
   * room, and the verdict names the window that refused.
   */
  @ParameterizedTest
  @MethodSource("stores")
  void take_oneWindowFull_noneCounted(String store) {
    WindowCounters counters = store(store);
    ManualTime time = new ManualTime();
    String tag = Ids.next();
    Window tight = new Window("visitor", tag, 1, 60_000, 1);
    Window roomy = new Window("ip", tag, 2, 60_000, 1);
    assertThat(counters.take(List.of(roomy, tight), time.millis()).await().allowed()).isTrue();
    for (int i = 0; i < 5; i++) {
      Verdict verdict = counters.take(List.of(roomy, tight), time.millis()).await();
      assertThat(verdict.refusedWindow()).contains(tight);
    }
    // the refusals took nothing from the roomy window: it still has one left, then it is full
    assertThat(counters.take(List.of(roomy), time.millis()).await().allowed()).isTrue();
    assertThat(counters.take(List.of(roomy), time.millis()).await().refusedWindow()).contains(roomy);
  }

  /**
   * Verifies a budget: a check (cost 0) passes while anything is left, charges after the fact add
   * their cost whatever the limit, and once spent, checks are refused until the UTC day ends.
   */
  @ParameterizedTest
  @MethodSource("stores")
  void take_dailyBudgetSpent_refusedUntilMidnightUtc(String store) {
    WindowCounters counters = store(store);
    ManualTime time = new ManualTime(Instant.parse("2030-01-01T18:00:00Z"));
    String site = "site-" + Ids.next();
    Window check = new Window("site_budget", site, 1000, VisitorLimits.DAY_MS, 0);
    Window charge = new Window("site_budget", site, 0, VisitorLimits.DAY_MS, 600);
    assertThat(counters.take(List.of(check), time.millis()).await().allowed()).isTrue();
    assertThat(counters.take(List.of(charge), time.millis()).await().allowed()).isTrue();
    assertThat(counters.take(List.of(check), time.millis()).await().allowed()).isTrue();
    assertThat(counters.take(List.of(charge), time.millis()).await().allowed()).isTrue();
    Verdict spent = counters.take(List.of(check), time.millis()).await();
    assertThat(spent.allowed()).isFalse();
    assertThat(spent.retryAfterSeconds()).isEqualTo(6 * 3600);
    time.advance(Duration.ofHours(6)).await();
    assertThat(counters.take(List.of(check), time.millis()).await().allowed()).isTrue();
  }

  /** Verifies that a limit of 0 is no limit: every request is taken (and counted). */
  @ParameterizedTest
  @MethodSource("stores")
  void take_limitZero_neverRefused(String store) {
    WindowCounters counters = store(store);
    ManualTime time = new ManualTime();
    Window unlimited = new Window("ip", Ids.next(), 0, 60_000, 1);
    for (int i = 0; i < 50; i++) {
      assertThat(counters.take(List.of(unlimited), time.millis()).await().allowed()).isTrue();
    }
  }

  /** Verifies that the Redis counters expire a second after their window ends, so Redis keeps no dead window. */
  @org.junit.jupiter.api.Test
  void take_redis_counterExpiresWithItsWindow() {
    ManualTime time = new ManualTime(Instant.now());
    String key = "ttl-" + Ids.next();
    Window w = new Window("ip", key, 5, 60_000, 1);
    new RedisWindows(redis).take(List.of(w), time.millis()).await();
    long ttlMs = redis.pttl(RedisWindows.PREFIX + w.name(time.millis())).await().toLong();
    long expected = w.end(time.millis()) + 1000 - System.currentTimeMillis();
    assertThat(ttlMs).isBetween(expected - 2000, expected + 100);
  }

  /** Verifies that the in-process store drops the windows that ended. */
  @org.junit.jupiter.api.Test
  void take_local_endedWindowsDropped() {
    LocalWindows counters = new LocalWindows();
    ManualTime time = new ManualTime();
    for (int i = 0; i < 100; i++) {
      counters.take(List.of(new Window("ip", "10.0.0." + i, 5, 60_000, 1)), time.millis()).await();
    }
    assertThat(counters.size()).isEqualTo(100);
    time.advance(Duration.ofMinutes(1)).await();
    counters.take(List.of(new Window("ip", "10.0.1.1", 5, 60_000, 1)), time.millis()).await();
    assertThat(counters.size()).isEqualTo(1);
  }
}
