package dev.edgechat.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * The {@code plan} scenario's report: the plan's table beside ours, each optimization's gain
 * against the baseline beside the plan's claim, and every phase's figures. Only measured numbers
 * appear; a claim with nothing measured says so.
 */
final class PlanReport {

  /** A plan target: average and p95 in ms, throughput range in requests per second. */
  record Target(String phase, String plan, double avgMs, double p95Ms, double minRps, double maxRps) {
  }

  static final List<Target> TARGETS = List.of(
      new Target("baseline", "Current state", 12_000, 19_000, 0.1, 0.3),
      new Target("phase1", "After phase 1", 3_000, 5_000, 1, 2),
      new Target("phase2", "After phase 2", 1_000, 2_000, 10, 20),
      new Target("phase3", "After phase 3", 300, 800, 50, 100),
      new Target("phase3-capacity", "After phase 3, at the capacity rate", 300, 800, 50, 100));

  /**
   * One claim of the plan and what we measured for it.
   *
   * @param claimedGain the plan's gain as a share (0.5 = −50 %), or the factor for "more" claims
   * @param baseline our baseline's figure, NaN when not measured
   * @param with the figure with the optimization on, NaN when not measured
   * @param higherIsBetter true for throughput-like figures (the claim is a factor)
   */
  record Claim(int number, String optimization, String plan, String measure, double claimedGain, double baseline,
      double with, boolean higherIsBetter, String note) {

    boolean measured() {
      return !Double.isNaN(baseline) && !Double.isNaN(with) && baseline > 0 && with >= 0;
    }

    /** Our gain: 1 − with / baseline (a share), or with / baseline (a factor) when higher is better. */
    double gain() {
      return higherIsBetter ? with / baseline : 1 - with / baseline;
    }

    boolean beaten() {
      return measured() && claimedGain > 0 && gain() >= claimedGain;
    }

    String verdict() {
      if (!measured()) {
        return "not measured";
      }
      if (claimedGain == 0) {
        return String.format(Locale.ROOT, "no claim; measured %+.1f %%", -100 * gain());
      }
      if (higherIsBetter) {
        return String.format(Locale.ROOT, "%s: %.2f× vs %.0f× claimed", beaten() ? "beat" : "missed", gain(),
            claimedGain);
      }
      double ours = with > 0 ? baseline / with : Double.POSITIVE_INFINITY;
      double theirs = 1 / (1 - claimedGain);
      return String.format(Locale.ROOT, "%s: −%.1f %% (%s faster) vs −%.0f %% (%.1f×) claimed",
          beaten() ? "beat" : "missed", 100 * gain(), Double.isInfinite(ours) ? "∞×"
              : String.format(Locale.ROOT, "%.1f×", ours), 100 * claimedGain, theirs);
    }

    JsonObject toJson() {
      return new JsonObject().put("number", number).put("optimization", optimization).put("plan", plan)
          .put("measure", measure).put("claimedGain", claimedGain).put("baseline", Latency.number(baseline))
          .put("with", Latency.number(with)).put("measured", measured())
          .put("gain", measured() ? Latency.number(gain()) : null).put("beaten", beaten())
          .put("verdict", verdict()).put("note", note);
    }
  }

  private final PlanScenario options;
  private final Map<String, PlanPhase> phases = new LinkedHashMap<>();
  private final PlanScenario.PhaseRunner.SimFloor floor;
  private final JsonObject widget;
  private final double minutes;
  private final List<Claim> claims;

  PlanReport(PlanScenario options, List<PlanPhase> phases, PlanScenario.PhaseRunner.SimFloor floor,
      JsonObject widget, double minutes) {
    this.options = Objects.requireNonNull(options);
    phases.forEach(p -> this.phases.put(p.name(), p));
    this.floor = floor;
    this.widget = widget;
    this.minutes = minutes;
    this.claims = claims();
  }

