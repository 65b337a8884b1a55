package dev.edgechat.cache;

import dev.edgechat.redis.RedisConnection;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.support.Await;
import dev.edgechat.support.ManualTime;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The two-level answer cache on real Redis: hits by level, lifetimes by freshness, Redis failures as misses. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TieredAnswerCacheTest {

  private static final CachedAnswer ANSWER = new CachedAnswer(List.of("We", " ship", " worldwide."),
      new JsonArray().add(new io.vertx.core.json.JsonObject().put("title", "Shipping")), "dynamic");

  /** Connections made by a test, held until it ends (Vert.x 5 closes clients nobody references). */
  private final List<RedisConnection> connections = new java.util.ArrayList<>();

  private Future<LiveConfig> config(Vertx vertx, Map<String, String> env) throws Exception {
    return new ConfigLoader(vertx, Files.createTempDirectory("cfg"), env).load();
  }

  private RedisAPI redis(Vertx vertx, URI url) {
    RedisConnection connection = RedisConnection.open(vertx, "redis", url, 1000);
    connections.add(connection);
    return connection.api();
  }

  private static AnswerKey key() {
    return AnswerKey.of("demo", 1, "Do you ship worldwide? " + Ids.next());
  }

  /** Verifies that a stored answer is an L1 hit here and an L2 hit on another edge of the region. */
  @Test
  void lookup_afterStore_l1HereAndL2Elsewhere(Vertx vertx, VertxTestContext ctx) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AnswerKey key = key();
    config(vertx, Map.of()).compose(live -> {
      TieredAnswerCache here = new TieredAnswerCache(live, redis(vertx, TestDatabases.redis()), registry,
          Scheduler.of(vertx));
      TieredAnswerCache elsewhere = new TieredAnswerCache(live, redis(vertx, TestDatabases.redis()),
          new SimpleMeterRegistry(), Scheduler.of(vertx));
      here.store(key, ANSWER);
      // the Redis write is asynchronous: the other edge sees it once it has landed
      return here.lookup(key).compose(l1 -> Await.until(vertx, () -> elsewhere.lookup(key).map(f -> f.isPresent()),
              5_000)
          .compose(v -> elsewhere.lookup(key)).map(l2 -> List.of(l1, l2)));
    }).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found.get(0)).contains(ANSWER);
      assertThat(found.get(1)).isPresent();
      assertThat(found.get(1).get().tokens()).containsExactlyElementsOf(ANSWER.tokens());
      assertThat(registry.counter("edgechat.cache.lookups", "result", "l1").count()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  /** Verifies that an entry lives about its freshness's lifetime: a dynamic answer is gone after 2 h. */
  @Test
  void lookup_afterTtl_miss(Vertx vertx, VertxTestContext ctx) throws Exception {
    ManualTime time = new ManualTime();
    AnswerKey key = key();
    config(vertx, Map.of("EDGECHAT_CACHE_L2", "false")).compose(live -> {
      TieredAnswerCache cache = new TieredAnswerCache(live, null, new SimpleMeterRegistry(), time);
      cache.store(key, ANSWER);
      return cache.lookup(key).compose(fresh -> time.advance(Duration.ofMinutes(50))
          .compose(v -> cache.lookup(key)).compose(stillFresh -> time.advance(Duration.ofMinutes(70))
              .compose(v -> cache.lookup(key)).map(expired -> List.of(fresh, stillFresh, expired))));
    }).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found.get(0)).isPresent();
      assertThat(found.get(1)).as("50 min < 1 h - 10 %").isPresent();
      assertThat(found.get(2)).as("2 h > 1 h + 10 %").isEmpty();
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that an L2 entry ages by the cache's clock: a dynamic answer is an L2 hit at 50 min, a
   * miss at 2 h, and still served stale then (within cache.staleMs).
   */
  @Test
  void lookup_l2AfterTtl_missButStale(Vertx vertx, VertxTestContext ctx) throws Exception {
    ManualTime time = new ManualTime();
    AnswerKey key = key();
    config(vertx, Map.of("EDGECHAT_CACHE_L1", "false")).compose(live -> {
      TieredAnswerCache cache = new TieredAnswerCache(live, redis(vertx, TestDatabases.redis()),
          new SimpleMeterRegistry(), time);
      cache.store(key, ANSWER);
      // the Redis write is asynchronous: it has landed once the entry is found
      return Await.until(vertx, () -> cache.lookup(key).map(f -> f.isPresent()), 5_000)
          .compose(v -> time.advance(Duration.ofMinutes(50)))
          .compose(v -> cache.lookup(key))
          .compose(stillFresh -> time.advance(Duration.ofMinutes(70))
              .compose(v -> cache.lookup(key))
              .compose(expired -> cache.stale(key).map(stale -> List.of(stillFresh, expired, stale))));
    }).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found.get(0)).as("50 min < 1 h - 10 %").isPresent();
      assertThat(found.get(1)).as("2 h > 1 h + 10 %").isEmpty();
      assertThat(found.get(2)).as("2 h < 1 h + 10 % + 24 h stale").contains(ANSWER);
      ctx.completeNow();
    })));
  }

  /** Verifies that a Redis nobody answers on is a miss, not a failure, and a store does not throw. */
  @Test
  void lookup_redisUnreachable_missNotFailure(Vertx vertx, VertxTestContext ctx) throws Exception {
    AnswerKey key = key();
    config(vertx, Map.of("EDGECHAT_CACHE_L1", "false")).compose(live -> {
      TieredAnswerCache cache = new TieredAnswerCache(live, redis(vertx, URI.create("redis://127.0.0.1:1")),
          new SimpleMeterRegistry(), Scheduler.of(vertx));
      cache.store(key, ANSWER);
      return cache.lookup(key);
    }).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found).isEmpty();
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that after a purge by document an answer citing it is served from no level: not from
   * memory (dropped by forgetRetired, and never served while there), not from Redis (deleted there
   * when met), not as stale, while an answer citing another document stays on both levels.
   */
  @Test
  void purgeByDocument_retiresCitingAnswerOnEveryLevel_othersStay(Vertx vertx, VertxTestContext ctx)
      throws Exception {
    DocumentPurges purges = new DocumentPurges(() -> TimeUnit.HOURS.toMillis(50), System::currentTimeMillis);
    String site = "purged-" + Ids.next();
    AnswerKey shipping = AnswerKey.of(site, 1, "Do you ship to Iceland?");
    AnswerKey returns = AnswerKey.of(site, 1, "Can I return it?");
    CachedAnswer citesShipping = new CachedAnswer(List.of("Yes."), new JsonArray(), "dynamic", List.of("shipping"), 3);
    CachedAnswer citesReturns = new CachedAnswer(List.of("Yes."), new JsonArray(), "dynamic", List.of("returns"), 3);
    RedisAPI redis = redis(vertx, TestDatabases.redis());
    config(vertx, Map.of()).compose(live -> {
      TieredAnswerCache here = new TieredAnswerCache(live, redis, new SimpleMeterRegistry(), Scheduler.of(vertx), purges);
      TieredAnswerCache elsewhere = new TieredAnswerCache(live, redis, new SimpleMeterRegistry(), Scheduler.of(vertx),
          purges);
      here.store(shipping, citesShipping);
      here.store(returns, citesReturns);
      return Await.until(vertx, () -> elsewhere.find(returns).compose(r -> elsewhere.find(shipping)
              .map(s -> r.isPresent() && s.isPresent())), 5_000)
          .compose(v -> {
            purges.purged(site, List.of("shipping"), 4, System.currentTimeMillis());
            List<AnswerKey> dropped = here.forgetRetired(site);
            return Future.all(List.of(Future.succeededFuture(dropped), Future.succeededFuture(here.lookupHere(shipping)),
                here.stale(shipping), elsewhere.lookup(shipping), elsewhere.lookup(returns), here.lookup(returns)));
          })
          .compose(found -> redis.exists(List.of(shipping.redisKey())).map(exists -> List.<Object>of(found.<Object>resultAt(0),
              found.<Object>resultAt(1), found.<Object>resultAt(2), found.<Object>resultAt(3), found.<Object>resultAt(4),
              found.<Object>resultAt(5),
              exists.toInteger())));
    }).onComplete(ctx.succeeding(found -> ctx.verify(() -> {
      assertThat(found.get(0)).as("dropped from memory").isEqualTo(List.of(shipping));
      assertThat(found.get(1)).as("not served from memory").isEqualTo(java.util.Optional.empty());
      assertThat(found.get(2)).as("not served stale").isEqualTo(java.util.Optional.empty());
      assertThat(found.get(3)).as("not served from Redis").isEqualTo(java.util.Optional.empty());
      assertThat(found.get(4)).as("another document's answer, from Redis").isEqualTo(java.util.Optional.of(citesReturns));
      assertThat(found.get(5)).as("another document's answer, from memory").isEqualTo(java.util.Optional.of(citesReturns));
      assertThat(found.get(6)).as("deleted from Redis when met").isEqualTo(0);
      ctx.completeNow();
    })));
  }

  /** Verifies the lifetimes: 24 h for static answers, 1 h for dynamic ones, each within ±10 %. */
  @Test
  void ttl_byFreshness_withJitter() {
    EdgechatConfig.Cache settings = EdgechatConfig.Cache.builder().l1(true).l2(true).coalescing(true)
        .l1MaxBytes(1 << 20).staticTtlMs(86_400_000).dynamicTtlMs(3_600_000).redisTimeoutMs(50).staleMs(86_400_000)
        .followUps(1000).semantic(true).semanticThreshold(0.68).semanticCandidates(4).semanticMaxEntries(1000)
        .semanticMaxWrongShare(0.05).semanticFollowUps(true)
        .embedderThreads(1).build();
    assertThat(AnswerTtl.millis("static", settings, () -> 0.0)).isEqualTo(77_760_000);
    assertThat(AnswerTtl.millis("static", settings, () -> 0.5)).isEqualTo(86_400_000);
    assertThat(AnswerTtl.millis("dynamic", settings, () -> 0.999_999)).isBetween(3_959_000L, 3_960_000L);
    assertThat(AnswerTtl.millis("dynamic", settings, () -> 0.0)).isEqualTo(3_240_000);
  }

  /** Verifies that case, spacing and trailing punctuation do not split the cache, and sites never share keys. */
  @Test
  void key_normalizedQuestion_sameKey() {
    assertThat(AnswerKey.of("demo", 3, "  How do I  RESET my password?! "))
        .isEqualTo(AnswerKey.of("demo", 3, "how do i reset my password"));
    assertThat(AnswerKey.of("demo", 3, "hours").redisKey()).isNotEqualTo(AnswerKey.of("other", 3, "hours").redisKey());
    assertThat(AnswerKey.of("demo", 3, "hours").redisKey()).isNotEqualTo(AnswerKey.of("demo", 4, "hours").redisKey());
  }
}
