package dev.edgechat.edge;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.edgechat.cache.DocumentPurges;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.web.ApiError;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * What this edge knows about sites (allowed origins, version, …), learned from origin and kept for
 * {@code edge.siteCacheMs} (unknown sites for at most 5 s), so validating a chat request costs no
 * round trip. Concurrent lookups of one site share one origin call. Origin's change feed tells
 * {@link #changed} of every new version at once; the entry's life bounds what an edge cut off from
 * the feed can miss. What origin says of a site includes its purges by document, which go to
 * {@link DocumentPurges}, and its cached questions reported as wrong semantic hits, which go to the
 * semantic level: an edge cut off from the feed learns those within the same bound.
 *
 * <p>A version the feed announced is a floor: a lookup that answers an older one (it was under way
 * when the change came, or read a replica that had not replayed it yet) is asked again, with the
 * floor, and origin then reads the primary. While origin cannot be reached, a site this edge knew
 * (within {@code cache.staleMs}) is still served as last known, not current ({@link Known#current()}),
 * for 5 s at a time before origin is asked again, so that its answers can be served, marked stale,
 * while nothing older than {@code edge.siteCacheMs} passes for current.
 */
public final class SiteDirectory {

  private static final Duration UNKNOWN_SITE = Duration.ofSeconds(5);
  /** How long a floor is kept: longer than any lookup takes. */
  private static final Duration FLOOR_LIFE = Duration.ofMinutes(1);
  private static final int MAX_SITES = 100_000;

  /**
   * A site as this edge knows it.
   *
   * @param current whether origin confirmed it within {@code edge.siteCacheMs}; false for the last
   *     known settings, served while origin cannot be reached
   */
  public record Known(Site site, boolean current) {
  }

  private final OriginClient origin;
  private final DocumentPurges purges;
  private final BiConsumer<String, List<String>> wrongHits;
  private final AsyncCache<String, Optional<Known>> cache;
  private final Cache<String, Site> lastKnown;
  private final Cache<String, Long> floors;

  /** A directory whose sites' reported wrong hits go nowhere. */
  public SiteDirectory(OriginClient origin, DocumentPurges purges, LiveConfig config) {
    this(origin, purges, (site, questions) -> { }, config);
  }

  /**
   * @param purges where the purges by document that origin sends with a site go
   * @param wrongHits where the site's cached questions reported as wrong hits go (the semantic level)
   */
  public SiteDirectory(OriginClient origin, DocumentPurges purges, BiConsumer<String, List<String>> wrongHits,
      LiveConfig config) {
    this.origin = Objects.requireNonNull(origin);
    this.purges = Objects.requireNonNull(purges);
    this.wrongHits = Objects.requireNonNull(wrongHits);
    Objects.requireNonNull(config);
    this.cache = Caffeine.newBuilder()
        .maximumSize(MAX_SITES)
        .expireAfter(Expiry.writing((String key, Optional<Known> site) -> {
          Duration ttl = Duration.ofMillis(config.get().edge().siteCacheMs());
          return site.map(Known::current).orElse(false) || ttl.compareTo(UNKNOWN_SITE) < 0 ? ttl : UNKNOWN_SITE;
        }))
        .executor(Runnable::run)
        .buildAsync();
    this.lastKnown = Caffeine.newBuilder()
        .maximumSize(MAX_SITES)
        .expireAfter(Expiry.writing((String key, Site site) -> Duration.ofMillis(config.get().cache().staleMs())))
        .executor(Runnable::run)
        .build();
    this.floors = Caffeine.newBuilder().maximumSize(MAX_SITES).expireAfterWrite(FLOOR_LIFE)
        .executor(Runnable::run).build();
  }

  /**
   * The site, completing on {@code context}. Fails with {@code not_found} for an unknown site and
   * with origin's error when origin cannot say (a failed lookup is not cached).
   */
  public Future<Site> site(String id, Context context) {
    return lookup(id, context).map(Known::site);
  }

  /**
   * The site and whether it is current, completing on {@code context}: from this edge's memory,
   * else from origin, else, while origin cannot be reached, as last known. Fails with
   * {@code not_found} for an unknown site and with origin's error when origin cannot say and the
   * site is not known here.
   */
  public Future<Known> lookup(String id, Context context) {
    CompletableFuture<Optional<Known>> lookup = cache.get(id, (key, executor) -> fromOrigin(key, true)
        .map(found -> found.map(site -> new Known(site, true)))
        .recover(e -> {
          Site known = lastKnown.getIfPresent(key);
          return known != null ? Future.succeededFuture(Optional.of(new Known(known, false))) : Future.failedFuture(e);
        })
        .toCompletionStage()
        .toCompletableFuture());
    return Future.fromCompletionStage(lookup, context)
        .map(found -> found.orElseThrow(() -> ApiError.notFound("no site '" + id + "'")));
  }

  /**
   * Asks origin for the site, at least at its floor; asks once more when a new floor came while it
   * asked (a lookup that started before the change may have read the old version).
   */
  private Future<Optional<Site>> fromOrigin(String id, boolean askAgain) {
    long floor = floor(id);
    return origin.site(id, floor)
        .compose(state -> {
          state.purges().forEach(p -> purges.purged(id, p.documents(), p.seq(), p.at().toEpochMilli()));
          if (!state.wrongHits().isEmpty()) {
            wrongHits.accept(id, state.wrongHits());
          }
          return askAgain && state.site().kbVersion() < floor(id)
              ? fromOrigin(id, false)
              : Future.succeededFuture(Optional.of(state.site()));
        })
        .recover(e -> e instanceof ApiError api && "not_found".equals(api.code())
            ? Future.succeededFuture(Optional.empty())
            : Future.failedFuture(e))
        .onSuccess(found -> found.ifPresent(site -> lastKnown.put(id, site)));
  }

  private long floor(String id) {
    Long floor = floors.getIfPresent(id);
    return floor == null ? 0 : floor;
  }

  /**
   * Origin's feed says {@code id} is now at {@code version}: what this edge knew of an older version
   * is forgotten, and later lookups want at least this one. Returns whether something was forgotten
   * (false when this edge already knew this version or a newer one).
   */
  public boolean changed(String id, long version) {
    floors.asMap().merge(id, version, Math::max);
    CompletableFuture<Optional<Known>> entry = cache.getIfPresent(id);
    Site known = lastKnown.getIfPresent(id);
    boolean current = entry != null && entry.isDone() && !entry.isCompletedExceptionally()
        && entry.join().map(k -> k.current() && k.site().kbVersion() >= version).orElse(false);
    if (current || entry == null && (known == null || known.kbVersion() >= version)) {
      return false;
    }
    forget(id);
    return true;
  }

  /** Forgets a site, so the next request asks origin again. */
  public void forget(String id) {
    cache.synchronous().invalidate(id);
    lastKnown.invalidate(id);
  }
}
