package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.EdgeProbe;
import dev.edgechat.support.SiteAdmin;
import dev.edgechat.support.TopologyExtension;
import dev.edgechat.web.Ids;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Purges across regions on real processes: origin in {@code ord}, edges in {@code fra} (90 ms) and
 * {@code sin} (180 ms), each with its own Redis, configured only with origin's URL, the edge token
 * and that Redis; origin answers with the extractive model (which cites only what it quotes).
 * Site entries live 30 s on the edges ({@code edge.siteCacheMs}), so only the change feed can make
 * them miss in time.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PurgePropagationTest {

  /** Purges measured per region; the figures go to {@code target/purge-propagation.json} and docs/benchmarks.md. */
  private static final int PURGES = 20;
  /** The bound the design card sets: within a second plus the region's round trip to origin. */
  private static final long BOUND_MS = 1_000;

  /** A thread per region, so the regions are asked at once (the common pool may have a single thread). */
  private static final ExecutorService POLLERS = Executors.newCachedThreadPool(r -> {
    Thread thread = new Thread(r, "purge-poller");
    thread.setDaemon(true);
    return thread;
  });

  @RegisterExtension
  static final TopologyExtension TOPOLOGY = new TopologyExtension(TopologySettings.defaults().withSim(false));

  /**
   * Verifies that a purge at origin's admin API makes the edge of every region miss a question it
   * answered from its cache just before, within a second plus that region's round trip to origin.
   */
  @Test
  @Order(1)
  void purge_everyRegionsEdgeMissesWithinASecondPlusItsRoundTrip(Topology topology) {
    SiteAdmin admin = new SiteAdmin(topology.origin().url(), topology.adminToken());
    String site = "topo-purge-" + Ids.next().toLowerCase(Locale.ROOT);
    admin.putSite(site, "A site purged across regions");
    String question = "Do you ship to Iceland?";
    Map<String, EdgeProbe> edges = warm(topology, site, question);

    Map<String, Long> missAfterMs = purgeAndAwaitMisses(topology, admin, site, edges, question);

    for (EdgeRegion region : topology.edgeRegions()) {
      assertThat(missAfterMs.get(region.name())).as("ms from the purge to a miss in %s", region.name())
          .isLessThanOrEqualTo(BOUND_MS + region.originRttMs());
    }
  }

  /**
   * Verifies that a purge by document retires, in every region, the answer that cited the document
   * (within a second plus the region's round trip) and leaves the answer citing another document cached.
   */
  @Test
  @Order(2)
  void purgeByDocument_retiresOnlyTheAnswerCitingIt_inEveryRegion(Topology topology) {
    SiteAdmin admin = new SiteAdmin(topology.origin().url(), topology.adminToken());
    String site = "topo-docs-" + Ids.next().toLowerCase(Locale.ROOT);
    admin.putSite(site, "A site with two unrelated documents");
    admin.addDocuments(site, List.of(
        new JsonObject().put("id", "shipping").put("title", "Shipping to Iceland")
            .put("text", "We ship parcels to Iceland by air freight. Parcels to Iceland arrive within five days."),
        new JsonObject().put("id", "cafeteria").put("title", "Cafeteria menu")
            .put("text", "The cafeteria serves vegetarian lasagna every Tuesday. Lasagna costs four euros.")),
        Duration.ofMinutes(2));
    // the ingestion's new version reaches the edges through the feed too
    awaitEveryEdge(topology, admin.purge(site).getLong("change"));
    String shipping = "Do you ship parcels to Iceland?";
    String lasagna = "When does the cafeteria serve lasagna?";
    Map<String, EdgeProbe> edges = new LinkedHashMap<>();
    for (EdgeRegion region : topology.edgeRegions()) {
      EdgeProbe edge = new EdgeProbe(topology.edge(region.name()).url());
      edges.put(region.name(), edge);
      assertThat(edge.ask(site, shipping).documents()).as("sources in %s", region.name()).containsExactly("shipping");
      assertThat(edge.ask(site, lasagna).documents()).as("sources in %s", region.name()).containsExactly("cafeteria");
      assertThat(edge.ask(site, shipping).cache()).isEqualTo("hit");
      assertThat(edge.ask(site, lasagna).cache()).isEqualTo("hit");
    }

    long sent = System.nanoTime();
    admin.purgeDocuments(site, List.of("shipping"));
    Map<String, CompletableFuture<Long>> misses = new LinkedHashMap<>();
    edges.forEach((region, edge) -> misses.put(region, CompletableFuture.supplyAsync(
        () -> edge.untilMiss(site, shipping, sent, Duration.ZERO, Duration.ofSeconds(30)), POLLERS)));

    for (EdgeRegion region : topology.edgeRegions()) {
      assertThat(misses.get(region.name()).join()).as("ms from the purge to a miss in %s", region.name())
          .isLessThanOrEqualTo(BOUND_MS + region.originRttMs());
      assertThat(edges.get(region.name()).ask(site, lasagna).cache()).as("the other answer in %s", region.name())
          .isEqualTo("hit");
    }
  }

  /**
   * Measures purge propagation per region over {@value #PURGES} purges: from sending the purge to
   * origin's admin API to the first question the region's edge no longer answers from its cache.
   * Writes p50 and max per region to {@code target/purge-propagation.json}; each must be within a
   * second plus the region's round trip.
   */
  @Test
  @Order(3)
  void purge_propagationPerRegion_measured(Topology topology) throws IOException {
    SiteAdmin admin = new SiteAdmin(topology.origin().url(), topology.adminToken());
    String site = "topo-measure-" + Ids.next().toLowerCase(Locale.ROOT);
    admin.putSite(site, "A site purged again and again");
    String question = "What are your opening hours?";
    Map<String, EdgeProbe> edges = warm(topology, site, question);
    Map<String, List<Long>> samples = new LinkedHashMap<>();
    edges.keySet().forEach(region -> samples.put(region, new ArrayList<>()));

    for (int i = 0; i < PURGES; i++) {
      purgeAndAwaitMisses(topology, admin, site, edges, question).forEach((region, ms) -> samples.get(region).add(ms));
      // the miss stored a fresh answer: the next round starts from a hit again
      edges.forEach((region, edge) -> assertThat(edge.ask(site, question).cache()).isEqualTo("hit"));
    }

    JsonObject figures = new JsonObject().put("purges", PURGES).put("measured", "from sending POST "
        + "/admin/sites/{site}/cache/purge to origin to sending the first question the region's edge misses");
    JsonArray regions = new JsonArray();
    StringBuilder table = new StringBuilder("| region | RTT to origin | purges | p50 | max |\n|---|---:|---:|---:|---:|\n");
    for (EdgeRegion region : topology.edgeRegions()) {
      List<Long> sorted = samples.get(region.name()).stream().sorted().toList();
      long p50 = sorted.get((sorted.size() - 1) / 2);
      long max = sorted.get(sorted.size() - 1);
      regions.add(new JsonObject().put("region", region.name()).put("originRttMs", region.originRttMs())
          .put("p50Ms", p50).put("maxMs", max).put("samplesMs", new JsonArray(samples.get(region.name())))
          .put("edgeLagMaxMs", Math.round(edges.get(region.name()).metric("edgechat_changes_lag_seconds_max", "") * 1000)));
      table.append("| ").append(region.name()).append(" | ").append(region.originRttMs()).append(" ms | ")
          .append(sorted.size()).append(" | ").append(p50).append(" ms | ").append(max).append(" ms |\n");
      assertThat(max).as("slowest purge to reach %s", region.name()).isLessThanOrEqualTo(BOUND_MS + region.originRttMs());
    }
    figures.put("regions", regions);
    Path out = Path.of("target", "purge-propagation.json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, figures.encodePrettily() + "\n");
    System.out.println("purge propagation per region (" + PURGES + " purges):\n" + table);
  }

  /**
   * Verifies that an edge cut off from origin while a site is purged learns the purge once its link
   * is back (resuming after the last change it applied), while the other region learns it at once.
   */
  @Test
  @Order(4)
  void purge_whileARegionIsCutOff_reachesItWhenTheLinkIsBack(Topology topology) {
    SiteAdmin admin = new SiteAdmin(topology.origin().url(), topology.adminToken());
    String site = "topo-cut-" + Ids.next().toLowerCase(Locale.ROOT);
    admin.putSite(site, "A site purged while a region is cut off");
    String question = "Can I pay by invoice?";
    Map<String, EdgeProbe> edges = warm(topology, site, question);
    EdgeRegion cut = topology.edgeRegions().get(0);
    EdgeRegion other = topology.edgeRegions().get(1);
    EdgeProbe cutEdge = edges.get(cut.name());
    double reconnects = cutEdge.metric("edgechat_changes_reconnects_total", "");

    topology.originProxy(cut.name()).cut(true);
    try {
      long sent = System.nanoTime();
      long change = admin.purge(site).getLong("change");
      assertThat(edges.get(other.name()).untilMiss(site, question, sent, Duration.ZERO, Duration.ofSeconds(30))).isLessThanOrEqualTo(BOUND_MS
          + other.originRttMs());
      assertThat(cutEdge.metric("edgechat_changes_last_seq", "")).as("cut off: not applied yet").isLessThan(change);
      topology.originProxy(cut.name()).cut(false);
      awaitEveryEdge(topology, change);
    } finally {
      topology.originProxy(cut.name()).cut(false);
    }

    assertThat(cutEdge.metric("edgechat_changes_reconnects_total", "")).isGreaterThan(reconnects);
    assertThat(cutEdge.ask(site, question).cache()).isEqualTo("miss");
  }

  /** Asks {@code question} on every edge until it is a hit there; the edges by region. */
  private static Map<String, EdgeProbe> warm(Topology topology, String site, String question) {
    Map<String, EdgeProbe> edges = new LinkedHashMap<>();
    for (EdgeRegion region : topology.edgeRegions()) {
      EdgeProbe edge = new EdgeProbe(topology.edge(region.name()).url());
      edge.ask(site, question);
      assertThat(edge.ask(site, question).cache()).as("second ask in %s", region.name()).isEqualTo("hit");
      edges.put(region.name(), edge);
    }
    return edges;
  }

  /** Purges the site, then asks on every edge at once until each misses: ms from the purge to each one's miss. */
  private static Map<String, Long> purgeAndAwaitMisses(Topology topology, SiteAdmin admin, String site,
      Map<String, EdgeProbe> edges, String question) {
    long sent = System.nanoTime();
    admin.purge(site);
    Map<String, CompletableFuture<Long>> misses = new LinkedHashMap<>();
    edges.forEach((region, edge) -> misses.put(region, CompletableFuture.supplyAsync(
        () -> edge.untilMiss(site, question, sent, Duration.ZERO, Duration.ofSeconds(30)), POLLERS)));
    Map<String, Long> ms = new LinkedHashMap<>();
    misses.forEach((region, miss) -> ms.put(region, miss.join()));
    return ms;
  }

  private static void awaitEveryEdge(Topology topology, long change) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (EdgeRegion region : topology.edgeRegions()) {
      EdgeProbe edge = new EdgeProbe(topology.edge(region.name()).url());
      edge.awaitMetric("edgechat_changes_last_seq", seq -> seq >= change,
          Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
  }
}
