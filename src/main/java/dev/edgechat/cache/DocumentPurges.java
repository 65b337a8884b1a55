package dev.edgechat.cache;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The purges by document this edge knows of ({@code POST /admin/sites/{site}/cache/purge} with
 * {@code documents}), which retire every cached answer that cites one of those documents and was
 * made before the purge, in this process and in the region's Redis, while the site's other
 * answers stay.
 *
 * <p>Design note: "made before the purge" is decided by the change feed's numbers, not by clocks.
 * Origin stamps each answer with the last site change it had seen when it retrieved the passages
 * ({@link CachedAnswer#changeSeq()}); a purge numbered above that stamp retires the answer. The
 * check runs where an answer is about to be served (every level: memory, Redis, meaning, stale),
 * so an answer stored by another edge of the region, or by a flight that was under way when the
 * purge came, or kept in a Redis that was down when it came, is retired all the same; this edge
 * also drops the ones it holds in memory at once. A purge is remembered for as long as an answer
 * made before it can live ({@code maxAnswerLifeMs}: the longest fresh life plus the stale time),
 * and an edge that starts, or resumes too late for the log, gets the purges still kept in origin's
 * snapshot, and one cut off from the feed with the site from origin. Lookups cost one map read per
 * answer when the site has no purge, which is nearly always. Safe to use from any thread.
 */
public final class DocumentPurges {

  /** A purge of one document: its change number, and when it was made (epoch ms). */
  private record Purge(long seq, long atMillis) {
  }

  /** Per site, per document, the latest purge. */
  private final Map<String, Map<String, Purge>> sites = new ConcurrentHashMap<>();
  private final LongSupplier maxAnswerLifeMs;
  private final LongSupplier clock;

  /**
   * @param maxAnswerLifeMs how long an answer can be served after it was made, at most (read at each prune)
   * @param clock epoch milliseconds
   */
  public DocumentPurges(LongSupplier maxAnswerLifeMs, LongSupplier clock) {
    this.maxAnswerLifeMs = Objects.requireNonNull(maxAnswerLifeMs);
    this.clock = Objects.requireNonNull(clock);
  }

  /** Records that the answers of {@code site} citing {@code documents}, made before change {@code seq}, retire. */
  public void purged(String site, Collection<String> documents, long seq, long atMillis) {
    // per site atomically, so that a prune emptying the site's map cannot drop what is added here
    sites.compute(site, (s, purged) -> {
      Map<String, Purge> into = purged != null ? purged : new ConcurrentHashMap<>();
      for (String document : documents) {
        into.merge(document, new Purge(seq, atMillis), (old, now) -> now.seq() > old.seq() ? now : old);
      }
      return into;
    });
  }

  /** Whether a purge retires {@code answer}, cached for {@code site}. */
  public boolean retires(String site, CachedAnswer answer) {
    Map<String, Purge> purged = sites.get(site);
    if (purged == null || answer.documents().isEmpty()) {
      return false;
    }
    for (String document : answer.documents()) {
      Purge purge = purged.get(document);
      if (purge != null && purge.seq() > answer.changeSeq()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code site} has purges by document: only then can {@link #retires} be true. */
  public boolean hasPurges(String site) {
    return sites.containsKey(site);
  }

  /** Forgets the purges older than any answer made before them can be. */
  public void prune() {
    long before = clock.getAsLong() - maxAnswerLifeMs.getAsLong();
    for (String site : sites.keySet()) {
      sites.computeIfPresent(site, (s, purged) -> {
        purged.values().removeIf(p -> p.atMillis() < before);
        return purged.isEmpty() ? null : purged;
      });
    }
  }

  /** Documents with a purge remembered, all sites: for the metrics. */
  public int size() {
    return sites.values().stream().mapToInt(Map::size).sum();
  }
}
