package dev.edgechat.edge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.web.ApiError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What this edge knows about sites (allowed origins, …), learned from origin and kept for
 * {@code edge.siteCacheMs} (unknown sites for at most 5 s), so validating a chat request costs no
 * round trip. Concurrent lookups of one site share one origin call. While origin cannot be
 * reached, a site this edge knew (within {@code cache.staleMs}) is still served as last known, so
 * that its stale answers can be.
 */
public final class SiteDirectory {

  private static final long UNKNOWN_SITE_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int MAX_SITES = 100_000;

  private final OriginClient origin;
  private final AsyncCache<String, Optional<Site>> cache;
  private final Cache<String, Site> lastKnown;

  public SiteDirectory(OriginClient origin, LiveConfig config) {
    this.origin = Objects.requireNonNull(origin);
    Objects.requireNonNull(config);
    this.cache = Caffeine.newBuilder()
        .maximumSize(MAX_SITES)
        .expireAfter(new Expiry<String, Optional<Site>>() {
          @Override
          public long expireAfterCreate(String key, Optional<Site> site, long now) {
            long ttl = TimeUnit.MILLISECONDS.toNanos(config.get().edge().siteCacheMs());
            return site.isPresent() ? ttl : Math.min(ttl, UNKNOWN_SITE_NANOS);
          }

          @Override
          public long expireAfterUpdate(String key, Optional<Site> site, long now, long current) {
            return expireAfterCreate(key, site, now);
          }

          @Override
          public long expireAfterRead(String key, Optional<Site> site, long now, long current) {
            return current;
          }
        })
        .executor(Runnable::run)
        .buildAsync();
    this.lastKnown = Caffeine.newBuilder()
        .maximumSize(MAX_SITES)
        .expireAfter(new Expiry<String, Site>() {
          @Override
          public long expireAfterCreate(String key, Site site, long now) {
            return TimeUnit.MILLISECONDS.toNanos(config.get().cache().staleMs());
          }

          @Override
          public long expireAfterUpdate(String key, Site site, long now, long current) {
            return expireAfterCreate(key, site, now);
          }

          @Override
          public long expireAfterRead(String key, Site site, long now, long current) {
            return current;
          }
        })
        .executor(Runnable::run)
        .build();
  }

  /**
   * The site, completing on {@code context}. Fails with {@code not_found} for an unknown site and
   * with origin's error when origin cannot say (a failed lookup is not cached).
   */
  public Future<Site> site(String id, Context context) {
    CompletableFuture<Optional<Site>> lookup = cache.get(id, (key, executor) -> origin.site(key)
        .map(site -> {
          lastKnown.put(key, site);
          return Optional.of(site);
        })
        .recover(e -> {
          if (e instanceof ApiError api && "not_found".equals(api.code())) {
            return Future.succeededFuture(Optional.empty());
          }
          Site known = lastKnown.getIfPresent(key);
          return known != null ? Future.succeededFuture(Optional.of(known)) : Future.failedFuture(e);
        })
        .toCompletionStage()
        .toCompletableFuture());
    return Future.fromCompletionStage(lookup, context)
        .map(found -> found.orElseThrow(() -> ApiError.notFound("no site '" + id + "'")));
  }

  /** Forgets a site, so the next request asks origin again. */
  public void forget(String id) {
    cache.synchronous().invalidate(id);
    lastKnown.invalidate(id);
  }
}
