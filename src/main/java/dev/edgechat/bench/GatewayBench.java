package dev.edgechat.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench gateway}: what the OpenAI-compatible gateway adds to the time to first
 * token, next to what a plain streaming proxy adds, and how fast it replays cached streams.
 *
 * <p>For each concurrency, closed loop ({@link ClosedLoop}), one after the other: a streamed
 * {@code POST /v1/chat/completions} straight to the sim ({@code sim}); through nginx with
 * {@code proxy_buffering off} in front of the same sim ({@code nginx}, when {@code --nginx} is
 * given: {@code scripts/bench/nginx-gateway.conf}); through the gateway with
 * {@code X-Edgechat-Cache: bypass}, every request a miss ({@code gateway}); and through the gateway
 * asking one question at temperature 0 over and over, every request after the first a cached
 * replay ({@code replay}). Messages of the first three carry a request number and run tag, so none
 * repeats. Each run's table, and with {@code --runs} &gt; 1 the medians over runs, are printed and
 * written to {@code --out}/gateway.md.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Added time to first token of the gateway (cache bypassed) and of nginx, over the sim,"
        + " and the throughput of cached replays.")
final class GatewayBench implements Callable<Integer> {

  static final String SIM = "sim";
  static final String NGINX = "nginx";
  static final String GATEWAY = "gateway";
  static final String REPLAY = "replay";

  @Option(names = "--gateway", required = true, paramLabel = "URL", description = "edge base URL")
  private URI gateway;

  @Option(names = "--key", required = true, paramLabel = "KEY", description = "a gateway key of the edge")
  private String key;

  @Option(names = "--sim", required = true, paramLabel = "URL", description = "the sim the edge's gateway uses")
  private URI sim;

  @Option(names = "--nginx", paramLabel = "URL", description = "nginx proxying to the same sim")
  private URI nginx;

  @Option(names = "--concurrency", split = ",", defaultValue = "16,64", paramLabel = "N,N",
      description = "concurrencies to measure (default: ${DEFAULT-VALUE})")
  private List<Integer> concurrencies;

  @Option(names = "--requests", defaultValue = "2000", paramLabel = "N", description = "measured requests per phase")
  private int requests;

  @Option(names = "--warmup", defaultValue = "200", paramLabel = "N", description = "unrecorded requests per phase")
  private int warmup;

  @Option(names = "--runs", defaultValue = "1", paramLabel = "N", description = "runs; medians are reported")
  private int runs;

  @Option(names = "--out", defaultValue = "bench-results", paramLabel = "DIR", description = "folder for gateway.md")
  private Path out;

