package dev.edgechat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The figures of {@code bench edge-latency} (the plan's claim 7): two arms, the same visitors asking
 * the same questions, run in turn (A B A B …). For every milestone (time to {@code ready}, to the
 * first token, to {@code done}), over all answers and split by the answer's cache outcome
 * ({@code done.cache}: hit, semantic, miss), each run's p50 and p95, the median of each arm's runs,
 * and the reduction of arm B against arm A ({@code 1 − B / A}, of the medians). Medians of runs,
 * not of pooled samples: the machine's load drifts between runs, and the median of a few runs is
 * what the project's benchmarks quote.
 */
final class EdgeLatencyReport {

  /** All answers, then each cache outcome of {@code done}. */
  static final List<String> OUTCOMES = List.of("all", "hit", "semantic", "miss");
  static final List<String> MILESTONES = List.of(ChatVisit.READY, ChatVisit.FIRST_TOKEN, ChatVisit.DONE);
  static final String ARM_A = "A";
  static final String ARM_B = "B";

  /**
   * One measured run of one arm.
   *
   * @param arm {@link #ARM_A} or {@link #ARM_B}
   * @param round from 1
   * @param series milestone ({@code done}) or milestone and outcome ({@code done.hit}) to its latency
   * @param cacheOutcomes answers by {@code done.cache}
   * @param requests questions asked, follow-ups included
   * @param succeeded answers that ended with {@code done}
   * @param errors failed requests by cause
   * @param unfinished visits still under way when the run stopped waiting
   * @param loadAverage the machine's 1-minute load average when the run ended (NaN: unknown): what else
   *     competed for the cores
   */
  record Run(String arm, int round, Map<String, Latency> series, Map<String, Long> cacheOutcomes, long requests,
      long succeeded, Map<String, Long> errors, long unfinished, double loadAverage) {

    Run {
      Objects.requireNonNull(arm);
      series = Map.copyOf(series);
      cacheOutcomes = new TreeMap<>(cacheOutcomes);
      errors = new TreeMap<>(errors);
    }

    /** The figures of {@code measured}. */
    static Run of(String arm, int round, VisitorLoad.Measured measured, double loadAverage) {
      Map<String, Latency> series = new LinkedHashMap<>();
      measured.micros().forEach((name, histogram) -> series.put(name, Latency.of(histogram)));
      return new Run(arm, round, series, measured.cacheOutcomes(), measured.requests(), measured.succeeded(),
          measured.errorCauses(), measured.loop().unfinished(), loadAverage);
    }

    long failed() {
      return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The latency of {@code milestone} for {@code outcome} ("all" or a cache outcome); empty when none. */
    Latency latency(String milestone, String outcome) {
      return series.getOrDefault(outcome.equals("all") ? milestone : milestone + "." + outcome, Latency.EMPTY);
    }

    /** Share of answers with {@code outcome}, of all answers that said theirs. */
    double share(String outcome) {
      long all = cacheOutcomes.values().stream().mapToLong(Long::longValue).sum();
      return all == 0 ? Double.NaN : cacheOutcomes.getOrDefault(outcome, 0L) / (double) all;
    }

    String name() {
      return arm + round;
    }
  }

  /** A statistic of a series: its value in each run of each arm, the arms' medians and B's reduction. */
  record Row(String outcome, String milestone, String stat, double[] a, double[] b) {

    double medianA() {
      return median(a);
    }

    double medianB() {
      return median(b);
    }

    double reduction() {
      return EdgeLatencyReport.reduction(medianA(), medianB());
    }

    JsonObject toJson() {
      return new JsonObject().put("outcome", outcome).put("milestone", milestone).put("stat", stat)
          .put("runsA", numbers(a)).put("runsB", numbers(b)).put("medianA", Latency.number(medianA()))
          .put("medianB", Latency.number(medianB())).put("reduction", number4(reduction()));
    }
  }

  private static final Map<String, ToDoubleFunction<Latency>> STATS = stats();

  private final String setup;
  private final Map<String, String> arms;
  private final List<Run> runs;

  /**
   * @param setup what was run, as a paragraph of markdown (distances, load, mix, fairness)
   * @param arms arm ({@link #ARM_A}, {@link #ARM_B}) to what it is, for the report
   * @param runs the measured runs in the order they ran
   */
  EdgeLatencyReport(String setup, Map<String, String> arms, List<Run> runs) {
    this.setup = Objects.requireNonNull(setup);
    this.arms = new LinkedHashMap<>(arms);
    this.runs = List.copyOf(runs);
  }

  /**
   * The median of the values that are numbers; NaN when none is. An even count gives the mean of
   * the middle two.
   */
  static double median(double[] values) {
    double[] sorted = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  /** {@code 1 − b / a}: 0.6 is B 60 % below A, negative is B slower; NaN unless both are numbers and a > 0. */
  static double reduction(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || !(a > 0)) {
      return Double.NaN;
    }
    return 1 - b / a;
  }

  /** The runs of {@code arm}, in the order they ran. */
  List<Run> runs(String arm) {
    return runs.stream().filter(r -> r.arm().equals(arm)).toList();
  }

  /** Every row: each outcome × milestone × statistic (p50, p95; the mean too over all answers). */
  List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String outcome : OUTCOMES) {
      for (String milestone : MILESTONES) {
        for (Map.Entry<String, ToDoubleFunction<Latency>> stat : STATS.entrySet()) {
          if (stat.getKey().equals("mean") && !outcome.equals("all")) {
            continue;
          }
          rows.add(new Row(outcome, milestone, stat.getKey(), values(ARM_A, milestone, outcome, stat.getValue()),
              values(ARM_B, milestone, outcome, stat.getValue())));
        }
      }
    }
    return rows;
  }

  /** The row of one figure. */
  Row row(String outcome, String milestone, String stat) {
    return rows().stream().filter(r -> r.outcome().equals(outcome) && r.milestone().equals(milestone)
        && r.stat().equals(stat)).findFirst().orElseThrow(() -> new IllegalArgumentException(
            "no row " + outcome + " " + milestone + " " + stat));
  }

  private double[] values(String arm, String milestone, String outcome, ToDoubleFunction<Latency> stat) {
    return runs(arm).stream().mapToDouble(r -> stat.applyAsDouble(r.latency(milestone, outcome))).toArray();
  }

  String toMarkdown() {
    StringBuilder md = new StringBuilder();
    md.append(setup.strip()).append("\n\n");
    arms.forEach((arm, what) -> md.append("- **").append(arm).append("**: ").append(what).append('\n'));
    md.append("\nRuns in the order they ran: ").append(runs.stream().map(Run::name).collect(Collectors.joining(" ")))
        .append(".\n\n");
    md.append("| answers | time to | stat | A: runs (ms) | **A median** | B: runs (ms) | **B median** | B vs A |\n");
    md.append("|---|---|---|---|---:|---|---:|---:|\n");
    for (Row row : rows()) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | **%s** | %s | **%s** | %s |%n", row.outcome(),
          label(row.milestone()), row.stat(), joined(row.a()), Latency.fmt(row.medianA()), joined(row.b()),
          Latency.fmt(row.medianB()), percent(row.reduction())));
    }
    md.append("\n| run | requests | answered | failed | unfinished visits | hit | semantic | miss | load average |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Run run : runs) {
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %s | %s | %s | %s |%n", run.name(),
          run.requests(), run.succeeded(), run.failed(), run.unfinished(), count(run, "hit"), count(run, "semantic"),
          count(run, "miss"), Double.isNaN(run.loadAverage()) ? "–"
              : String.format(Locale.ROOT, "%.1f", run.loadAverage())));
    }
    runs.stream().filter(r -> !r.errors().isEmpty()).forEach(r -> md.append("\nFailures in ").append(r.name())
        .append(": ").append(r.errors()).append('\n'));
    md.append('\n').append(headline()).append('\n');
    return md.toString();
  }

  /** The claim's figure: time to {@code done} over all answers, mean and p50, and the first token's p50. */
  String headline() {
    Row mean = row("all", ChatVisit.DONE, "mean");
    Row p50 = row("all", ChatVisit.DONE, "p50");
    Row first = row("all", ChatVisit.FIRST_TOKEN, "p50");
    return String.format(Locale.ROOT, "Claim 7 (\"edge deployment: −60 %% global latency\"), medians of runs: time to"
            + " the whole answer, mean %s → %s ms (%s), p50 %s → %s ms (%s); first token p50 %s → %s ms (%s).",
        Latency.fmt(mean.medianA()), Latency.fmt(mean.medianB()), percent(mean.reduction()),
        Latency.fmt(p50.medianA()), Latency.fmt(p50.medianB()), percent(p50.reduction()),
        Latency.fmt(first.medianA()), Latency.fmt(first.medianB()), percent(first.reduction()));
  }

  JsonObject toJson() {
    JsonObject armsJson = new JsonObject();
    arms.forEach(armsJson::put);
    JsonArray runsJson = new JsonArray();
    for (Run run : runs) {
      JsonObject series = new JsonObject();
      new TreeMap<>(run.series()).forEach((name, latency) -> series.put(name, latency.toJson()));
      runsJson.add(new JsonObject().put("run", run.name()).put("arm", run.arm()).put("round", run.round())
          .put("requests", run.requests()).put("succeeded", run.succeeded()).put("failed", run.failed())
          .put("unfinished", run.unfinished()).put("loadAverage", Latency.number(run.loadAverage()))
          .put("errors", new JsonObject(new LinkedHashMap<>(run.errors())))
          .put("cacheOutcomes", new JsonObject(new LinkedHashMap<>(run.cacheOutcomes()))).put("series", series));
    }
    return new JsonObject().put("setup", setup).put("arms", armsJson)
        .put("rows", new JsonArray(rows().stream().map(Row::toJson).toList())).put("runs", runsJson)
        .put("headline", headline());
  }

  private static String count(Run run, String outcome) {
    double share = run.share(outcome);
    return Double.isNaN(share) ? "–" : String.format(Locale.ROOT, "%d (%.0f %%)",
        run.cacheOutcomes().getOrDefault(outcome, 0L), share * 100);
  }

  private static String label(String milestone) {
    return switch (milestone) {
      case ChatVisit.FIRST_TOKEN -> "first token";
      default -> "`" + milestone + "`";
    };
  }

  private static String joined(double[] values) {
    return Arrays.stream(values).mapToObj(Latency::fmt).collect(Collectors.joining(", "));
  }

  /** {@code −62.5 %} for a reduction of 0.625 (B faster), {@code +10.0 %} for B slower, {@code –} for none. */
  static String percent(double reduction) {
    if (Double.isNaN(reduction)) {
      return "–";
    }
    double change = -reduction * 100;
    return String.format(Locale.ROOT, "%s%.1f %%", change < 0 ? "−" : "+", Math.abs(change));
  }

  private static JsonArray numbers(double[] values) {
    JsonArray array = new JsonArray();
    Arrays.stream(values).forEach(v -> array.add(Latency.number(v)));
    return array;
  }

  private static Double number4(double value) {
    return Double.isNaN(value) ? null : Math.round(value * 10_000.0) / 10_000.0;
  }

  private static Map<String, ToDoubleFunction<Latency>> stats() {
    Map<String, ToDoubleFunction<Latency>> stats = new LinkedHashMap<>();
    stats.put("p50", Latency::p50Ms);
    stats.put("p95", Latency::p95Ms);
    stats.put("mean", Latency::meanMs);
    return stats;
  }
}
