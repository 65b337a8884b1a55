package dev.edgechat.cache.semantic;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cached questions reported as wrong semantic hits ({@code POST /admin/sites/{site}/cache/wrong-hits}),
 * per site, as this edge learned them from origin's change feed and with each site: such a
 * question no longer lends its answer to another question by meaning, at any version of the site,
 * while its own exact repeats still hit (those never ask the semantic level).
 *
 * <p>Questions are held normalized, as {@link dev.edgechat.cache.AnswerKey#question()} has them.
 * A site holds at most {@link #MAX_PER_SITE} (origin sends the most recently reported first; past
 * the bound, further ones are not kept here, and simply stay in the index). Safe to use from any thread.
 */
public final class WrongHits {

  /** Most questions blocked per site: as many as origin sends with a site. */
  public static final int MAX_PER_SITE = 10_000;

  private final Map<String, Set<String>> sites = new ConcurrentHashMap<>();

  /** Blocks {@code questions} (normalized) of {@code site}; returns those that were not blocked yet. */
  public Set<String> block(String site, Collection<String> questions) {
    Set<String> added = ConcurrentHashMap.newKeySet();
    sites.compute(site, (s, blocked) -> {
      Set<String> into = blocked != null ? blocked : ConcurrentHashMap.newKeySet();
      for (String question : questions) {
        if (into.size() < MAX_PER_SITE && into.add(question)) {
          added.add(question);
        }
      }
      return into.isEmpty() ? null : into;
    });
    return added;
  }

  /** Whether {@code question} (normalized) of {@code site} was reported as a wrong hit. */
  public boolean blocks(String site, String question) {
    Set<String> blocked = sites.get(site);
    return blocked != null && blocked.contains(question);
  }

  /** Questions blocked, all sites: for the metrics. */
  public int size() {
    return sites.values().stream().mapToInt(Set::size).sum();
  }
}