  List<Claim> claims() {
    double nan = Double.NaN;
    return List.of(
        new Claim(1, "Streaming (SSE)", "−50 % perceived latency", "mean time to first token, ms", 0.5,
            mean("baseline", ChatVisit.FIRST_TOKEN), mean("only-streaming", ChatVisit.FIRST_TOKEN), false,
            "without streaming the first token arrives with the whole answer"),
        new Claim(2, "Response cache (L1 + Redis)", "−90 % for cached queries", "mean time to the whole answer, ms:"
            + " baseline (all) vs exact cache hits", 0.9, mean("baseline", ChatVisit.DONE),
            mean("only-answer-cache", ChatVisit.DONE + ".hit"), false, share("only-answer-cache", "hit")),
        new Claim(3, "Database pool of 20", "−30 % DB latency", "Postgres time per chat request (pool wait + use), ms",
            0.3, server("baseline", "dbMsPerRequest"), server("only-database", "dbMsPerRequest"), false,
            "pool of 1 vs 20; the indexes are always there (migrations), so only the pool is switched"),
        new Claim(4, "Job queue (respond-async)", "10× concurrent requests", "requests of a burst taken on without"
            + " an error", 10, handled("burst-sync"), handled("burst-async"), true,
            "a burst of " + options.burst + " first questions in one second, at the shipped llm.poolSize ("
                + PlanScenario.BURST_LLM_POOL + ", with a wait queue of 4× that); sync: answered, or still being"
                + " answered " + Math.round(options.drainSeconds) + " s after the burst (neither refused nor timed out);"
                + " async: 202 with a job id. " + completedJobs() + refusals("burst-sync")),
        new Claim(5, "Embedding cache", "−70 % similarity search time", "mean similarity search at origin (embed"
            + " the question + nearest chunks + their text), ms", 0.7, server("baseline", "similarityMeanMs"),
            server("only-embedding-cache", "similarityMeanMs"), false, "the sim's embeddings take "
                + options.embeddingLatencyMs + " ms a call"),
        new Claim(6, "Request batching", "−40 % API cost", "upstream calls (chat + embeddings) per chat request", 0.4,
            callsPerRequest("baseline"), callsPerRequest("only-batching"), false,
            "embedding batch window 5 ms (up to 20 inputs) and batched writes; " + batchNote("only-batching")
                + "OpenAI bills tokens, not calls: " + tokenNote("only-batching")),
        new Claim(7, "Edge deployment", "−60 % latency globally", "mean time to the whole answer, ms (visitor–origin "
            + options.visitorOriginRttMs + " ms RTT vs visitor–edge " + options.visitorEdgeRttMs + " ms + edge–origin "
            + options.edgeOriginRttMs + " ms)", 0.6, mean("baseline", ChatVisit.DONE),
            mean("only-edge", ChatVisit.DONE), false, edgeOnTopNote()),
        new Claim(8, "Read replicas", "2× read throughput", "not measured in this scenario", 2, nan, nan, true,
            "the embedded Postgres has no streaming replica; `bench replicas` measures it on the topology (Debian's"
                + " Postgres 15 primary and replica): docs/benchmarks.md, \"Read replicas\""),
        new Claim(9, "CDN + client cache for the widget", "−80 % widget load", "widget load (loader + frame + UI), ms: cold"
            + " from the central server vs repeat visit from the near edge with a cache honouring ETag", 0.8,
            widgetMs("centralCold"), widgetMs("edgeRevalidated"), false, widgetNote()),
        new Claim(10, "Coalescing (ours, not in the plan)", "—", "upstream chat calls per chat request", 0,
            chatCallsPerRequest("baseline"), chatCallsPerRequest("only-coalescing"), false,
            "identical questions in flight on an edge share one answer; this cuts tokens, the billed unit: "
                + tokenNote("only-coalescing")));
  }

  private double mean(String phase, String series) {
    return Optional.ofNullable(phases.get(phase)).map(p -> p.measured().latency(series).meanMs()).orElse(Double.NaN);
  }

  private double p95(String phase, String series) {
    return Optional.ofNullable(phases.get(phase)).map(p -> p.measured().latency(series).p95Ms()).orElse(Double.NaN);
  }

