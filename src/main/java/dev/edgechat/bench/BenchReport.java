package dev.edgechat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a {@link FirstTokenBench} run: one summary per series ({@code edge.ready},
 * {@code edge.firstToken}, {@code edge.done}, {@code sim.firstToken}, {@code sim.done}), the
 * throughput of each phase, and the first-token latency the edge adds over the bare model.
 * Times are milliseconds rounded to two decimals.
 */
public final class BenchReport {

  static final String EDGE_FIRST_TOKEN = FirstTokenBench.EDGE_PHASE + "." + EdgeChatCall.FIRST_TOKEN;
  static final String SIM_FIRST_TOKEN = FirstTokenBench.SIM_PHASE + "." + SimCompletionCall.FIRST_TOKEN;
  static final String ADDED_NOTE = "edge.firstToken pN minus sim.firstToken pN: a difference of percentiles,"
      + " not a percentile of per-request differences";

  /**
   * One series in milliseconds; the times are NaN when no request succeeded.
   *
   * @param count requests recorded (the successful ones)
   * @param errors failed requests of the series' phase
   */
  public record Summary(String name, long count, long errors, double p50Ms, double p90Ms, double p99Ms,
      double maxMs, double meanMs) {

    static Summary of(String name, Histogram micros, long errors) {
      long count = micros.getTotalCount();
      if (count == 0) {
        return new Summary(name, 0, errors, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
      }
      return new Summary(name, count, errors, ms(micros.getValueAtPercentile(50)),
          ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()),
          ms(micros.getMean()));
    }

    /** The time at percentile 50, 90 or 99. */
    double atPercentile(int percentile) {
      return switch (percentile) {
        case 50 -> p50Ms;
        case 90 -> p90Ms;
        case 99 -> p99Ms;
        default -> throw new IllegalArgumentException("percentile must be 50, 90 or 99, was " + percentile);
      };
    }
  }

  private final BenchOptions options;
  private final List<PhaseResult> phases;
  private final List<Summary> series;
  private final int cores;
  private final String javaVersion;

  public BenchReport(BenchOptions options, List<PhaseResult> phases) {
    this.options = Objects.requireNonNull(options);
    this.phases = List.copyOf(phases);
    List<Summary> all = new ArrayList<>();
    for (PhaseResult phase : this.phases) {
      phase.micros().forEach((milestone, micros) ->
          all.add(Summary.of(phase.name() + "." + milestone, micros, phase.errors())));
    }
    this.series = List.copyOf(all);
    this.cores = Runtime.getRuntime().availableProcessors();
    this.javaVersion = System.getProperty("java.version");
  }

  public List<PhaseResult> phases() {
    return phases;
  }

  public List<Summary> series() {
    return series;
  }

