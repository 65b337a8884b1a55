package dev.edgechat.ops;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code site} label of a metric, bounded: the first {@link #MAX_SITES} distinct sites a
 * process sees get their own label, every later one is counted as {@value #OTHER}. Only sites the
 * process has found (known to origin) reach here, so a visitor cannot make up labels; the cap
 * bounds a deployment with many sites, where per-site figures come from the admin usage API
 * instead (docs/observability.md).
 */
public final class SiteTags {

  /** Most distinct site labels one process exposes. */
  public static final int MAX_SITES = 200;

  /** The label of every site past the cap. */
  public static final String OTHER = "other";

  private final Set<String> labelled = ConcurrentHashMap.newKeySet();

  /** The label of {@code site}: itself while there is room (or it has one already), else {@value #OTHER}. */
  public String of(String site) {
    Objects.requireNonNull(site);
    if (labelled.contains(site)) {
      return site;
    }
    synchronized (this) {
      if (labelled.size() < MAX_SITES) {
        labelled.add(site);
        return site;
      }
    }
    return labelled.contains(site) ? site : OTHER;
  }
}