  private double server(String phase, String figure) {
    PlanPhase p = phases.get(phase);
    return p == null || p.server().getValue(figure) == null ? Double.NaN : p.server().getDouble(figure);
  }

  private double handled(String phase) {
    PlanPhase p = phases.get(phase);
    return p == null ? Double.NaN : p.measured().succeeded() + p.unanswered();
  }

  private String completedJobs() {
    PlanPhase p = phases.get("burst-async");
    if (p == null) {
      return "";
    }
    Latency accepted = p.measured().latency(ChatVisit.ACCEPTED);
    PlanPhase sync = phases.get("burst-sync");
    return String.format(Locale.ROOT, "The 202 came after %s ms on average (p95 %s). Upstream chat calls during the"
        + " async phase: %d (jobs are answered queue.concurrency.chat at a time per worker; the rest wait in the"
        + " queue)%s", Latency.fmt(accepted.meanMs()), Latency.fmt(accepted.p95Ms()),
        p.upstream().getLong("chatCalls", 0L), sync == null ? "" : String.format(Locale.ROOT, "; sync answered %d"
            + " within the %.0f s, the others still waiting, `ready` after %s ms", sync.measured().succeeded(),
            options.drainSeconds, Latency.fmt(sync.measured().latency(ChatVisit.READY).meanMs())));
  }

  private String refusals(String phase) {
    PlanPhase p = phases.get(phase);
    if (p == null || p.measured().errorCauses().isEmpty()) {
      return "";
    }
    return ". Sync refusals: " + p.measured().errorCauses();
  }

  private String batchNote(String phase) {
    PlanPhase p = phases.get(phase);
    if (p == null || p.server().getValue("embeddingBatchMean") == null) {
      return "";
    }
    return String.format(Locale.ROOT, "mean embedding batch %.2f inputs at %.0f visits/s (a 5 ms window joins"
        + " questions that arrive within 5 ms of each other); ", p.server().getDouble("embeddingBatchMean"),
        options.rate);
  }

  private double callsPerRequest(String phase) {
    PlanPhase p = phases.get(phase);
    if (p == null || p.measured().requests() == 0) {
      return Double.NaN;
    }
    return (p.upstream().getLong("chatCalls", 0L) + p.upstream().getLong("embeddingCalls", 0L))
        / (double) p.measured().requests();
  }

  private double chatCallsPerRequest(String phase) {
    PlanPhase p = phases.get(phase);
    return p == null || p.measured().requests() == 0 ? Double.NaN
        : p.upstream().getLong("chatCalls", 0L) / (double) p.measured().requests();
  }

  private String tokenNote(String phase) {
    PlanPhase base = phases.get("baseline");
    PlanPhase p = phases.get(phase);
    if (base == null || p == null || base.measured().requests() == 0 || p.measured().requests() == 0) {
      return "tokens not measured";
    }
    if (p.cut()) {
      return String.format(Locale.ROOT, "this phase is cut before its answers end, so its tokens sent are not"
          + " comparable; each upstream chat call generates a whole answer (%d tokens on average), so chat calls"
          + " per request are the token cost: %.2f → %.2f", options.answerTokens, chatCallsPerRequest("baseline"),
          chatCallsPerRequest(phase));
    }
    double before = base.upstream().getLong("completionTokens", 0L) / (double) base.measured().requests();
    double after = p.upstream().getLong("completionTokens", 0L) / (double) p.measured().requests();
    return String.format(Locale.ROOT, "completion tokens per request %.1f → %.1f (%+.1f %%)", before, after,
        before == 0 ? 0 : 100 * (after / before - 1));
  }

  private String share(String phase, String outcome) {
    PlanPhase p = phases.get(phase);
    if (p == null || p.measured().succeeded() == 0) {
      return "";
    }
    long hits = p.measured().cacheOutcomes().getOrDefault(outcome, 0L);
    return String.format(Locale.ROOT, "%d of %d answers (%.0f %%) were exact hits; the phase's mean over all answers"
        + " was %s ms", hits, p.measured().succeeded(), 100.0 * hits / p.measured().succeeded(),
        Latency.fmt(mean(phase, ChatVisit.DONE)));
  }