  public Optional<Summary> series(String name) {
    return series.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * edge.firstToken at {@code percentile} minus sim.firstToken at the same percentile (50, 90 or
   * 99): a difference of percentiles. Empty without a sim phase or when either side has no sample.
   */
  public OptionalDouble addedFirstTokenMs(int percentile) {
    Optional<Summary> edge = series(EDGE_FIRST_TOKEN);
    Optional<Summary> sim = series(SIM_FIRST_TOKEN);
    if (edge.isEmpty() || sim.isEmpty() || edge.get().count() == 0 || sim.get().count() == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(round2(edge.get().atPercentile(percentile) - sim.get().atPercentile(percentile)));
  }

  /** Whether some phase had no successful request at all. */
  public boolean anyPhaseAllFailed() {
    return phases.stream().anyMatch(p -> p.requests() > 0 && p.succeeded() == 0);
  }

  public String toMarkdown() {
    StringBuilder md = new StringBuilder();
    md.append("## First-token latency\n\n");
    md.append("Edge `").append(options.target()).append("` (site `").append(options.site()).append("`)");
    if (options.sim() != null) {
      md.append(", sim `").append(options.sim()).append('`');
    }
    md.append(": ").append(options.requests()).append(" measured requests per phase after ")
        .append(options.warmup()).append(" warm-up, closed loop at concurrency ").append(options.concurrency())
        .append("; the client ran on ").append(cores).append(" CPU cores, Java ").append(javaVersion)
        .append(". Times in ms from just before the request was sent; failed requests are not in them.\n\n");

    md.append("| series | count | errors | p50 | p90 | p99 | max | mean |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Summary s : series) {
      md.append("| ").append(s.name()).append(" | ").append(s.count()).append(" | ").append(s.errors())
          .append(" | ").append(fmt(s.p50Ms())).append(" | ").append(fmt(s.p90Ms()))
          .append(" | ").append(fmt(s.p99Ms())).append(" | ").append(fmt(s.maxMs()))
          .append(" | ").append(fmt(s.meanMs())).append(" |\n");
    }

    md.append("\n| phase | requests | succeeded | errors | seconds | throughput (req/s) |\n");
    md.append("|---|---:|---:|---:|---:|---:|\n");
    for (PhaseResult p : phases) {
      md.append("| ").append(p.name()).append(" | ").append(p.requests()).append(" | ").append(p.succeeded())
          .append(" | ").append(p.errors()).append(" | ").append(fmt(p.elapsedNanos() / 1e9))
          .append(" | ").append(fmt(p.throughputPerSecond())).append(" |\n");
    }

    if (addedFirstTokenMs(50).isPresent()) {
      md.append("\nAdded first-token latency = ").append(ADDED_NOTE).append(".\n\n");
      md.append("| percentile | edge.firstToken | sim.firstToken | added |\n");
      md.append("|---|---:|---:|---:|\n");
      for (int percentile : new int[] {50, 99}) {
        md.append("| p").append(percentile)
            .append(" | ").append(fmt(series(EDGE_FIRST_TOKEN).orElseThrow().atPercentile(percentile)))
            .append(" | ").append(fmt(series(SIM_FIRST_TOKEN).orElseThrow().atPercentile(percentile)))
            .append(" | ").append(fmt(addedFirstTokenMs(percentile).getAsDouble())).append(" |\n");
      }
    }

    if (phases.stream().anyMatch(p -> !p.errorCauses().isEmpty())) {
      md.append("\nErrors:\n\n");
      for (PhaseResult p : phases) {
        p.errorCauses().forEach((reason, count) ->
            md.append("- ").append(p.name()).append(": ").append(count).append(" × ").append(reason).append('\n'));
      }
    }
    return md.toString();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("bench", "first-token")
        .put("options", new JsonObject()
            .put("target", options.target().toString())
            .put("sim", options.sim() == null ? null : options.sim().toString())
            .put("requests", options.requests())
            .put("concurrency", options.concurrency())
            .put("warmup", options.warmup())
            .put("site", options.site())
            .put("questions", new JsonArray(options.questions())))
        .put("environment", new JsonObject().put("cores", cores).put("java", javaVersion));
    JsonArray seriesJson = new JsonArray();
    for (Summary s : series) {
      seriesJson.add(new JsonObject()
          .put("name", s.name())
          .put("count", s.count())
          .put("errors", s.errors())
          .put("p50Ms", number(s.p50Ms()))
          .put("p90Ms", number(s.p90Ms()))
          .put("p99Ms", number(s.p99Ms()))
          .put("maxMs", number(s.maxMs()))
          .put("meanMs", number(s.meanMs())));
    }
    json.put("series", seriesJson);
    JsonArray phasesJson = new JsonArray();
    for (PhaseResult p : phases) {
      phasesJson.add(new JsonObject()
          .put("name", p.name())
          .put("requests", p.requests())
          .put("succeeded", p.succeeded())
          .put("errors", p.errors())
          .put("seconds", round2(p.elapsedNanos() / 1e9))
          .put("throughputPerSecond", round2(p.throughputPerSecond()))
          .put("errorCauses", new JsonObject(new LinkedHashMap<String, Object>(p.errorCauses()))));
    }
    json.put("phases", phasesJson);
    if (addedFirstTokenMs(50).isPresent()) {
      json.put("addedFirstTokenMs", new JsonObject()
          .put("p50", addedFirstTokenMs(50).getAsDouble())
          .put("p99", addedFirstTokenMs(99).getAsDouble())
          .put("note", ADDED_NOTE));
    }
    return json;
  }

  private static double ms(double micros) {
    return round2(micros / 1000.0);
  }

  private static double round2(double value) {
    return Math.round(value * 100.0) / 100.0;
  }

  private static Double number(double value) {
    return Double.isNaN(value) ? null : value;
  }

  private static String fmt(double value) {
    return Double.isNaN(value) ? "–" : String.format(Locale.ROOT, "%.2f", value);
  }
}
