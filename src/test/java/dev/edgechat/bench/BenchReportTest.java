package dev.edgechat.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class BenchReportTest {

  private static final BenchOptions OPTIONS =
      BenchOptions.defaults(URI.create("http://127.0.0.1:8080"), URI.create("http://127.0.0.1:9090"));
  /** HdrHistogram at 3 significant digits reports a bucket's upper end: within 0.1 % of the value. */
  private static final double TOLERANCE_MS = 0.5;

  /** Verifies that the added first-token latency is edge minus sim, percentile by percentile. */
  @Test
  void addedFirstTokenMs_isDifferenceOfPercentiles() {
    BenchReport report = new BenchReport(OPTIONS, List.of(edge(), sim()));

    assertThat(report.series("edge.firstToken").orElseThrow().p50Ms()).isCloseTo(310, within(TOLERANCE_MS));
    assertThat(report.series("edge.firstToken").orElseThrow().p99Ms()).isCloseTo(400, within(TOLERANCE_MS));
    assertThat(report.series("sim.firstToken").orElseThrow().p50Ms()).isCloseTo(300, within(TOLERANCE_MS));
    assertThat(report.series("sim.firstToken").orElseThrow().p99Ms()).isCloseTo(350, within(TOLERANCE_MS));
    assertThat(report.addedFirstTokenMs(50)).hasValueCloseTo(10.0, within(TOLERANCE_MS));
    assertThat(report.addedFirstTokenMs(99)).hasValueCloseTo(50.0, within(TOLERANCE_MS));
  }

  /** Verifies that count, mean, max and throughput come from the histograms and the phase span. */
  @Test
  void summary_countsMeanMaxAndThroughput() {
    BenchReport report = new BenchReport(OPTIONS, List.of(edge(), sim()));

    BenchReport.Summary ready = report.series("edge.ready").orElseThrow();
    assertThat(ready.count()).isEqualTo(100);
    assertThat(ready.errors()).isEqualTo(2);
    assertThat(ready.meanMs()).isCloseTo(50.5, within(TOLERANCE_MS));
    assertThat(ready.maxMs()).isCloseTo(100, within(TOLERANCE_MS));
    assertThat(report.phases().get(0).throughputPerSecond()).isCloseTo(10, within(1e-9));
    assertThat(report.anyPhaseAllFailed()).isFalse();
  }

  /** Verifies that the markdown has a row per series, the phases and the labelled difference. */
  @Test
  void toMarkdown_hasEveryRow() {
    String markdown = new BenchReport(OPTIONS, List.of(edge(), sim())).toMarkdown();

    assertThat(markdown).contains("| edge.ready | 100 | 2 |", "| edge.firstToken | 100 | 2 |",
        "| edge.done | 100 | 2 |", "| sim.firstToken | 100 | 0 |", "| sim.done | 100 | 0 |",
        "| edge | 102 | 100 | 2 | 10.00 | 10.00 |", "difference of percentiles", "| p50 |", "| p99 |",
        "- edge: 2 × status 503 overloaded");
  }

  /** Verifies that the JSON carries the series and the added latency with its note. */
  @Test
  void toJson_hasSeriesAndAddedLatency() {
    JsonObject json = new BenchReport(OPTIONS, List.of(edge(), sim())).toJson();

    assertThat(json.getJsonArray("series")).hasSize(5);
    assertThat(json.getJsonArray("series").getJsonObject(1).getString("name")).isEqualTo("edge.firstToken");
    assertThat(json.getJsonObject("addedFirstTokenMs").getDouble("p50")).isCloseTo(10, within(TOLERANCE_MS));
    assertThat(json.getJsonObject("addedFirstTokenMs").getString("note")).contains("difference of percentiles");
  }

  /** Verifies that without a sim phase there is no added latency and nothing pretends otherwise. */
  @Test
  void addedFirstTokenMs_withoutSim_isEmpty() {
    BenchReport report = new BenchReport(OPTIONS, List.of(edge()));

    assertThat(report.addedFirstTokenMs(50)).isEmpty();
    assertThat(report.toMarkdown()).doesNotContain("Added first-token latency");
    assertThat(report.toJson().containsKey("addedFirstTokenMs")).isFalse();
  }

  /** Verifies that a phase where every request failed is flagged and shows no times. */
  @Test
  void anyPhaseAllFailed_whenNoRequestSucceeded() {
    PhaseResult failed = phase("sim", Map.of("firstToken", new Histogram(3), "done", new Histogram(3)), 5, 5);
    BenchReport report = new BenchReport(OPTIONS, List.of(edge(), failed));

    assertThat(report.anyPhaseAllFailed()).isTrue();
    assertThat(report.addedFirstTokenMs(50)).isEmpty();
    assertThat(report.toMarkdown()).contains("| sim.firstToken | 0 | 5 | – |");
  }

  /** 100 good requests, 2 failed, over 10 s: ready 1..100 ms, first token 98 × 310 ms and 2 × 400 ms. */
  private static PhaseResult edge() {
    Histogram ready = new Histogram(3);
    for (int ms = 1; ms <= 100; ms++) {
      ready.recordValue(ms * 1000L);
    }
    Histogram firstToken = new Histogram(3);
    firstToken.recordValueWithCount(310_000, 98);
    firstToken.recordValueWithCount(400_000, 2);
    Histogram done = new Histogram(3);
    done.recordValueWithCount(1_100_000, 100);
    Map<String, Histogram> micros = new LinkedHashMap<>();
    micros.put("ready", ready);
    micros.put("firstToken", firstToken);
    micros.put("done", done);
    return new PhaseResult("edge", micros, 102, 2, Map.of("status 503 overloaded", 2L), TimeUnit.SECONDS.toNanos(10));
  }

  /** 100 good requests: first token 98 × 300 ms and 2 × 350 ms. */
  private static PhaseResult sim() {
    Histogram firstToken = new Histogram(3);
    firstToken.recordValueWithCount(300_000, 98);
    firstToken.recordValueWithCount(350_000, 2);
    Histogram done = new Histogram(3);
    done.recordValueWithCount(1_025_000, 100);
    Map<String, Histogram> micros = new LinkedHashMap<>();
    micros.put("firstToken", firstToken);
    micros.put("done", done);
    return phase("sim", micros, 100, 0);
  }

  private static PhaseResult phase(String name, Map<String, Histogram> micros, long requests, long errors) {
    Map<String, Histogram> ordered = new LinkedHashMap<>(micros);
    return new PhaseResult(name, ordered, requests, errors, Map.of(), TimeUnit.SECONDS.toNanos(10));
  }
}