  private String edgeOnTopNote() {
    return String.format(Locale.ROOT, "alone, with nothing cached at the edge, it saves only round trips (each visit"
        + " opens a new connection; the edge keeps its connections to origin). On top of phase 2 (caches on):"
        + " mean whole answer %s → %s ms, first token %s → %s ms; answers from cache (exact hits) %s → %s ms,"
        + " semantic hits %s → %s ms",
        Latency.fmt(mean("phase2", ChatVisit.DONE)), Latency.fmt(mean("phase3", ChatVisit.DONE)),
        Latency.fmt(mean("phase2", ChatVisit.FIRST_TOKEN)), Latency.fmt(mean("phase3", ChatVisit.FIRST_TOKEN)),
        Latency.fmt(mean("phase2", ChatVisit.DONE + ".hit")), Latency.fmt(mean("phase3", ChatVisit.DONE + ".hit")),
        Latency.fmt(mean("phase2", ChatVisit.DONE + ".semantic")),
        Latency.fmt(mean("phase3", ChatVisit.DONE + ".semantic")));
  }

  private double widgetMs(String kind) {
    JsonObject visits = widget.getJsonObject(kind);
    return visits == null || visits.getValue("meanMs") == null ? Double.NaN : visits.getDouble("meanMs");
  }

  private String widgetNote() {
    if (widget.isEmpty()) {
      return "";
    }
    return String.format(Locale.ROOT, "loader + chat frame + chat UI; cold from the near edge alone: %s ms, a repeat"
        + " visit to the central server with the cache: %s ms; bytes per visit cold %s (uncompressed: the bench sends"
        + " no Accept-Encoding; a browser gets gzip or brotli), revalidated %s (304s for the"
        + " loader and the frame; the UI is immutable and not asked again); within the loader's max-age (300 s)"
        + " only the frame (no-cache) is revalidated, and with the service worker not even that",
        Latency.fmt(widgetMs("edgeCold")), Latency.fmt(widgetMs("centralRevalidated")), bytes("centralCold"),
        bytes("edgeRevalidated"));
  }

  private String bytes(String kind) {
    JsonObject visits = widget.getJsonObject(kind);
    return visits == null ? "–" : String.valueOf(visits.getValue("bytesPerVisit"));
  }

  /** The series the chart draws: the whole answer of baseline and phases, and phase 3's first token. */
  Map<String, Histogram> chartSeries() {
    Map<String, Histogram> series = new LinkedHashMap<>();
    for (String name : List.of("baseline", "phase1", "phase2", "phase3")) {
      PlanPhase p = phases.get(name);
      if (p != null && p.measured().micros().containsKey(ChatVisit.DONE)) {
        series.put(name + " whole", p.measured().micros().get(ChatVisit.DONE));
      }
    }
    for (String name : List.of("phase1", "phase3")) {
      PlanPhase p = phases.get(name);
      if (p != null && p.measured().micros().containsKey(ChatVisit.FIRST_TOKEN)) {
        series.put(name + " first token", p.measured().micros().get(ChatVisit.FIRST_TOKEN));
      }
    }
    return series;
  }

