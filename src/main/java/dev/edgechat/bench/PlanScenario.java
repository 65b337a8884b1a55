package dev.edgechat.bench;

import dev.edgechat.web.PlainWebClient;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench plan} (also {@code bench --scenario plan}): replays the performance plan's
 * table on this system. Starts Postgres, Redis and the sim (calibrated to the plan's "current
 * state"), then, each on a freshly started deployment with its own edge-config switches, runs the
 * same open-loop visitor load: the baseline (every optimization off), phases 1, 2 and 3, and each
 * optimization on alone; then the same questions straight to the sim (the floor) and the widget's
 * asset loads. Writes {@code plan.md}, {@code plan.json} and {@code plan-latency.svg} to {@code --out}.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Replays the performance plan's table: baseline, phases 1-3 and each optimization alone, as ratios"
        + " from one run (see docs/benchmarks.md).")
public final class PlanScenario implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(PlanScenario.class);
  static final List<String> SITES = List.of("help", "shop", "bank");

  @Option(names = "--rate", defaultValue = "20", description = "visits per second, open loop (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--phase-seconds", defaultValue = "10",
      description = "arrival window of each phase (default: ${DEFAULT-VALUE})")
  double phaseSeconds;

  @Option(names = "--drain-seconds", defaultValue = "25",
      description = "longest wait for answers under way after a phase's last arrival (default: ${DEFAULT-VALUE})")
  double drainSeconds;

  @Option(names = "--capacity-rate", defaultValue = "100",
      description = "visits per second of the phase-3 capacity step (the plan's 50-100 req/s) (default: ${DEFAULT-VALUE})")
  double capacityRate;

  @Option(names = "--burst", defaultValue = "1000",
      description = "requests sent within one second for the queue comparison (default: ${DEFAULT-VALUE})")
  int burst;

  @Option(names = "--seed", defaultValue = "42", description = "seed of the catalogue and visits (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--intents", defaultValue = "40", description = "intents per site (default: ${DEFAULT-VALUE})")
  int intents;

  @Option(names = "--zipf", defaultValue = "1.0", description = "Zipf exponent of intent popularity (default: ${DEFAULT-VALUE})")
  double zipf;

  @Option(names = "--follow-ups", defaultValue = "0.2",
      description = "share of visits with a follow-up question (default: ${DEFAULT-VALUE})")
  double followUps;

  @Option(names = "--think-ms", defaultValue = "2000",
      description = "how long a visitor reads an answer before asking its follow-up (default: ${DEFAULT-VALUE})")
  long thinkMs;

  @Option(names = "--visitor-origin-rtt-ms", defaultValue = "120", description = "(default: ${DEFAULT-VALUE})")
  long visitorOriginRttMs;

  @Option(names = "--visitor-edge-rtt-ms", defaultValue = "10", description = "(default: ${DEFAULT-VALUE})")
  long visitorEdgeRttMs;

  @Option(names = "--edge-origin-rtt-ms", defaultValue = "115", description = "(default: ${DEFAULT-VALUE})")
  long edgeOriginRttMs;

  @Option(names = "--first-token-ms", defaultValue = "1200", description = "sim calibration (default: ${DEFAULT-VALUE})")
  int firstTokenMs;

  @Option(names = "--tokens-per-second", defaultValue = "19", description = "sim calibration (default: ${DEFAULT-VALUE})")
  double tokensPerSecond;

  @Option(names = "--answer-tokens", defaultValue = "200", description = "sim calibration (default: ${DEFAULT-VALUE})")
  int answerTokens;

  @Option(names = "--answer-spread", defaultValue = "0.7", description = "sim calibration (default: ${DEFAULT-VALUE})")
  double answerSpread;

  @Option(names = "--embedding-latency-ms", defaultValue = "150",
      description = "sim calibration (default: ${DEFAULT-VALUE})")
  int embeddingLatencyMs;

  @Option(names = "--only", split = ",", paramLabel = "PHASE",
      description = "run only these phases (names as in the report; the baseline always runs)")
  Set<String> only;

  @Option(names = "--out", defaultValue = "bench-results/plan", description = "report folder (default: ${DEFAULT-VALUE})")
  Path out;

  /** How a step loads the system. */
  enum Load {
    /** {@code --rate} visits/s; waits for every answer (up to {@code --drain-seconds}). */
    STEADY,
    /**
     * {@code --rate} visits/s; its figures are taken when a request starts (upstream calls, similarity
     * search), so answers still under way 2 s after the last arrival are cut, not waited for.
     */
    STEADY_CUT,
    /** {@code --capacity-rate} visits/s, waiting for every answer. */
    CAPACITY,
    /**
     * {@code --burst} first questions within one second; synchronous ones are followed for
     * {@code --drain-seconds} (long enough for each to be answered, queued or refused at origin's
     * upstream pool), asynchronous ones cut 2 s after (a 202 is all they wait for).
     */
    BURST
  }

  /**
   * One step of the scenario: name, description, switches over the baseline, near edge, async, load,
   * and whether its caches are warmed first (unrecorded visits from the same distribution, other
   * draws, {@value PhaseRunner#WARM_RATE}/s for {@value PhaseRunner#WARM_SECONDS} s, answers waited
   * for): a help widget that has been running holds what its visitors asked before. Without it a
   * phase shorter than one answer (~12 s) would find no answer cached at all.
   */
  record Step(String name, String description, Map<String, String> switches, boolean nearEdge, boolean async,
      Load load, boolean warm) {

    boolean cut() {
      return load == Load.STEADY_CUT || load == Load.BURST && async;
    }

    /** The settings of this step over the common ones: the baseline, this step's switches, the burst's pool. */
    Map<String, String> settings() {
      return load == Load.BURST ? merge(BASELINE, switches, BURST_SETTINGS) : merge(BASELINE, switches);
    }
  }

  /** Every optimization off: the plan's "current state" on our code. */
  static final Map<String, String> BASELINE = ordered(
      "EDGECHAT_FEATURES_STREAMING", "false",
      "EDGECHAT_CACHE_L1", "false",
      "EDGECHAT_CACHE_L2", "false",
      "EDGECHAT_CACHE_SEMANTIC", "false",
      "EDGECHAT_CACHE_COALESCING", "false",
      "EDGECHAT_EMBEDDINGS_CACHE", "false",
      "EDGECHAT_EMBEDDINGS_BATCH_WINDOW_MS", "0",
      "EDGECHAT_ORIGIN_WRITE_BATCH_MS", "0",
      "EDGECHAT_POSTGRES_WRITER_POOL_SIZE", "1",
      "EDGECHAT_POSTGRES_READER_POOL_SIZE", "1");
  static final Map<String, String> STREAMING = ordered("EDGECHAT_FEATURES_STREAMING", "true");
  static final Map<String, String> ANSWER_CACHE = ordered("EDGECHAT_CACHE_L1", "true", "EDGECHAT_CACHE_L2", "true");
  static final Map<String, String> DATABASE = ordered("EDGECHAT_POSTGRES_WRITER_POOL_SIZE", "20",
      "EDGECHAT_POSTGRES_READER_POOL_SIZE", "20");
  static final Map<String, String> EMBEDDING_CACHE = ordered("EDGECHAT_EMBEDDINGS_CACHE", "true");
  static final Map<String, String> SEMANTIC = ordered("EDGECHAT_CACHE_SEMANTIC", "true");
  static final Map<String, String> BATCHING = ordered("EDGECHAT_EMBEDDINGS_BATCH_WINDOW_MS", "5",
      "EDGECHAT_ORIGIN_WRITE_BATCH_MS", "2");
  static final Map<String, String> COALESCING = ordered("EDGECHAT_CACHE_COALESCING", "true");
  /** The queue comparison runs at origin's shipped limit of upstream streams (edgechat.yaml's llm.poolSize). */
  static final int BURST_LLM_POOL = 64;
  static final Map<String, String> BURST_SETTINGS = ordered("EDGECHAT_LLM_POOL_SIZE", Integer.toString(BURST_LLM_POOL));

  static List<Step> steps() {
    Map<String, String> phase1 = merge(STREAMING, ANSWER_CACHE, DATABASE);
    Map<String, String> phase2 = merge(phase1, EMBEDDING_CACHE, SEMANTIC, BATCHING, COALESCING);
    return List.of(
        new Step("baseline", "every optimization off", Map.of(), false, false, Load.STEADY, false),
        new Step("phase1", "streaming, answer cache (L1 + Redis), Postgres pools of 20", phase1, false, false,
            Load.STEADY, true),
        new Step("phase2", "phase 1 + embedding cache, semantic cache, batching, coalescing", phase2, false, false,
            Load.STEADY, true),
        new Step("phase3", "phase 2 + an edge near the visitor", phase2, true, false, Load.STEADY, true),
        new Step("phase3-capacity", "phase 3 at the capacity rate", phase2, true, false, Load.CAPACITY, true),
        new Step("only-streaming", "baseline + streaming", STREAMING, false, false, Load.STEADY, false),
        new Step("only-answer-cache", "baseline + answer cache (L1 + Redis)", ANSWER_CACHE, false, false, Load.STEADY,
            true),
        new Step("only-database", "baseline + Postgres pools of 20", DATABASE, false, false, Load.STEADY, false),
        new Step("only-edge", "baseline + an edge near the visitor", Map.of(), true, false, Load.STEADY, false),
        new Step("only-embedding-cache", "baseline + embedding cache (Redis)", EMBEDDING_CACHE, false, false,
            Load.STEADY_CUT, true),
        new Step("only-batching", "baseline + embedding batch window 5 ms, write-behind batches", BATCHING, false,
            false, Load.STEADY_CUT, false),
        new Step("only-coalescing", "baseline + coalescing of identical questions in flight", COALESCING, false,
            false, Load.STEADY_CUT, false),
        new Step("burst-sync", "baseline, a burst of first questions at once, answered synchronously", Map.of(),
            false, false, Load.BURST, false),
        new Step("burst-async", "baseline, the same burst with Prefer: respond-async (job queue)", Map.of(), false,
            true, Load.BURST, false));
  }

  @Override
  public Integer call() throws Exception {
    if (!(rate > 0) || !(phaseSeconds > 0) || drainSeconds < 0 || burst < 1) {
      System.err.println("bench plan: --rate and --phase-seconds must be positive, --burst at least 1");
      return 2;
    }
    QuestionCatalogue catalogue = new QuestionCatalogue(SITES, intents, zipf, followUps, seed);
    Vertx vertx = Vertx.vertx();
    HttpClientAgent visitors = vertx.httpClientBuilder()
        // every visit on a new connection, as distinct visitors' browsers: each pays its handshake's round trip
        .with(new HttpClientOptions().setKeepAlive(false).setTcpNoDelay(true).setConnectTimeout(10_000))
        .with(new PoolOptions().setHttp1MaxSize(5000).setMaxWaitQueueSize(-1))
        .build();
    WebClient admin = PlainWebClient.create(vertx);
    Map<String, String> simEnv = ordered(
        "EDGECHAT_SIM_FIRST_TOKEN_MS", Integer.toString(firstTokenMs),
        "EDGECHAT_SIM_TOKENS_PER_SECOND", Double.toString(tokensPerSecond),
        "EDGECHAT_SIM_ANSWER_TOKENS", Integer.toString(answerTokens),
        "EDGECHAT_SIM_ANSWER_SPREAD", Double.toString(answerSpread),
        "EDGECHAT_SIM_EMBEDDING_LATENCY_MS", Integer.toString(embeddingLatencyMs));
    List<PlanPhase> phases = new ArrayList<>();
    JsonObject widget = new JsonObject();
    PhaseRunner.SimFloor floor;
    long started = System.nanoTime();
    try (PlanSystem system = new PlanSystem(vertx,
        new PlanSystem.Distances(visitorOriginRttMs, visitorEdgeRttMs, edgeOriginRttMs), simEnv)) {
      system.start();
      PhaseRunner runner = new PhaseRunner(vertx, system, visitors, admin, catalogue, this);
      boolean seeded = false;
      for (Step step : steps()) {
        if (only != null && !step.name().equals("baseline") && !only.contains(step.name())) {
          continue;
        }
        phases.add(runner.run(step, seeded, widget));
        seeded = true;
      }
      floor = runner.simFloor();
    } finally {
      visitors.close().await();
      admin.close();
      vertx.close().await();
    }
    double minutes = (System.nanoTime() - started) / 60e9;
    PlanReport report = new PlanReport(this, phases, floor, widget, minutes);
    Files.createDirectories(out);
    String markdown = report.toMarkdown();
    Files.writeString(out.resolve("plan.md"), markdown);
    Files.writeString(out.resolve("plan.json"), report.toJson().encodePrettily() + "\n");
    Files.writeString(out.resolve("plan-latency.svg"), LatencyChart.svg(report.chartSeries()));
    System.out.println(markdown);
    System.err.println("bench plan: wrote " + out.resolve("plan.md") + ", plan.json and plan-latency.svg");
    return phases.stream().anyMatch(p -> !p.cut() && p.measured().succeeded() == 0) ? 1 : 0;
  }

  /** Runs the steps against {@link PlanSystem} deployments. */
  static final class PhaseRunner {

    /** The sim alone under the same load: the floor. */
    record SimFloor(Latency firstToken, Latency done, long errors) {
    }

    /** How long a cut step waits after its last arrival. */
    static final long CUT_AFTER_MS = 2000;
    static final int WIDGET_VISITS = 10;
    static final int WARM_RATE = 100;
    static final int WARM_SECONDS = 2;

    private final Vertx vertx;
    private final PlanSystem system;
    private final HttpClientAgent visitors;
    private final WebClient admin;
    private final QuestionCatalogue catalogue;
    private final PlanScenario options;

    PhaseRunner(Vertx vertx, PlanSystem system, HttpClientAgent visitors, WebClient admin,
        QuestionCatalogue catalogue, PlanScenario options) {
      this.vertx = vertx;
      this.system = system;
      this.visitors = visitors;
      this.admin = admin;
      this.catalogue = catalogue;
      this.options = options;
    }

    PlanPhase run(Step step, boolean seeded, JsonObject widget) throws Exception {
      Map<String, String> switches = step.settings();
      LOG.info("phase starting [phase: {}]", step.name());
      try (PlanSystem.Deployment deployment = system.deploy(switches, step.nearEdge())) {
        if (!seeded) {
          for (String site : catalogue.sites()) {
            system.seedSite(admin, deployment.centralUrl(), site, catalogue.intents(site));
          }
        }
        if (step.warm()) {
          // warm-up: other draws of the same visitors; for a cut step only its start-of-request caches matter
          new VisitorLoad(new ChatVisit(visitors, deployment.visitorUrl() + "/v1/chat", 60_000), catalogue, false,
              true, options.thinkMs, options.seed + 1).run(vertx.getOrCreateContext(), WARM_RATE, WARM_SECONDS,
              step.cut() ? CUT_AFTER_MS : (long) (options.drainSeconds * 1000)).await();
        }
        system.resetSimStats(admin);
        ServerFigures before = ServerFigures.read(deployment.originMetrics());
        Context context = vertx.getOrCreateContext();
        ChatVisit visit = new ChatVisit(visitors, deployment.visitorUrl() + "/v1/chat", 60_000);
        double rate = switch (step.load()) {
          case BURST -> options.burst;
          case CAPACITY -> options.capacityRate;
          default -> options.rate;
        };
        double seconds = step.load() == Load.BURST ? 1 : options.phaseSeconds;
        long drainMs = step.cut() ? CUT_AFTER_MS : (long) (options.drainSeconds * 1000);
        // a burst compares what is taken on at once: first questions only, no follow-ups
        VisitorLoad.Measured measured = new VisitorLoad(visit, catalogue, step.async(), step.load() != Load.BURST,
            options.thinkMs, options.seed).run(context, rate, seconds, drainMs).await();
        JsonObject upstream = system.simStats(admin);
        JsonObject server = ServerFigures.between(before, ServerFigures.read(deployment.originMetrics()),
            measured.requests());
        if (step.name().equals("baseline") || step.name().equals("only-edge")) {
          WidgetLoad load = new WidgetLoad(visitors);
          String base = deployment.visitorUrl().toString();
          String where = step.nearEdge() ? "edge" : "central";
          widget.put(where + "Cold", load.cold(where + " cold", base, WIDGET_VISITS).await().toJson());
          widget.put(where + "Revalidated", load.revalidated(where + " revalidated", base, WIDGET_VISITS).await()
              .toJson());
        }
        PlanPhase phase = new PlanPhase(step.name(), step.description(), switches, step.nearEdge(), step.async(),
            step.cut(), rate, seconds, measured, upstream, server);
        LOG.info("phase finished [phase: {}, succeeded: {}, failures: {}, done mean: {} ms]", step.name(),
            measured.succeeded(), phase.failures(), measured.latency(ChatVisit.DONE).meanMs());
        return phase;
      }
    }

    /** The same visits straight to the sim, streamed: what the model alone costs. */
    SimFloor simFloor() {
      SimCompletionCall call = new SimCompletionCall(visitors, system.simUrl() + "/v1/chat/completions", 60_000,
          i -> "");
      Random random = new Random(options.seed);
      Histogram first = new Histogram(3);
      Histogram done = new Histogram(3);
      long[] errors = {0};
      OpenLoop.run(vertx.getOrCreateContext(), options.rate, options.phaseSeconds,
          (long) (options.drainSeconds * 1000), (sequence, due) -> call.send(catalogue.next(random).question(),
              Marks.sentAt(due)).andThen(r -> {
                if (r.failed()) {
                  errors[0]++;
                  return;
                }
                r.result().elapsedNanos().forEach((milestone, nanos) -> (milestone.equals(SimCompletionCall.DONE)
                    ? done : first).recordValue(TimeUnit.NANOSECONDS.toMicros(nanos)));
              })).await();
      return new SimFloor(Latency.of(first), Latency.of(done), errors[0]);
    }
  }

  @SafeVarargs
  static Map<String, String> merge(Map<String, String>... layers) {
    Map<String, String> merged = new LinkedHashMap<>();
    for (Map<String, String> layer : layers) {
      merged.putAll(layer);
    }
    return merged;
  }

  static Map<String, String> ordered(String... keysAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }
}