  /** One measured number of a run: phase, concurrency, what. */
  private final Map<String, List<Double>> figures = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    StringBuilder report = new StringBuilder();
    try {
      for (int run = 1; run <= runs; run++) {
        for (int concurrency : concurrencies) {
          report.append(measure(vertx, run, concurrency).await());
        }
      }
    } finally {
      vertx.close().await();
    }
    report.append(medians());
    System.out.println(report);
    Files.createDirectories(out);
    Files.writeString(out.resolve("gateway.md"), report.toString());
    return 0;
  }

  private Future<String> measure(Vertx vertx, int run, int concurrency) {
    Context context = vertx.getOrCreateContext();
    BenchOptions options = new BenchOptions(gateway, sim, requests, concurrency, warmup, BenchOptions.DEFAULT_SITE,
        BenchOptions.DEFAULT_QUESTIONS, false);
    String tag = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    return Future.<String>future(promise -> context.runOnContext(v -> {
      HttpClientAgent client = vertx.httpClientBuilder()
          .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true))
          .with(new PoolOptions().setHttp1MaxSize(concurrency))
          .build();
      Map<String, MeasuredCall> phases = new LinkedHashMap<>();
      phases.put(SIM, new SimCompletionCall(client, FirstTokenBench.endpoint(sim, "/v1/chat/completions"),
          FirstTokenBench.IDLE_TIMEOUT_MS, n -> options.question(n) + " (#" + n + " " + tag + ")"));
      if (nginx != null) {
        phases.put(NGINX, new SimCompletionCall(client, FirstTokenBench.endpoint(nginx, "/v1/chat/completions"),
            FirstTokenBench.IDLE_TIMEOUT_MS, n -> options.question(n) + " (#" + n + " " + tag + " nginx)"));
      }
      String url = FirstTokenBench.endpoint(gateway, "/v1/chat/completions");
      phases.put(GATEWAY, new SimCompletionCall(client, url, FirstTokenBench.IDLE_TIMEOUT_MS,
          n -> options.question(n) + " (#" + n + " " + tag + " gw)",
          Map.of("Authorization", "Bearer " + key, "X-Edgechat-Cache", "bypass"), new JsonObject()));
      phases.put(REPLAY, new SimCompletionCall(client, url, FirstTokenBench.IDLE_TIMEOUT_MS,
          n -> "How do I reset my password? (" + tag + " replay)",
          Map.of("Authorization", "Bearer " + key), new JsonObject().put("temperature", 0)));
      ClosedLoop.runInTurn(context, phases, options).map(done -> table(run, concurrency, done)).eventually(client::close).onComplete(promise);
    }));
  }

  private String table(int run, int concurrency, List<PhaseResult> results) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "%n### run %d, concurrency %d, %d requests per phase%n%n", run, concurrency,
        requests));
    md.append("| phase | ok | errors | first token p50 ms | p99 ms | done p50 ms | req/s |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    Map<String, BenchReport.Summary> firstToken = new LinkedHashMap<>();
    for (PhaseResult phase : results) {
      BenchReport.Summary first = BenchReport.Summary.of(phase.name(), phase.micros().get(SimCompletionCall.FIRST_TOKEN),
          phase.errors());
      BenchReport.Summary done = BenchReport.Summary.of(phase.name(), phase.micros().get(SimCompletionCall.DONE),
          phase.errors());
      firstToken.put(phase.name(), first);
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %.2f | %.2f | %.2f | %.0f |%n", phase.name(),
          phase.succeeded(), phase.errors(), first.p50Ms(), first.p99Ms(), done.p50Ms(), phase.throughputPerSecond()));
      record(phase.name() + " c" + concurrency + " first token p50", first.p50Ms());
      record(phase.name() + " c" + concurrency + " first token p99", first.p99Ms());
      if (phase.name().equals(REPLAY)) {
        record(REPLAY + " c" + concurrency + " req/s", phase.throughputPerSecond());
      }
    }
    BenchReport.Summary base = firstToken.get(SIM);
    for (String proxy : List.of(NGINX, GATEWAY)) {
      BenchReport.Summary through = firstToken.get(proxy);
      if (through != null) {
        double p50 = through.p50Ms() - base.p50Ms();
        double p99 = through.p99Ms() - base.p99Ms();
        md.append(String.format(Locale.ROOT, "%n%s adds to the first token: p50 %+.2f ms, p99 %+.2f ms", proxy, p50,
            p99));
        record(proxy + " c" + concurrency + " added p50", p50);
        record(proxy + " c" + concurrency + " added p99", p99);
      }
    }
    return md.append("\n(added = the proxy's percentile minus the sim's: a difference of percentiles)\n").toString();
  }

  private void record(String figure, double value) {
    figures.computeIfAbsent(figure, f -> new ArrayList<>()).add(value);
  }

  private String medians() {
    StringBuilder md = new StringBuilder(String.format(Locale.ROOT, "%n### medians over %d run(s)%n%n", runs));
    md.append("| figure | median | runs |\n|---|---|---|\n");
    figures.forEach((figure, values) -> {
      List<Double> sorted = values.stream().sorted().toList();
      double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
          : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
      md.append(String.format(Locale.ROOT, "| %s | %.2f | %s |%n", figure, median,
          sorted.stream().map(v -> String.format(Locale.ROOT, "%.2f", v)).toList()));
    });
    return md.toString();
  }
}