  String toMarkdown() {
    StringBuilder md = new StringBuilder();
    md.append("# The plan's performance table, replayed\n\n");
    md.append(String.format(Locale.ROOT, "Open loop, %.0f visits/s for %.0f s per phase (answers under way waited for"
        + " up to %.0f s), a fresh deployment per phase; %d sites × %d intents × 4 wordings, Zipf %.1f, %.0f %% of"
        + " visits with a follow-up asked %d ms after its answer, seed %d. Sim: first token %d ms, %.1f tokens/s, %d tokens ± %.0f %%, embeddings"
        + " %d ms a call. Distances: visitor–origin %d ms, visitor–edge %d ms, edge–origin %d ms RTT. %d cores,"
        + " Java %s; the run took %.1f minutes. The capacity step offers %.0f visits/s; the queue comparison sends bursts"
        + " of %d; every deployment has llm.poolSize %d (room for the upstream streams of ~12 s answers).%n%n",
        options.rate, options.phaseSeconds, options.drainSeconds, PlanScenario.SITES.size(), options.intents,
        options.zipf, 100 * options.followUps, options.thinkMs, options.seed, options.firstTokenMs, options.tokensPerSecond,
        options.answerTokens, 100 * options.answerSpread, options.embeddingLatencyMs, options.visitorOriginRttMs,
        options.visitorEdgeRttMs, options.edgeOriginRttMs, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), minutes, options.capacityRate, options.burst, PlanSystem.LLM_POOL_SIZE));

