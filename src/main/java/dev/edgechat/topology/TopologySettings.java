package dev.edgechat.topology;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What {@link Topology} starts: the primary region (Postgres, the queue Redis, origin, worker and,
 * when asked, the sim upstream), the edge regions and their distances, the round trip between a
 * role and its region's Redis, and where the files go. Immutable; checked when made.
 *
 * @param baseDir where logs, data and {@code topology.json} go; empty: a temporary folder, deleted on stop
 *     (a folder given is kept)
 * @param primaryRegion the region of Postgres, origin and worker
 * @param edgeRegions one edge each, at least one, names distinct and other than the primary's
 * @param primaryEdgeRttMs when present, an edge in the primary region too, this round trip from origin (0 to
 *     10,000 ms; same region: about 1), using the primary region's Redis: today's single-region deployment, for
 *     comparing visitors far from it with visitors near an edge of their own ({@code bench edge-latency})
 * @param redisRttMs the round trip between a role and its own region's Redis (and the queue Redis)
 * @param sim whether a {@code sim} role runs in the primary region as origin's LLM upstream; without it
 *     origin answers with its offline extractive model
 * @param seedDemoSite whether the {@code demo} site is loaded through origin's admin API once worker runs
 * @param jvmOptions options for every role's JVM, e.g. {@code -Xmx512m}
 * @param readyTimeout how long a process may take to answer {@code /readyz} with 200
 */
public record TopologySettings(Optional<Path> baseDir, String primaryRegion, List<EdgeRegion> edgeRegions,
    OptionalLong primaryEdgeRttMs, long redisRttMs, boolean sim, boolean seedDemoSite, List<String> jvmOptions,
    Duration readyTimeout) {

  /** Regions {@code fra} (90 ms from origin) and {@code sin} (180 ms), primary {@code ord}. */
  public static final List<EdgeRegion> DEFAULT_EDGE_REGIONS = List.of(new EdgeRegion("fra", 90),
      new EdgeRegion("sin", 180));

  public TopologySettings {
    Objects.requireNonNull(baseDir, "baseDir");
    edgeRegions = List.copyOf(edgeRegions);
    jvmOptions = List.copyOf(jvmOptions);
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    EdgeRegion.checkName(primaryRegion);
    if (primaryRegion.equals(Topology.QUEUE)) {
      throw new IllegalArgumentException("'" + Topology.QUEUE + "' names the queue Redis, not a region");
    }
    if (edgeRegions.isEmpty()) {
      throw new IllegalArgumentException("a topology needs at least one edge region");
    }
    Set<String> names = new HashSet<>(List.of(primaryRegion, Topology.QUEUE));
    for (EdgeRegion region : edgeRegions) {
      if (!names.add(region.name())) {
        throw new IllegalArgumentException("region " + region.name() + " appears twice (the primary region, "
            + primaryRegion + ", is not an edge region: its own edge is asked for by primaryEdgeRttMs,"
            + " --primary-edge-rtt-ms; '" + Topology.QUEUE + "' names the queue Redis)");
      }
    }
    Objects.requireNonNull(primaryEdgeRttMs, "primaryEdgeRttMs");
    if (primaryEdgeRttMs.isPresent()) {
      // the same bounds, and the same message, as any other region's distance
      new EdgeRegion(primaryRegion, primaryEdgeRttMs.getAsLong());
    }
    if (redisRttMs < 0 || redisRttMs > 1000) {
      throw new IllegalArgumentException("redisRttMs must be 0 to 1000, was " + redisRttMs);
    }
  }

  /** Primary {@code ord}, edges in {@code fra} and {@code sin}, Redis 1 ms away, with the sim upstream and the demo site. */
  public static TopologySettings defaults() {
    return new TopologySettings(Optional.empty(), "ord", DEFAULT_EDGE_REGIONS, OptionalLong.empty(), 1, true, true,
        List.of(), Duration.ofMinutes(3));
  }

  /**
   * Every edge the topology runs, as region and round trip to origin: the primary region's own edge first
   * (when {@link #primaryEdgeRttMs} is set), then {@link #edgeRegions}.
   */
  public List<EdgeRegion> edges() {
    Stream<EdgeRegion> primaryEdge = primaryEdgeRttMs.isPresent()
        ? Stream.of(new EdgeRegion(primaryRegion, primaryEdgeRttMs.getAsLong())) : Stream.empty();
    return Stream.concat(primaryEdge, edgeRegions.stream()).toList();
  }

  public TopologySettings withBaseDir(Path dir) {
    return new TopologySettings(Optional.of(dir), primaryRegion, edgeRegions, primaryEdgeRttMs, redisRttMs, sim,
        seedDemoSite, jvmOptions, readyTimeout);
  }

  public TopologySettings withPrimaryRegion(String region) {
    return new TopologySettings(baseDir, region, edgeRegions, primaryEdgeRttMs, redisRttMs, sim, seedDemoSite,
        jvmOptions, readyTimeout);
  }

  public TopologySettings withEdgeRegions(List<EdgeRegion> regions) {
    return new TopologySettings(baseDir, primaryRegion, regions, primaryEdgeRttMs, redisRttMs, sim, seedDemoSite,
        jvmOptions, readyTimeout);
  }

  /** With an edge in the primary region too, {@code originRttMs} from origin (see {@link #primaryEdgeRttMs}). */
  public TopologySettings withPrimaryEdge(long originRttMs) {
    return new TopologySettings(baseDir, primaryRegion, edgeRegions, OptionalLong.of(originRttMs), redisRttMs, sim,
        seedDemoSite, jvmOptions, readyTimeout);
  }

  public TopologySettings withRedisRttMs(long rttMs) {
    return new TopologySettings(baseDir, primaryRegion, edgeRegions, primaryEdgeRttMs, rttMs, sim, seedDemoSite,
        jvmOptions, readyTimeout);
  }

  public TopologySettings withSim(boolean on) {
    return new TopologySettings(baseDir, primaryRegion, edgeRegions, primaryEdgeRttMs, redisRttMs, on, seedDemoSite,
        jvmOptions, readyTimeout);
  }

  public TopologySettings withJvmOptions(List<String> options) {
    return new TopologySettings(baseDir, primaryRegion, edgeRegions, primaryEdgeRttMs, redisRttMs, sim, seedDemoSite,
        options, readyTimeout);
  }
}
