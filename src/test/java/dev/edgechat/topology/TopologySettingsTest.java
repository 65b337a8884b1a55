package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopologySettingsTest {

  /** Verifies that a region is read from name:rttMs, as --regions gives it. */
  @Test
  void parse_readsNameAndRoundTrip() {
    assertThat(EdgeRegion.parse(" sin:180 ")).isEqualTo(new EdgeRegion("sin", 180));
  }

  /** Verifies that a region without a round trip, or with a bad one, is refused naming what is wrong. */
  @Test
  void parse_refusesWhatIsNotNameColonMs() {
    assertThatThrownBy(() -> EdgeRegion.parse("fra")).hasMessageContaining("name:rttMs");
    assertThatThrownBy(() -> EdgeRegion.parse("fra:soon")).hasMessageContaining("whole number");
    assertThatThrownBy(() -> EdgeRegion.parse("fra:-5")).hasMessageContaining("0 to 10000 ms");
    assertThatThrownBy(() -> EdgeRegion.parse("Frankfurt:90")).hasMessageContaining("lower-case");
  }

  /** Verifies that an edge region may not repeat, be the primary region, or be called like the queue Redis. */
  @Test
  void withEdgeRegions_refusesRepeatedRegions() {
    TopologySettings defaults = TopologySettings.defaults();
    assertThatThrownBy(() -> defaults.withEdgeRegions(List.of(EdgeRegion.parse("fra:90"), EdgeRegion.parse("fra:80"))))
        .hasMessageContaining("fra appears twice");
    assertThatThrownBy(() -> defaults.withEdgeRegions(List.of(EdgeRegion.parse("ord:90"))))
        .hasMessageContaining("ord appears twice");
    assertThatThrownBy(() -> defaults.withEdgeRegions(List.of(EdgeRegion.parse("queue:90"))))
        .hasMessageContaining("queue Redis");
    assertThatThrownBy(() -> defaults.withEdgeRegions(List.of())).hasMessageContaining("at least one edge region");
  }

  /** Verifies the defaults: ord primary, fra 90 ms and sin 180 ms away, Redis 1 ms away. */
  @Test
  void defaults_areTwoEdgeRegionsAtRealisticDistances() {
    TopologySettings defaults = TopologySettings.defaults();
    assertThat(defaults.primaryRegion()).isEqualTo("ord");
    assertThat(defaults.edgeRegions()).containsExactly(new EdgeRegion("fra", 90), new EdgeRegion("sin", 180));
    assertThat(defaults.redisRttMs()).isEqualTo(1);
    assertThat(defaults.baseDir()).isEmpty();
  }

  /** Verifies that an edge in the primary region, when asked for, is the first edge but not an edge region. */
  @Test
  void withPrimaryEdge_addsAnEdgeInThePrimaryRegion() {
    TopologySettings defaults = TopologySettings.defaults();
    TopologySettings withPrimaryEdge = defaults.withEdgeRegions(List.of(EdgeRegion.parse("sin:180")))
        .withPrimaryEdge(1);

    assertThat(defaults.primaryEdgeRttMs()).isEmpty();
    assertThat(defaults.edges()).isEqualTo(defaults.edgeRegions());
    assertThat(withPrimaryEdge.primaryEdgeRttMs()).hasValue(1);
    assertThat(withPrimaryEdge.edges()).containsExactly(new EdgeRegion("ord", 1), new EdgeRegion("sin", 180));
    assertThat(withPrimaryEdge.edgeRegions()).containsExactly(new EdgeRegion("sin", 180));
    // kept through the other settings
    assertThat(withPrimaryEdge.withRedisRttMs(2).withSim(false).edges()).containsExactly(new EdgeRegion("ord", 1),
        new EdgeRegion("sin", 180));
  }

  /** Verifies that the primary edge's round trip is held to the bounds of any region's, with the same message. */
  @Test
  void withPrimaryEdge_refusesARoundTripOutOfBounds() {
    TopologySettings defaults = TopologySettings.defaults();
    assertThatThrownBy(() -> defaults.withPrimaryEdge(-1)).hasMessageContaining("region ord")
        .hasMessageContaining("0 to 10000 ms");
    assertThatThrownBy(() -> defaults.withPrimaryEdge(10_001)).hasMessageContaining("0 to 10000 ms");
  }
}
