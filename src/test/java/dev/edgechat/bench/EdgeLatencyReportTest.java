package dev.edgechat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeLatencyReportTest {

  private static final Map<String, String> ARMS = Map.of("A", "far", "B", "near");

  /** Verifies that the median of runs is the middle value (or the middle two's mean), over runs that have one. */
  @Test
  void median_middleOfTheRunsThatHaveAValue() {
    assertThat(EdgeLatencyReport.median(new double[] {300, 100, 200})).isEqualTo(200);
    assertThat(EdgeLatencyReport.median(new double[] {400, 100, 300, 200})).isEqualTo(250);
    assertThat(EdgeLatencyReport.median(new double[] {Double.NaN, 100, 300})).isEqualTo(200);
    assertThat(EdgeLatencyReport.median(new double[] {Double.NaN})).isNaN();
    assertThat(EdgeLatencyReport.median(new double[0])).isNaN();
  }

  /** Verifies that the reduction is 1 − B / A, negative when B is slower, and none without both figures. */
  @Test
  void reduction_isOneMinusBOverA() {
    assertThat(EdgeLatencyReport.reduction(400, 100)).isCloseTo(0.75, within(1e-12));
    assertThat(EdgeLatencyReport.reduction(100, 150)).isCloseTo(-0.5, within(1e-12));
    assertThat(EdgeLatencyReport.reduction(Double.NaN, 100)).isNaN();
    assertThat(EdgeLatencyReport.reduction(100, Double.NaN)).isNaN();
    assertThat(EdgeLatencyReport.reduction(0, 100)).isNaN();
    assertThat(EdgeLatencyReport.percent(0.625)).isEqualTo("−62.5 %");
    assertThat(EdgeLatencyReport.percent(-0.1)).isEqualTo("+10.0 %");
    assertThat(EdgeLatencyReport.percent(Double.NaN)).isEqualTo("–");
  }

  /** Verifies that each row holds every run of each arm in order, the medians of runs and B's reduction. */
  @Test
  void rows_medianOfRunsPerArmAndReduction() {
    EdgeLatencyReport report = new EdgeLatencyReport("setup", ARMS, List.of(
        run("A", 1, 400, 500, 2000), run("B", 1, 10, 20, 1500),
        run("A", 2, 600, 700, 2400), run("B", 2, 30, 40, 1700),
        run("A", 3, 500, 900, 2200), run("B", 3, 20, 30, 1600)));

    EdgeLatencyReport.Row hitsDone = report.row("hit", ChatVisit.DONE, "p50");
    assertThat(hitsDone.a()).containsExactly(400, 600, 500);
    assertThat(hitsDone.b()).containsExactly(10, 30, 20);
    assertThat(hitsDone.medianA()).isEqualTo(500);
    assertThat(hitsDone.medianB()).isEqualTo(20);
    assertThat(hitsDone.reduction()).isCloseTo(0.96, within(1e-12));

    EdgeLatencyReport.Row hitsP95 = report.row("hit", ChatVisit.DONE, "p95");
    assertThat(hitsP95.medianA()).isEqualTo(700);
    assertThat(hitsP95.medianB()).isEqualTo(30);

    EdgeLatencyReport.Row missDone = report.row("miss", ChatVisit.DONE, "p50");
    assertThat(missDone.medianA()).isEqualTo(2200);
    assertThat(missDone.medianB()).isEqualTo(1600);
    assertThat(missDone.reduction()).isCloseTo(1 - 1600.0 / 2200, within(1e-12));

    // no semantic hits in any run: the row is there, without figures
    EdgeLatencyReport.Row semantic = report.row("semantic", ChatVisit.DONE, "p50");
    assertThat(semantic.medianA()).isNaN();
    assertThat(semantic.reduction()).isNaN();
    // the mean only over all answers; p50 and p95 for every outcome and milestone
    assertThat(report.rows()).hasSize(EdgeLatencyReport.OUTCOMES.size() * EdgeLatencyReport.MILESTONES.size() * 2
        + EdgeLatencyReport.MILESTONES.size());
  }

  /** Verifies that the markdown has the arms, the runs in order, a row per figure and its reduction, mix and claim. */
  @Test
  void toMarkdown_hasArmsRowsMixAndHeadline() {
    EdgeLatencyReport report = new EdgeLatencyReport("What ran.", ARMS, List.of(
        run("A", 1, 400, 500, 2000), run("B", 1, 100, 120, 1000)));

    String markdown = report.toMarkdown();

    assertThat(markdown).startsWith("What ran.").contains("- **A**: far", "- **B**: near",
        "Runs in the order they ran: A1 B1.",
        "| hit | `done` | p50 | 400 | **400** | 100 | **100** | −75.0 % |",
        "| miss | `done` | p50 | 2,000 | **2,000** | 1,000 | **1,000** | −50.0 % |",
        "| semantic | `done` | p50 | – | **–** | – | **–** | – |",
        "| A1 | 12 | 10 | 2 | 0 | 8 (80 %) | 0 (0 %) | 2 (20 %) | 3.3 |",
        "Failures in A1: {stream ended before done=2}",
        "Claim 7 (\"edge deployment: −60 % global latency\")");
  }

  /** Verifies that the JSON carries every run's series and each row's runs, medians and reduction. */
  @Test
  void toJson_runsAndRows() {
    JsonObject json = new EdgeLatencyReport("setup", ARMS, List.of(run("A", 1, 400, 500, 2000),
        run("B", 1, 100, 120, 1000))).toJson();

    assertThat(json.getJsonArray("runs")).hasSize(2);
    JsonObject a1 = json.getJsonArray("runs").getJsonObject(0);
    assertThat(a1.getString("run")).isEqualTo("A1");
    assertThat(a1.getDouble("loadAverage")).isEqualTo(3.25);
    assertThat(a1.getJsonObject("series").getJsonObject("done.hit").getDouble("p50Ms")).isEqualTo(400.0);
    JsonObject hitDone = json.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> r.getString("outcome").equals("hit") && r.getString("milestone").equals("done")
            && r.getString("stat").equals("p50")).findFirst().orElseThrow();
    assertThat(hitDone.getDouble("medianA")).isEqualTo(400.0);
    assertThat(hitDone.getDouble("reduction")).isEqualTo(0.75);
  }

  /** Verifies that every run gets sites of its own and the measured rounds alternate A and B after the warm ones. */
  @Test
  void plans_alternateArmsWithSitesOfTheirOwn() {
    List<EdgeLatencyBench.Plan> plans = EdgeLatencyBench.plans(1, 3, List.of("help", "shop"));

    assertThat(plans).extracting(EdgeLatencyBench.Plan::arm).containsExactly("A", "B", "A", "B", "A", "B", "A", "B");
    assertThat(plans).extracting(EdgeLatencyBench.Plan::measured)
        .containsExactly(false, false, true, true, true, true, true, true);
    assertThat(plans.get(0).sites()).containsExactly("w1a-help", "w1a-shop");
    assertThat(plans.get(3).sites()).containsExactly("r1b-help", "r1b-shop");
    assertThat(plans.stream().flatMap(p -> p.sites().stream()).distinct().count()).isEqualTo(16);
  }

  /**
   * A run whose every series has one value per statistic: hits answered in {@code hitP50} (p50 and
   * mean) and {@code hitP95}, misses in {@code miss}; 8 hits, 2 misses, 2 failed.
   */
  private static EdgeLatencyReport.Run run(String arm, int round, double hitP50, double hitP95, double miss) {
    Map<String, Latency> series = new LinkedHashMap<>();
    for (String milestone : EdgeLatencyReport.MILESTONES) {
      series.put(milestone + ".hit", new Latency(8, hitP50, hitP50, hitP95, hitP95, hitP95, hitP95));
      series.put(milestone + ".miss", new Latency(2, miss, miss, miss, miss, miss, miss));
      series.put(milestone, new Latency(10, (8 * hitP50 + 2 * miss) / 10, hitP50, miss, miss, miss, miss));
    }
    return new EdgeLatencyReport.Run(arm, round, series, Map.of("hit", 8L, "miss", 2L), 12, 10,
        Map.of("stream ended before done", 2L), 0, 3.25);
  }
}
