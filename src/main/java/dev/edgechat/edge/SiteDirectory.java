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
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What this edge knows about sites (allowed origins, …), learned from origin and kept for
 * {@code edge.siteCacheMs} (unknown sites for at most 5 s), so validating a chat request costs no
 * round trip. Concurrent lookups of one site share one origin call. While origin cannot be
 * reached, a site this edge knew (within {@code cache.staleMs}) is still served as last known, so
 * that its stale answers can be.
 */
public final class SiteDirectory {

  private static final Duration UNKNOWN_SITE = Duration.ofSeconds(5);
  private static final int MAX_SITES = 100_000;

  private final OriginClient origin;
  private final AsyncCache<String, Optional<Site>> cache;
  private final Cache<String, Site> lastKnown;

  public SiteDirectory(OriginClient origin, LiveConfig config) {
    this.origin = Objects.requireNonNull(origin);
    Objects.requireNonNull(config);
    this.cache = Caffeine.newBuilder()
        .maximumSize(MAX_SITES)
        .expireAfter(Expiry.writing((String key, Optional<Site> site) -> {
          Duration ttl = Duration.ofMillis(config.get().edge().siteCacheMs());
          return site.isPresent() || ttl.compareTo(UNKNOWN_SITE) < 0 ? ttl : UNKNOWN_SITE;
        }))
        .executor(Runnable::run)
        .buildAsync();
    this.lastKnown = Caffeine.newBuilder()
        .maximumSize(MAX_SITES)
        .expireAfter(Expiry.writing((String key, Site site) -> Duration.ofMillis(config.get().cache().staleMs())))
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
