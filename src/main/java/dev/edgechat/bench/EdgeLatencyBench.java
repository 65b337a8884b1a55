package dev.edgechat.bench;

import dev.edgechat.topology.DelayProxy;
import dev.edgechat.topology.EdgeRegion;
import dev.edgechat.topology.Topology;
import dev.edgechat.topology.TopologySettings;
import dev.edgechat.web.PlainWebClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench edge-latency}: the plan's claim 7 ("edge deployment: −60 % global latency")
 * on the topology. Visitors in one region ({@code --region}, default {@code sin}, 180 ms from origin
 * in {@code ord}) ask the same questions of two deployments, in turn:
 *
 * <ul>
 *   <li><b>A</b>, no edge near them: they reach the edge that runs beside origin (in the primary
 *       region, {@code --primary-edge-rtt-ms} from origin, on the primary region's Redis) across the
 *       distance between their region and origin: today's single-region deployment seen from far away;
 *   <li><b>B</b>, an edge in their region: {@code --visitor-edge-rtt-ms} away, which reaches origin
 *       across the same distance and has a Redis of its own 1 ms away.
 * </ul>
 *
 * <p>Both arms run on one topology (real processes: Postgres primary and replica, origin, worker, the
 * sim, both edges), so they share origin and the model, one arm at a time. Each run gets sites of its
 * own, made fresh through the admin API before the first run with the same documents, so every run's
 * edge caches (in-process, regional Redis, semantic index) start empty and are filled only by that
 * run's warm-up: the same unrecorded visits (other draws of the same workload) in each run. The
 * visits are drawn from the plan's {@link QuestionCatalogue} with the same seed in every run, open
 * loop, a new connection per question (a new visitor); follow-ups in the same conversation after a
 * think time. Unrecorded warm rounds (both arms) go first, so the JVMs are warm. Writes
 * {@code edge-latency.md} and {@code edge-latency.json} to {@code --out}.
 */
@Command(name = "edge-latency", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {"Claim 7 on the topology: visitors in one region asking an edge beside origin across the distance"
        + " (A) vs an edge in their own region (B), the same questions, runs in turn; time to ready, first token and"
        + " done, p50 and p95, over all answers and by cache outcome, medians of runs."})
final class EdgeLatencyBench implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeLatencyBench.class);

  @Option(names = "--region", defaultValue = "sin",
      description = "the visitors' region; it gets an edge of its own for arm B (default: ${DEFAULT-VALUE})")
  String region;

  @Option(names = "--origin-rtt-ms", defaultValue = "180",
      description = "round trip between the visitors' region and origin's: visitor to the edge beside origin (A),"
          + " and the region's edge to origin (B) (default: ${DEFAULT-VALUE})")
  long originRttMs;

  @Option(names = "--visitor-edge-rtt-ms", defaultValue = "5",
      description = "round trip between a visitor and the edge in its region (B) (default: ${DEFAULT-VALUE})")
  long visitorEdgeRttMs;

  @Option(names = "--primary-edge-rtt-ms", defaultValue = "1",
      description = "round trip between the edge beside origin and origin (A) (default: ${DEFAULT-VALUE})")
  long primaryEdgeRttMs;

  @Option(names = "--rounds", defaultValue = "3",
      description = "measured runs of each arm, A B A B … (default: ${DEFAULT-VALUE})")
  int rounds;

  @Option(names = "--warm-rounds", defaultValue = "2",
      description = "unrecorded rounds of both arms first, each its warm-up visits only, for the JVMs"
          + " (default: ${DEFAULT-VALUE})")
  int warmRounds;

  @Option(names = "--rate", defaultValue = "15", description = "measured visits per second, open loop"
      + " (default: ${DEFAULT-VALUE})")
  double rate;

  @Option(names = "--seconds", defaultValue = "20",
      description = "measured arrival window of each run (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--warm-visits", defaultValue = "200",
      description = "unrecorded visits that fill each run's caches before it is measured (default: ${DEFAULT-VALUE})")
  int warmVisits;

  @Option(names = "--warm-rate", defaultValue = "50",
      description = "visits per second of the warm-up (default: ${DEFAULT-VALUE})")
  double warmRate;

  @Option(names = "--drain-seconds", defaultValue = "20",
      description = "longest wait for answers under way after a run's last arrival (default: ${DEFAULT-VALUE})")
  double drainSeconds;

  @Option(names = "--seed", defaultValue = "42",
      description = "seed of the catalogue and of the visits (default: ${DEFAULT-VALUE})")
  long seed;

  @Option(names = "--intents", defaultValue = "40", description = "intents per site (default: ${DEFAULT-VALUE})")
  int intents;

  @Option(names = "--zipf", defaultValue = "1.0",
      description = "Zipf exponent of intent popularity (default: ${DEFAULT-VALUE})")
  double zipf;

  @Option(names = "--follow-ups", defaultValue = "0.2",
      description = "share of visits with a follow-up question (default: ${DEFAULT-VALUE})")
  double followUps;

  @Option(names = "--think-ms", defaultValue = "2000",
      description = "how long a visitor reads an answer before its follow-up (default: ${DEFAULT-VALUE})")
  long thinkMs;

  @Option(names = "--jvm-option", paramLabel = "OPTION",
      description = "an option for every role's JVM, e.g. --jvm-option=-Xmx512m; repeat for several")
  List<String> jvmOptions;

  @Option(names = "--out", defaultValue = "bench-results/edge-latency",
      description = "folder for edge-latency.md and edge-latency.json (default: ${DEFAULT-VALUE})")
  Path out;

  /** One run: which arm, which round (0 and below: warm rounds, not recorded), and its sites. */
  record Plan(String arm, int round, List<String> sites) {

    boolean measured() {
      return round > 0;
    }
  }

  /**
   * The runs in the order they run: {@code warmRounds} unrecorded rounds, then {@code rounds}
   * measured ones, each round A then B, each run with sites of its own ({@code r1a-help} …).
   */
  static List<Plan> plans(int warmRounds, int rounds, List<String> sites) {
    List<Plan> plans = new ArrayList<>();
    for (int round = 1 - warmRounds; round <= rounds; round++) {
      for (String arm : List.of(EdgeLatencyReport.ARM_A, EdgeLatencyReport.ARM_B)) {
        String prefix = (round > 0 ? "r" + round : "w" + (1 - round)) + arm.toLowerCase(Locale.ROOT) + "-";
        plans.add(new Plan(arm, round, sites.stream().map(site -> prefix + site).toList()));
      }
    }
    return plans;
  }

  @Override
  public Integer call() throws Exception {
    if (rounds < 1 || warmRounds < 0 || !(rate > 0) || !(seconds > 0) || warmVisits < 0 || !(warmRate > 0)
        || drainSeconds < 0 || visitorEdgeRttMs < 0) {
      System.err.println("bench edge-latency: --rounds must be at least 1, --warm-rounds and --warm-visits at least 0,"
          + " --rate, --seconds and --warm-rate positive, --drain-seconds and --visitor-edge-rtt-ms not negative");
      return 2;
    }
    TopologySettings settings;
    try {
      settings = TopologySettings.defaults().withEdgeRegions(List.of(new EdgeRegion(region, originRttMs)))
          .withPrimaryEdge(primaryEdgeRttMs).withJvmOptions(jvmOptions == null ? List.of() : jvmOptions);
    } catch (IllegalArgumentException e) {
      System.err.println("bench edge-latency: " + e.getMessage());
      return 2;
    }
    String primary = settings.primaryRegion();
    Vertx vertx = Vertx.vertx();
    HttpClientAgent visitors = vertx.httpClientBuilder()
        // every question on a new connection, as distinct visitors' browsers: each pays its handshake's way out
        .with(new HttpClientOptions().setKeepAlive(false).setTcpNoDelay(true).setConnectTimeout(10_000))
        .with(new PoolOptions().setHttp1MaxSize(5000).setMaxWaitQueueSize(-1))
        .build();
    WebClient admin = PlainWebClient.create(vertx);
    long drainMs = (long) (drainSeconds * 1000);
    List<EdgeLatencyReport.Run> runs = new ArrayList<>();
    long began = System.nanoTime();
    try (Topology topology = Topology.start(settings)) {
      // the visitors' distances: to the edge beside origin as far as origin is (A), to their own edge (B)
      DelayProxy far = DelayProxy.start(vertx, topology.edge(primary).port(), originRttMs).await();
      DelayProxy near = DelayProxy.start(vertx, topology.edge(region).port(), visitorEdgeRttMs).await();
      Map<String, URI> chatUrls = Map.of(
          EdgeLatencyReport.ARM_A, URI.create("http://127.0.0.1:" + far.port() + "/v1/chat"),
          EdgeLatencyReport.ARM_B, URI.create("http://127.0.0.1:" + near.port() + "/v1/chat"));
      Map<String, String> armRegions = Map.of(EdgeLatencyReport.ARM_A, primary, EdgeLatencyReport.ARM_B, region);
      QuestionCatalogue shape = catalogue(PlanScenario.SITES);
      List<Plan> plans = plans(warmRounds, rounds, PlanScenario.SITES);
      seed(topology, admin, plans, shape);
      for (String arm : List.of(EdgeLatencyReport.ARM_A, EdgeLatencyReport.ARM_B)) {
        probe(new ChatVisit(visitors, chatUrls.get(arm).toString(), 60_000), arm, armRegions.get(arm));
      }
      for (Plan plan : plans) {
        ChatVisit visit = new ChatVisit(visitors, chatUrls.get(plan.arm()).toString(), 60_000);
        QuestionCatalogue catalogue = catalogue(plan.sites());
        LOG.info("run starting [arm: {}, round: {}, sites: {}]", plan.arm(), plan.round(), plan.sites());
        if (warmVisits > 0) {
          new VisitorLoad(visit, catalogue, false, true, thinkMs, seed + 1)
              .run(vertx.getOrCreateContext(), warmRate, warmVisits / warmRate, drainMs).await();
        }
        if (!plan.measured()) {
          continue;
        }
        VisitorLoad.Measured measured = new VisitorLoad(visit, catalogue, false, true, thinkMs, seed)
            .run(vertx.getOrCreateContext(), rate, seconds, drainMs).await();
        EdgeLatencyReport.Run run = EdgeLatencyReport.Run.of(plan.arm(), plan.round(), measured, loadAverage());
        runs.add(run);
        LOG.info("run finished [run: {}, answered: {}, failed: {}, outcomes: {}, done p50: {} ms]", run.name(),
            run.succeeded(), run.failed(), run.cacheOutcomes(), run.latency(ChatVisit.DONE, "all").p50Ms());
      }
      far.close();
      near.close();
    } finally {
      visitors.close().await();
      admin.close();
      vertx.close().await();
    }
    double minutes = (System.nanoTime() - began) / 60e9;
    Map<String, String> arms = new LinkedHashMap<>();
    arms.put(EdgeLatencyReport.ARM_A, String.format(Locale.ROOT, "no edge near the visitor: the edge beside origin"
        + " (region %s, %d ms from origin, on %s's Redis), %d ms from the visitor", primary, primaryEdgeRttMs, primary,
        originRttMs));
    arms.put(EdgeLatencyReport.ARM_B, String.format(Locale.ROOT, "an edge in the visitor's region %s, %d ms from the"
        + " visitor, %d ms from origin, its own Redis %d ms away", region, visitorEdgeRttMs, originRttMs,
        settings.redisRttMs()));
    EdgeLatencyReport report = new EdgeLatencyReport(setup(primary, minutes), arms, runs);
    String markdown = report.toMarkdown();
    System.out.println(markdown);
    Files.createDirectories(out);
    Files.writeString(out.resolve("edge-latency.md"), markdown, StandardCharsets.UTF_8);
    Files.writeString(out.resolve("edge-latency.json"), report.toJson().encodePrettily() + "\n",
        StandardCharsets.UTF_8);
    System.err.println("bench edge-latency: wrote " + out.resolve("edge-latency.md") + " and edge-latency.json");
    return runs.stream().allMatch(r -> r.succeeded() > 0) ? 0 : 1;
  }

  /** The machine's 1-minute load average ({@code /proc/loadavg}); NaN when it cannot be read. */
  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private QuestionCatalogue catalogue(List<String> sites) {
    return new QuestionCatalogue(sites, intents, zipf, followUps, seed);
  }

  /** Makes every run's sites up front, so no ingestion runs while a run is measured. */
  private static void seed(Topology topology, WebClient admin, List<Plan> plans, QuestionCatalogue shape) {
    CatalogueSites sites = new CatalogueSites(admin, topology.origin().url(), topology.adminToken());
    Map<String, Integer> documents = new LinkedHashMap<>();
    for (Plan plan : plans) {
      for (int i = 0; i < plan.sites().size(); i++) {
        // the same seed gives every run the same intents, site by site: the shape's sites are the plain names
        List<List<String>> intents = shape.intents(shape.sites().get(i));
        sites.create(plan.sites().get(i), intents);
        documents.put(plan.sites().get(i), intents.size());
      }
    }
    sites.awaitIngested(documents, Duration.ofMinutes(5));
    topology.postgres().awaitReplicaCaughtUp(Duration.ofSeconds(60));
  }

  /** One question of the demo site through {@code visit}: it must be answered by an edge in {@code region}. */
  private static void probe(ChatVisit visit, String arm, String region) {
    Marks marks = visit.ask("demo", "How do I reset my password?", null, false, Marks.sentNow()).await();
    String answeredIn = marks.notes().get(ChatVisit.REGION);
    if (!region.equals(answeredIn)) {
      throw new IllegalStateException("arm " + arm + " was answered by an edge in " + answeredIn + ", not " + region);
    }
    LOG.info("arm {} answers from region {} [done after {} ms]", arm, answeredIn,
        marks.elapsedNanos().get(ChatVisit.DONE) / 1_000_000);
  }

  private String setup(String primary, double minutes) {
    return String.format(Locale.ROOT, "Topology: Postgres 15 primary + streaming replica, origin, worker and the sim"
            + " (at edge-config's `sim.*` defaults) in `%s`, an edge beside origin (arm A) and an edge in `%s` (arm"
            + " B); every part a process of its own, %d cores shared by all of it and the load"
            + " generator. Visitors in `%s`. Per run: fresh sites %s (%d intents × 4 wordings each, the same"
            + " documents), %d unrecorded warm-up visits at %.0f/s (seed %d), then %.0f visits/s for %.0f s, open"
            + " loop (seed %d, the same visits in every run; Zipf %.1f over the intents, wordings 4:3:2:1, %.0f %%"
            + " with a follow-up after %d ms), a new connection per question; up to %.0f s for the answers under"
            + " way. %d warm round(s) of both arms unrecorded, then %d measured rounds, A B A B …; whole command"
            + " %.1f min.", primary, region, Runtime.getRuntime().availableProcessors(), region,
        PlanScenario.SITES.stream().map(s -> "`" + s + "`").collect(Collectors.joining(", ")), intents, warmVisits,
        warmRate, seed + 1, rate, seconds, seed, zipf, followUps * 100, thinkMs, drainSeconds, warmRounds, rounds,
        minutes);
  }
}
