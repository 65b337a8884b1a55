package dev.edgechat.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer cache in two levels. L1 is this process's Caffeine cache, bounded by bytes; L2 is the
 * region's Redis, shared by its edges. A lookup tries L1, then L2 (an L2 hit is copied into L1);
 * a store writes both. Each entry is fresh as long as its freshness allows ({@link AnswerTtl}), and
 * is kept {@code cache.staleMs} longer, for {@link #stale} to serve while origin is down.
 *
 * <p>An answer a purge by document retired ({@link DocumentPurges}) is never served from any level:
 * it is dropped where a lookup meets it (from Redis too), and {@link #forgetRetired} drops those in
 * memory at once.
 *
 * <p>Redis is an optimization, never a dependency: a lookup that takes longer than
 * {@code cache.redisTimeoutMs} or fails is a miss, a failed store is dropped, and both levels can be
 * switched off in edge-config at run time. The Redis client reconnects by itself, so the cache
 * recovers when Redis does.
 *
 * <p>Ages come from the injected {@link Scheduler}: L1 by its monotonic clock (Caffeine's
 * {@link Ticker}), L2 by its wall clock, since an L2 entry's expiry is read by other edges too.
 */
public final class TieredAnswerCache implements AnswerCache {

  private static final Logger LOG = LoggerFactory.getLogger(TieredAnswerCache.class);

  /**
   * An answer in L1: fresh until {@code freshUntilNanos} (Caffeine's clock), kept {@code keepNanos}
   * in all, so that it can still be served stale while origin is down.
   */
  private record Entry(CachedAnswer answer, long freshUntilNanos, long keepNanos) {
  }

  private final LiveConfig config;
  private final RedisAPI redis;
  private final Ticker ticker;
  private final Clock clock;
  private final DocumentPurges purges;
  private final Cache<AnswerKey, Entry> local;
  private final Counter l1Hits;
  private final Counter l2Hits;
  private final Counter misses;
  private final Counter l2Errors;
  private final Timer lookupTime;

  /**
   * @param redis the region's cache Redis, or null when there is none (L2 off)
   * @param time the clocks entries age by, so tests can move time
   */
  public TieredAnswerCache(LiveConfig config, RedisAPI redis, MeterRegistry registry, Scheduler time) {
    this(config, redis, registry, time, new DocumentPurges(() -> 0, time.clock()::millis));
  }

  /**
   * @param redis the region's cache Redis, or null when there is none (L2 off)
   * @param time the clocks entries age by, so tests can move time
   * @param purges the purges by document this edge knows of: the answers they retire are never served
   */
  public TieredAnswerCache(LiveConfig config, RedisAPI redis, MeterRegistry registry, Scheduler time,
      DocumentPurges purges) {
    this.config = Objects.requireNonNull(config);
    this.redis = redis;
    Objects.requireNonNull(time);
    this.ticker = time::nanoTime;
    this.clock = time.clock();
    this.purges = Objects.requireNonNull(purges);
    Counter evictions = Counter.builder("edgechat.cache.evictions")
        .description("answers dropped from the in-process cache to stay within cache.l1MaxBytes").register(registry);
    this.local = Caffeine.newBuilder()
        .maximumWeight(config.get().cache().l1MaxBytes())
        .weigher((AnswerKey key, Entry entry) -> entry.answer().weightBytes() + (key.question().length() + key.history().length()) * 2)
        .expireAfter(Expiry.writing((AnswerKey key, Entry entry) -> Duration.ofNanos(entry.keepNanos())))
        .removalListener((AnswerKey key, Entry entry, RemovalCause cause) -> {
          if (cause == RemovalCause.SIZE) {
            evictions.increment();
          }
        })
        .ticker(ticker)
        .executor(Runnable::run)
        .build();
    this.l1Hits = lookups(registry, "l1");
    this.l2Hits = lookups(registry, "l2");
    this.misses = lookups(registry, "miss");
    this.l2Errors = Counter.builder("edgechat.cache.redis.errors")
        .description("L2 lookups and stores that failed or timed out (served as misses)").register(registry);
    this.lookupTime = Timer.builder("edgechat.cache.lookup").description("time of an answer-cache lookup")
        .publishPercentileHistogram().register(registry);
  }

  private static Counter lookups(MeterRegistry registry, String result) {
    return Counter.builder("edgechat.cache.lookups").tag("result", result)
        .description("answer-cache lookups by where they were answered").register(registry);
  }

  @Override
  public Future<Optional<CachedAnswer>> lookup(AnswerKey key) {
    long started = System.nanoTime();
    return find(key, true).onSuccess(found -> {
      if (found.isEmpty()) {
        misses.increment();
      }
      lookupTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }).map(found -> found.map(Found::answer));
  }

  @Override
  public Optional<CachedAnswer> lookupHere(AnswerKey key) {
    if (!config.get().cache().l1()) {
      return Optional.empty();
    }
    long started = System.nanoTime();
    Entry entry = local.getIfPresent(key);
    if (entry == null || ticker.read() >= entry.freshUntilNanos() || retired(key, entry)) {
      return Optional.empty();
    }
    l1Hits.increment();
    lookupTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    return Optional.of(entry.answer());
  }

  @Override
  public Future<Optional<CachedAnswer>> find(AnswerKey key) {
    return find(key, false).map(found -> found.map(Found::answer));
  }

  @Override
  public Future<Optional<CachedAnswer>> stale(AnswerKey key) {
    long staleMs = config.get().cache().staleMs();
    if (staleMs == 0) {
      return Future.succeededFuture(Optional.empty());
    }
    Entry entry = local.getIfPresent(key);
    if (entry != null && retired(key, entry)) {
      return Future.succeededFuture(Optional.empty());
    }
    if (entry != null) {
      long pastNanos = ticker.read() - entry.freshUntilNanos();
      return Future.succeededFuture(pastNanos <= TimeUnit.MILLISECONDS.toNanos(staleMs)
          ? Optional.of(entry.answer()) : Optional.empty());
    }
    return fromRedis(key).map(value -> value
        .filter(v -> clock.millis() - v.getLong("expiresAt", 0L) <= staleMs)
        .map(v -> CachedAnswer.fromJson(v.getJsonObject("answer")))
        .filter(answer -> !retiredInRedis(key, answer)));
  }

  /** A fresh answer and where it was found. */
  private record Found(CachedAnswer answer, boolean inL1) {
  }

  private Future<Optional<Found>> find(AnswerKey key, boolean counted) {
    var settings = config.get().cache();
    Span lookup = Span.current();
    if (settings.l1()) {
      Entry entry = local.getIfPresent(key);
      if (entry != null && ticker.read() < entry.freshUntilNanos() && !retired(key, entry)) {
        if (counted) {
          l1Hits.increment();
        }
        lookup.setAttribute(Spans.CACHE_LEVEL, "l1");
        return Future.succeededFuture(Optional.of(new Found(entry.answer(), true)));
      }
    }
    if (!settings.l2() || redis == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return Spans.endWith(Spans.cacheL2(), fromRedis(key)).map(value -> {
      long remainingMs = value.map(v -> v.getLong("expiresAt", 0L)).orElse(0L) - clock.millis();
      if (remainingMs <= 0) {
        return Optional.<Found>empty();
      }
      CachedAnswer answer = CachedAnswer.fromJson(value.get().getJsonObject("answer"));
      if (retiredInRedis(key, answer)) {
        return Optional.<Found>empty();
      }
      if (counted) {
        l2Hits.increment();
      }
      lookup.setAttribute(Spans.CACHE_LEVEL, "l2");
      return Optional.of(new Found(copyToL1(key, answer, remainingMs), false));
    });
  }

  /** Whether a purge by document retired the answer of {@code entry}; if so it leaves memory now. */
  private boolean retired(AnswerKey key, Entry entry) {
    if (!purges.retires(key.site(), entry.answer())) {
      return false;
    }
    local.asMap().remove(key, entry);
    return true;
  }

  /** Whether a purge by document retired {@code answer}, found in Redis; if so it is deleted there (best effort). */
  private boolean retiredInRedis(AnswerKey key, CachedAnswer answer) {
    if (!purges.retires(key.site(), answer)) {
      return false;
    }
    redis.del(List.of(key.redisKey())).onFailure(e -> LOG.debug(
        "a retired answer was not deleted from Redis; it is never served [key: {}, reason: {}]", key.redisKey(),
        e.toString()));
    return true;
  }

  /** The value of {@code key} in Redis; empty if absent, or if Redis failed or was slow (counted as an error). */
  private Future<Optional<JsonObject>> fromRedis(AnswerKey key) {
    if (redis == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return redis.get(key.redisKey())
        .map(value -> value == null ? Optional.<JsonObject>empty() : Optional.of(new JsonObject(value.toString())))
        .timeout(config.get().cache().redisTimeoutMs(), TimeUnit.MILLISECONDS)
        .otherwise(e -> {
          l2Errors.increment();
          LOG.debug("cache Redis lookup failed, served as a miss [key: {}, reason: {}]", key.redisKey(), e.toString());
          return Optional.empty();
        });
  }

  /** An L2 hit, copied into L1 for the rest of its life in Redis (the value carries its expiry: one round trip). */
  private CachedAnswer copyToL1(AnswerKey key, CachedAnswer answer, long remainingMs) {
    if (config.get().cache().l1()) {
      local.put(key, entry(answer, remainingMs, config.get().cache().staleMs()));
    }
    return answer;
  }

  private Entry entry(CachedAnswer answer, long freshMs, long staleMs) {
    long freshNanos = TimeUnit.MILLISECONDS.toNanos(freshMs);
    return new Entry(answer, ticker.read() + freshNanos, freshNanos + TimeUnit.MILLISECONDS.toNanos(staleMs));
  }

  @Override
  public void forgetSite(String site) {
    local.asMap().keySet().removeIf(key -> key.site().equals(site));
  }

  @Override
  public List<AnswerKey> forgetRetired(String site) {
    if (!purges.hasPurges(site)) {
      return List.of();
    }
    List<AnswerKey> retired = new ArrayList<>();
    local.asMap().entrySet().removeIf(e -> {
      boolean gone = e.getKey().site().equals(site) && purges.retires(site, e.getValue().answer());
      if (gone) {
        retired.add(e.getKey());
      }
      return gone;
    });
    return retired;
  }

  @Override
  public long store(AnswerKey key, CachedAnswer answer) {
    var settings = config.get().cache();
    long ttlMs = AnswerTtl.millis(answer.freshness(), settings, ThreadLocalRandom.current()::nextDouble);
    if (settings.l1()) {
      local.put(key, entry(answer, ttlMs, settings.staleMs()));
    }
    if (settings.l2() && redis != null) {
      JsonObject value = new JsonObject().put("expiresAt", clock.millis() + ttlMs).put("answer", answer.toJson());
      redis.set(List.of(key.redisKey(), value.encode(), "PX", Long.toString(ttlMs + settings.staleMs())))
          .timeout(Math.max(settings.redisTimeoutMs(), 500), TimeUnit.MILLISECONDS)
          .onFailure(e -> {
            l2Errors.increment();
            LOG.debug("cache Redis store failed, answer kept in L1 only [key: {}, reason: {}]", key.redisKey(),
                e.toString());
          });
    }
    return ttlMs;
  }
}