    md.append("## Plan vs. ours, per phase\n\n");
    md.append("\"Whole\" is the time to the last byte of the answer (`done`), \"first\" the time to its first words"
        + " (the first `token`, what the visitor sees start); goodput is good answers per second of the arrival"
        + " window (at most the offered rate).\n\n");
    md.append("Phases 1–3 and the single caches start warm: " + PlanScenario.PhaseRunner.WARM_RATE * PlanScenario
        .PhaseRunner.WARM_SECONDS + " unrecorded visits (other draws of the same workload) are answered first.\n\n");
    md.append("| phase | plan avg | plan p95 | plan req/s | whole avg | whole p95 | first avg | first p95 | goodput"
        + " | failed | verdict |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (Target t : TARGETS) {
      PlanPhase p = phases.get(t.phase());
      if (p == null) {
        continue;
      }
      Latency whole = p.measured().latency(ChatVisit.DONE);
      Latency first = p.measured().latency(ChatVisit.FIRST_TOKEN);
      md.append(String.format(Locale.ROOT, "| %s (%s) | %,.0f | %,.0f | %s–%s | %s | %s | %s | %s | %.1f | %d | %s |%n",
          t.plan(), t.phase(), t.avgMs(), t.p95Ms(), num(t.minRps()), num(t.maxRps()), Latency.fmt(whole.meanMs()),
          Latency.fmt(whole.p95Ms()), Latency.fmt(first.meanMs()), Latency.fmt(first.p95Ms()), p.goodput(),
          p.failures(), targetVerdict(t, whole, p) + "; first token: " + firstVerdict(t, first)));
    }
    md.append("\n## The plan's claims, each optimization on alone against the baseline\n\n");
    md.append("| # | optimization | plan says | we measured | baseline | with it | verdict |\n");
    md.append("|---:|---|---|---|---:|---:|---|\n");
    for (Claim c : claims) {
      md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s |%n", c.number(), c.optimization(),
          c.plan(), c.measure(), Latency.fmt(c.baseline()), Latency.fmt(c.with()), c.verdict()));
    }
    md.append("\nNotes:\n\n");
    for (Claim c : claims) {
      if (c.note() != null && !c.note().isEmpty()) {
        md.append("- ").append(c.number()).append(". ").append(c.note()).append('\n');
      }
    }
    if (floor != null) {
      md.append(String.format(Locale.ROOT, "%n## The floor: the same visits straight to the sim%n%n"
          + "First token mean %s ms (p95 %s), whole answer mean %s ms (p95 %s), %d errors. Against it, the baseline's"
          + " whole answer costs %s and phase 3's %s (ratio of means; the baseline also crosses %d ms of visitor–origin"
          + " round trips per connection).%n", Latency.fmt(floor.firstToken().meanMs()),
          Latency.fmt(floor.firstToken().p95Ms()), Latency.fmt(floor.done().meanMs()), Latency.fmt(floor.done().p95Ms()),
          floor.errors(), ratio(mean("baseline", ChatVisit.DONE), floor.done().meanMs()),
          ratio(mean("phase3", ChatVisit.DONE), floor.done().meanMs()), options.visitorOriginRttMs));
    }
    md.append("\n## Every phase\n\n");
    md.append("| phase | what is on | requests | good | failed | hit / semantic / miss | whole p50 | whole p95 |"
        + " whole p99 | whole max | first mean | upstream chat calls | embedding calls (inputs) | DB ms/req |"
        + " similarity ms |\n");
    md.append("|---|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (PlanPhase p : phases.values()) {
      Latency whole = p.measured().latency(ChatVisit.DONE);
      Map<String, Long> cache = p.measured().cacheOutcomes();
      md.append(String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %d / %d / %d | %s | %s | %s | %s | %s | %d |"
              + " %d (%d) | %s | %s |%n", p.name(), p.description(), p.measured().requests(), p.measured().succeeded(),
          p.failures(), cache.getOrDefault("hit", 0L), cache.getOrDefault("semantic", 0L),
          cache.getOrDefault("miss", 0L), Latency.fmt(whole.p50Ms()), Latency.fmt(whole.p95Ms()),
          Latency.fmt(whole.p99Ms()), Latency.fmt(whole.maxMs()),
          Latency.fmt(p.measured().latency(ChatVisit.FIRST_TOKEN).meanMs()), p.upstream().getLong("chatCalls", 0L),
          p.upstream().getLong("embeddingCalls", 0L), p.upstream().getLong("embeddingInputs", 0L),
          fmtFigure(p.server(), "dbMsPerRequest"), fmtFigure(p.server(), "similarityMeanMs")));
    }
    boolean anyErrors = phases.values().stream()
        .anyMatch(p -> p.failures() > 0 || p.measured().loop().unfinished() > 0);
    // follow-ups under way at the end had their first answer measured; they are listed, not failed
    if (anyErrors) {
      md.append("\nFailures:\n\n");
      for (PlanPhase p : phases.values()) {
        p.measured().errorCauses().forEach((cause, count) ->
            md.append("- ").append(p.name()).append(": ").append(count).append(" × ").append(cause).append('\n'));
        if (p.unanswered() > 0) {
          md.append("- ").append(p.name()).append(": ").append(p.unanswered())
              .append(p.cut() ? " × still under way when the phase was cut (on purpose: its figures are taken when a"
                  + " request starts; not counted as failed)\n" : " × still under way when the phase ended\n");
        }
        if (p.measured().followUpsUnderWay() > 0) {
          md.append("- ").append(p.name()).append(": ").append(p.measured().followUpsUnderWay())
              .append(" × a follow-up still under way (think time or answer) when the phase ended; not failed\n");
        }
      }
    }
    md.append("\nBaseline settings (every phase starts from these and switches its optimizations on): `")
        .append(String.join(" ", PlanScenario.BASELINE.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .toList())).append("`.\n\n![latency by percentile](plan-latency.svg)\n");
    return md.toString();
  }

  private String targetVerdict(Target t, Latency whole, PlanPhase p) {
    if (whole.count() == 0) {
      return "no answers";
    }
    if (t.phase().equals("baseline")) {
      return String.format(Locale.ROOT, "calibration: avg %.2f×, p95 %.2f× the plan's current state",
          whole.meanMs() / t.avgMs(), whole.p95Ms() / t.p95Ms());
    }
    String avg = "whole: " + (whole.meanMs() <= t.avgMs()
        ? String.format(Locale.ROOT, "avg beat %.1f×", t.avgMs() / whole.meanMs())
        : String.format(Locale.ROOT, "avg missed (%.1f× slower)", whole.meanMs() / t.avgMs()));
    String p95 = whole.p95Ms() <= t.p95Ms() ? String.format(Locale.ROOT, "p95 beat %.1f×", t.p95Ms() / whole.p95Ms())
        : String.format(Locale.ROOT, "p95 missed (%.1f× slower)", whole.p95Ms() / t.p95Ms());
    String rps = p.goodput() >= t.maxRps()
        ? String.format(Locale.ROOT, "req/s beat %.1f× (offered %.0f)", p.goodput() / t.maxRps(), p.rate())
        : String.format(Locale.ROOT, "req/s %.1f below %s (offered %.0f)", p.goodput(), num(t.maxRps()), p.rate());
    return rps + "; " + avg + ", " + p95;
  }

  private static String firstVerdict(Target t, Latency first) {
    if (first.count() == 0 || t.phase().equals("baseline")) {
      return "–";
    }
    return (first.meanMs() <= t.avgMs() ? String.format(Locale.ROOT, "avg beat %.1f×", t.avgMs() / first.meanMs())
        : String.format(Locale.ROOT, "avg missed (%.1f× slower)", first.meanMs() / t.avgMs())) + ", "
        + (first.p95Ms() <= t.p95Ms() ? String.format(Locale.ROOT, "p95 beat %.1f×", t.p95Ms() / first.p95Ms())
        : String.format(Locale.ROOT, "p95 missed (%.1f× slower)", first.p95Ms() / t.p95Ms()));
  }

  private static String ratio(double value, double floorValue) {
    return Double.isNaN(value) || Double.isNaN(floorValue) || floorValue == 0 ? "–"
        : String.format(Locale.ROOT, "%.2f×", value / floorValue);
  }

  private static String fmtFigure(JsonObject figures, String name) {
    return figures.getValue(name) == null ? "–" : Latency.fmt(figures.getDouble(name));
  }

  private static String num(double value) {
    return value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
        : String.format(Locale.ROOT, "%.1f", value);
  }

  JsonObject toJson() {
    JsonArray phaseJson = new JsonArray();
    phases.values().forEach(p -> phaseJson.add(p.toJson()));
    JsonArray claimJson = new JsonArray();
    claims.forEach(c -> claimJson.add(c.toJson()));
    JsonArray targets = new JsonArray();
    for (Target t : TARGETS) {
      PlanPhase p = phases.get(t.phase());
      targets.add(new JsonObject().put("phase", t.phase()).put("planAvgMs", t.avgMs()).put("planP95Ms", t.p95Ms())
          .put("planMinRps", t.minRps()).put("planMaxRps", t.maxRps())
          .put("wholeMeanMs", Latency.number(mean(t.phase(), ChatVisit.DONE)))
          .put("wholeP95Ms", Latency.number(p95(t.phase(), ChatVisit.DONE)))
          .put("firstTokenMeanMs", Latency.number(mean(t.phase(), ChatVisit.FIRST_TOKEN)))
          .put("goodputPerSecond", p == null ? null : Latency.round2(p.goodput())));
    }
    JsonObject json = new JsonObject()
        .put("bench", "plan")
        .put("environment", new JsonObject().put("cores", Runtime.getRuntime().availableProcessors())
            .put("java", System.getProperty("java.version")).put("minutes", Latency.round2(minutes)))
        .put("options", new JsonObject().put("rate", options.rate).put("phaseSeconds", options.phaseSeconds)
            .put("drainSeconds", options.drainSeconds).put("burst", options.burst).put("seed", options.seed)
            .put("intents", options.intents).put("zipf", options.zipf).put("followUps", options.followUps)
            .put("visitorOriginRttMs", options.visitorOriginRttMs).put("visitorEdgeRttMs", options.visitorEdgeRttMs)
            .put("edgeOriginRttMs", options.edgeOriginRttMs).put("simFirstTokenMs", options.firstTokenMs)
            .put("simTokensPerSecond", options.tokensPerSecond).put("simAnswerTokens", options.answerTokens)
            .put("simAnswerSpread", options.answerSpread).put("simEmbeddingLatencyMs", options.embeddingLatencyMs))
        .put("targets", targets)
        .put("claims", claimJson)
        .put("phases", phaseJson)
        .put("widget", widget);
    if (floor != null) {
      json.put("simFloor", new JsonObject().put("firstToken", floor.firstToken().toJson())
          .put("done", floor.done().toJson()).put("errors", floor.errors()));
    }
    return json;
  }
}
