package dev.edgechat.bench;

import dev.edgechat.topology.EdgeRegion;
import dev.edgechat.topology.Topology;
import dev.edgechat.topology.TopologySettings;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench replicas}: the plan's claim 8 ("read replicas: 2× read throughput") on the
 * topology. Starts a topology (Postgres 15 primary + streaming replica, origin, one edge, no sim),
 * seeds conversations through origin's {@code /internal/records}, then drives a closed loop of the
 * reads origin serves edges ({@code GET /internal/conversations/{id}}, and {@code GET
 * /internal/sites/demo} for a share of them) straight at origin: after a warm-up, phases with the
 * replica and with it out of rotation (replay paused behind a write, so origin reads the primary
 * as if it had no replica) in turn, then a phase in which the replica is killed a quarter in. For
 * each: reads served per second, failed requests, latency, where origin's reads ran
 * ({@code edgechat_db_reads_total} by target: the primary's share) and the CPU time each Postgres
 * server spent (its processes' utime + stime from /proc), per thousand reads. Writes
 * {@code replicas.md} and {@code replicas.json} to
 * {@code --out}.
 */
@Command(name = "replicas", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Claim 8 on the topology: reads origin serves with and without its read replica, the primary's"
        + " share of them, and failed requests while the replica is killed.")
final class ReplicaReadBench implements Callable<Integer> {

  private static final Pattern METRIC = Pattern.compile("^(\\w+)\\{([^}]*)\\}\\s+(\\S+)$");
  private static final Pattern TARGET = Pattern.compile("target=\"([^\"]*)\"");
  private static final long CLOCK_TICKS_PER_SECOND = 100;
  private static final java.net.http.HttpClient BLOCKING = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @Option(names = "--seconds", defaultValue = "20", description = "length of each phase (default: ${DEFAULT-VALUE})")
  private int seconds;

  @Option(names = "--concurrency", defaultValue = "32",
      description = "reads in flight at once (default: ${DEFAULT-VALUE})")
  private int concurrency;

  @Option(names = "--conversations", defaultValue = "1000",
      description = "conversations seeded, each a question and an answer (default: ${DEFAULT-VALUE})")
  private int conversations;

  @Option(names = "--site-share", defaultValue = "0.2",
      description = "share of reads that are site reads, the rest conversation reads (default: ${DEFAULT-VALUE})")
  private double siteShare;

  @Option(names = "--rounds", defaultValue = "3",
      description = "phases with and without the replica, taken in turn (default: ${DEFAULT-VALUE})")
  private int rounds;

  @Option(names = "--warmup-seconds", defaultValue = "15",
      description = "unrecorded reads first, so origin's JIT is warm (default: ${DEFAULT-VALUE})")
  private int warmupSeconds;

  @Option(names = "--out", defaultValue = "bench-results", description = "folder for replicas.md and replicas.json")
  private Path out;

  private static final String WITH = "with the replica";
  private static final String WITHOUT = "replica out of rotation (primary only)";

  /** One phase's figures. */
  record Phase(String name, long ok, long failed, double seconds, double p50Ms, double p99Ms,
      Map<String, Double> readsByTarget, double primaryCpuMs, double replicaCpuMs, Map<String, Long> failures) {

    double readsPerSecond() {
      return ok / seconds;
    }

    double dbReads() {
      return readsByTarget.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    double primaryShare() {
      double all = dbReads();
      return all == 0 ? Double.NaN : readsByTarget.getOrDefault("primary", 0.0) / all;
    }

    JsonObject toJson() {
      return new JsonObject().put("phase", name).put("ok", ok).put("failed", failed).put("seconds", seconds)
          .put("readsPerSecond", readsPerSecond()).put("p50Ms", p50Ms).put("p99Ms", p99Ms)
          .put("dbReadsByTarget", new JsonObject(new LinkedHashMap<>(readsByTarget)))
          .put("primaryShare", primaryShare()).put("primaryCpuMs", primaryCpuMs).put("replicaCpuMs", replicaCpuMs)
          .put("failures", new JsonObject(new LinkedHashMap<>(failures)));
    }
  }

  @Override
  public Integer call() throws Exception {
    TopologySettings settings = TopologySettings.defaults().withSim(false)
        .withEdgeRegions(List.of(new EdgeRegion("fra", 90)));
    Vertx vertx = Vertx.vertx();
    try (Topology topology = Topology.start(settings)) {
      URI origin = topology.origin().url();
      String token = topology.edgeToken();
      List<String> ids = seed(origin, token, conversations);
      topology.postgres().awaitReplicaCaughtUp(Duration.ofSeconds(60));
      Path postgresDir = topology.baseDir().resolve("postgres");
      HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
          new PoolOptions().setHttp1MaxSize(concurrency));
      List<Phase> phases = new ArrayList<>();
      run(vertx, http, origin, token, ids, warmupSeconds, "warm-up", postgresDir, () -> { });
      // with and without the replica in turn: the machine is shared, its load drifts; each mode gets the same luck
      for (int round = 1; round <= rounds; round++) {
        phases.add(run(vertx, http, origin, token, ids, seconds, WITH + " (" + round + ")", postgresDir, () -> { }));
        outOfRotation(topology, origin, token);
        phases.add(run(vertx, http, origin, token, ids, seconds, WITHOUT + " (" + round + ")", postgresDir, () -> { }));
        topology.postgres().resumeReplay();
        awaitRotation(origin, true);
      }
      phases.add(run(vertx, http, origin, token, ids, seconds, "replica killed at " + seconds / 4 + " s", postgresDir,
          () -> vertx.setTimer(TimeUnit.SECONDS.toMillis(seconds) / 4, t -> vertx.executeBlocking(() -> {
            topology.postgres().killReplica();
            return null;
          }))));
      topology.postgres().startReplica();
      topology.postgres().awaitStreaming(Duration.ofSeconds(60));
      String report = report(phases);
      System.out.println(report);
      Files.createDirectories(out);
      Files.writeString(out.resolve("replicas.md"), report, StandardCharsets.UTF_8);
      Files.writeString(out.resolve("replicas.json"), new JsonObject()
          .put("concurrency", concurrency).put("conversations", conversations).put("siteShare", siteShare)
          .put("cores", Runtime.getRuntime().availableProcessors())
          .put("phases", new JsonArray(phases.stream().map(Phase::toJson).toList())).encodePrettily(),
          StandardCharsets.UTF_8);
      return phases.get(0).ok() > 0 ? 0 : 1;
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Takes the replica out of rotation without stopping it, so that origin reads as if it had none:
   * its replay paused, a write (a record) made, and origin waited for until it sees the replica
   * lagging past {@code postgres.maxReplicaLagMs}.
   */
  private static void outOfRotation(Topology topology, URI origin, String token) throws Exception {
    topology.postgres().pauseReplay();
    seed(origin, token, 1);
    awaitRotation(origin, false);
  }

  /** Waits until origin's {@code /readyz} shows its replica in rotation ({@code up}) or out of it. */
  private static void awaitRotation(URI origin, boolean up) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      last = BLOCKING.send(HttpRequest.newBuilder(origin.resolve("/readyz")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      JsonObject checks = new JsonObject(last).getJsonObject("checks");
      boolean isUp = checks.fieldNames().stream().filter(name -> name.startsWith("postgres-replica "))
          .allMatch(name -> "up".equals(checks.getJsonObject(name).getString("status")));
      if (isUp == up) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the replica did not go " + (up ? "into" : "out of") + " rotation: " + last);
  }

  /** Conversations of one exchange each, saved through {@code /internal/records} as an edge would. */
  private static List<String> seed(URI origin, String token, int count) throws IOException, InterruptedException {
    java.net.http.HttpClient client = BLOCKING;
    List<String> ids = new ArrayList<>(count);
    for (int from = 0; from < count; from += 200) {
      JsonArray records = new JsonArray();
      for (int i = from; i < Math.min(count, from + 200); i++) {
        String conversation = Ids.next();
        ids.add(conversation);
        records.add(new JsonObject().put("site", "demo").put("conversation", conversation)
            .put("newConversation", true).put("message", Ids.next())
            .put("question", "How do I reset my password? (" + i + ")")
            .put("answer", "Open Settings, choose Security and follow the link we e-mail you. (" + i + ")"));
      }
      HttpResponse<String> saved = client.send(HttpRequest.newBuilder(origin.resolve("/internal/records"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("records", records).encode())).build(),
          HttpResponse.BodyHandlers.ofString());
      if (saved.statusCode() != 200) {
        throw new IllegalStateException("seeding failed: " + saved.statusCode() + " " + saved.body());
      }
    }
    return ids;
  }

  private Phase run(Vertx vertx, HttpClient http, URI origin, String token, List<String> ids, int phaseSeconds,
      String name, Path postgresDir, Runnable during) throws Exception {
    Map<String, Double> readsBefore = readsByTarget(origin);
    long primaryCpuBefore = cpuTicks(postgresDir.resolve("primary"));
    long replicaCpuBefore = cpuTicks(postgresDir.resolve("replica"));
    Histogram micros = new Histogram(3);
    long[] counts = new long[2];
    Map<String, Long> failures = new TreeMap<>();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(phaseSeconds);
    Promise<Void> finished = Promise.promise();
    vertx.runOnContext(v -> {
      during.run();
      List<Future<Void>> workers = new ArrayList<>();
      for (int i = 0; i < concurrency; i++) {
        Promise<Void> worker = Promise.promise();
        workers.add(worker.future());
        next(vertx, http, origin, token, ids, deadline, micros, counts, failures, worker);
      }
      Future.all(workers).onComplete(all -> finished.complete());
    });
    finished.future().toCompletionStage().toCompletableFuture().get(phaseSeconds + 120L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - started) / 1e9;
    Map<String, Double> readsAfter = readsByTarget(origin);
    Map<String, Double> delta = new TreeMap<>();
    readsAfter.forEach((target, after) -> {
      double d = after - readsBefore.getOrDefault(target, 0.0);
      if (d > 0) {
        delta.put(target.equals("primary") ? "primary" : "replica " + target, d);
      }
    });
    double tick = 1000.0 / CLOCK_TICKS_PER_SECOND;
    return new Phase(name, counts[0], counts[1], elapsed, micros.getValueAtPercentile(50) / 1000.0,
        micros.getValueAtPercentile(99) / 1000.0, delta,
        (cpuTicks(postgresDir.resolve("primary")) - primaryCpuBefore) * tick,
        Math.max(0, cpuTicks(postgresDir.resolve("replica")) - replicaCpuBefore) * tick, failures);
  }

  /** One worker's next read, until the deadline; all on the bench's context. */
  private void next(Vertx vertx, HttpClient http, URI origin, String token, List<String> ids, long deadline,
      Histogram micros, long[] counts, Map<String, Long> failures, Promise<Void> worker) {
    if (System.nanoTime() >= deadline) {
      worker.complete();
      return;
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String path = random.nextDouble() < siteShare ? "/internal/sites/demo"
        : "/internal/conversations/" + ids.get(random.nextInt(ids.size()));
    long sent = System.nanoTime();
    http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost(origin.getHost()).setPort(origin.getPort())
            .setURI(path).putHeader("Authorization", "Bearer " + token).setIdleTimeout(30_000))
        .compose(request -> request.send().compose(response -> response.body().map(body -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + " " + first(body));
          }
          return body;
        })))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            counts[0]++;
            micros.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
          } else {
            counts[1]++;
            failures.merge(first(Buffer.buffer(String.valueOf(ar.cause().getMessage()))), 1L, Long::sum);
          }
          vertx.runOnContext(v -> next(vertx, http, origin, token, ids, deadline, micros, counts, failures, worker));
        });
  }

  private static String first(Buffer body) {
    String text = body.toString();
    return text.length() > 120 ? text.substring(0, 120) : text;
  }

  /** Origin's {@code edgechat_db_reads_total}, summed by target. */
  private static Map<String, Double> readsByTarget(URI origin) throws IOException, InterruptedException {
    HttpResponse<String> metrics = BLOCKING.send(
        HttpRequest.newBuilder(origin.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    Map<String, Double> byTarget = new TreeMap<>();
    for (String line : metrics.body().split("\n")) {
      Matcher m = METRIC.matcher(line.trim());
      if (m.matches() && m.group(1).equals("edgechat_db_reads_total")) {
        Matcher target = TARGET.matcher(m.group(2));
        // a replica's reads it did not answer (not found, failed) were answered by the primary, counted there
        if (target.find() && (target.group(1).equals("primary") || m.group(2).contains("reason=\"served\""))) {
          byTarget.merge(target.group(1), Double.parseDouble(m.group(3)), Double::sum);
        }
      }
    }
    return byTarget;
  }

  /**
   * CPU time (utime + stime, clock ticks) of a Postgres server's postmaster and its children: its
   * backends, WAL sender or receiver, startup (replay) process. 0 when it is not running.
   */
  static long cpuTicks(Path dataDir) {
    long postmaster;
    try {
      postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
    } catch (IOException | RuntimeException e) {
      return 0;
    }
    long ticks = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String stat = Files.readString(proc.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long pid = Long.parseLong(proc.getFileName().toString());
          long parent = Long.parseLong(fields[1]);
          if (pid == postmaster || parent == postmaster) {
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        } catch (IOException | RuntimeException e) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return ticks;
  }

  private String report(List<Phase> phases) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Closed loop, %d reads in flight, %.0f %% site reads, %d conversations,"
        + " %d cores shared by everything.%n%n", concurrency, siteShare * 100, conversations,
        Runtime.getRuntime().availableProcessors()));
    md.append("| phase | reads served/s | failed | p50 ms | p99 ms | DB reads on the primary | on the replica |"
        + " primary's share | primary CPU ms / 1000 reads | replica CPU ms / 1000 reads |\n");
    md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Phase p : phases) {
      double primary = p.readsByTarget().getOrDefault("primary", 0.0);
      double replica = p.dbReads() - primary;
      md.append(String.format(Locale.ROOT,
          "| %s | %,.0f | %d | %.2f | %.2f | %,.0f | %,.0f | %.1f %% | %.1f | %.1f |%n",
          p.name(), p.readsPerSecond(), p.failed(), p.p50Ms(), p.p99Ms(), primary, replica, p.primaryShare() * 100,
          p.ok() == 0 ? Double.NaN : p.primaryCpuMs() * 1000 / p.ok(),
          p.ok() == 0 ? Double.NaN : p.replicaCpuMs() * 1000 / p.ok()));
    }
    for (String mode : List.of(WITH, WITHOUT)) {
      double[] rates = phases.stream().filter(p -> p.name().startsWith(mode + " (")).mapToDouble(Phase::readsPerSecond)
          .sorted().toArray();
      double[] cpu = phases.stream().filter(p -> p.name().startsWith(mode + " (") && p.ok() > 0)
          .mapToDouble(p -> p.primaryCpuMs() * 1000 / p.ok()).sorted().toArray();
      if (rates.length > 0) {
        md.append(String.format(Locale.ROOT, "%nMedian of %d, %s: %,.0f reads served/s, primary CPU %.1f ms per 1000"
            + " reads.", rates.length, mode, rates[rates.length / 2],
            cpu.length == 0 ? Double.NaN : cpu[cpu.length / 2]));
      }
    }
    md.append('\n');
    phases.stream().filter(p -> !p.failures().isEmpty()).forEach(p -> md.append("\nFailures in '").append(p.name())
        .append("': ").append(p.failures()).append('\n'));
    return md.toString();
  }
}
