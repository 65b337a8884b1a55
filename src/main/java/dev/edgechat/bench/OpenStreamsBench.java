package dev.edgechat.bench;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseParser;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench open-streams}: how many visitor answers an edge holds open at once, what
 * they cost it, and whether new visitors feel them.
 *
 * <p>Phases, one after the other (the probes on one event loop, the held streams on another, so that
 * handling them does not delay the probes' timing): <b>baseline</b>, {@code --probes} chats
 * (each a miss: a question of its own) timed to {@code ready} and first token, closed loop at
 * {@code --probe-concurrency}, each left once its first token came ({@link ProbeChatCall});
 * <b>open</b>, {@code --streams} chats at {@code --open-rate} a second, each on its own connection,
 * counted open once {@code ready} came and then held (the upstream must be slow enough to keep
 * them open: a sim with {@code --tokens-per-second 0.2} and many answer tokens); their questions are
 * {@code --distinct} texts, so visitors asking the same one share one answer in flight, as a
 * popular question does (the edge asks origin over at most 256 connections, so {@code --distinct}
 * above that would measure origin's pool, not the edge's open streams); <b>loaded</b>, the same
 * probes again while every stream is held; then all streams are closed. The edge's memory, threads
 * and descriptors ({@link EdgeProcessFigures}) are read before, every two seconds while streams are
 * open (the peaks are reported) and at the end. A stream that fails or ends before the loaded phase
 * is over is counted by its reason. Writes open-streams.md and .json to {@code --out}.
 */
@Command(name = "open-streams", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Holds N visitor chat answers open on an edge (slow upstream) and times new chats meanwhile;"
        + " reports the edge's RSS, heap, threads and descriptors.")
final class OpenStreamsBench implements Callable<Integer> {

  static final String REPORT_NAME = "open-streams";
  private static final long SAMPLE_EVERY_MS = 2_000;

  @Option(names = "--target", required = true, paramLabel = "URL", description = "edge base URL")
  private URI target;

  @Option(names = "--metrics", paramLabel = "URL",
      description = "the edge's /metrics (default: the target's; with http.metricsPort set, that port's)")
  private URI metrics;

  @Option(names = "--edge-pid", paramLabel = "PID",
      description = "the edge's process id, to read its RSS, threads and descriptors from /proc (same machine)")
  private Long edgePid;

  @Option(names = "--streams", defaultValue = "10000", paramLabel = "N", description = "answers held open")
  private int streams;

  @Option(names = "--distinct", defaultValue = "100", paramLabel = "N",
      description = "distinct questions among the held answers (default: ${DEFAULT-VALUE})")
  private int distinct;

  @Option(names = "--open-rate", defaultValue = "500", paramLabel = "N/s", description = "streams opened a second")
  private int openRate;

  @Option(names = "--probes", defaultValue = "200", paramLabel = "N", description = "timed chats per probe phase")
  private int probes;

  @Option(names = "--probe-concurrency", defaultValue = "2", paramLabel = "N", description = "probes in flight")
  private int probeConcurrency;

  @Option(names = "--hold-seconds", defaultValue = "10", paramLabel = "S",
      description = "how long the streams are held, all open, before the loaded probes (default: ${DEFAULT-VALUE})")
  private int holdSeconds;

  @Option(names = "--site", defaultValue = BenchOptions.DEFAULT_SITE, paramLabel = "SITE", description = "site to ask")
  private String site;

  @Option(names = "--out", defaultValue = "bench-results", paramLabel = "DIR", description = "folder for the report")
  private Path out;

  /** Written on the streams' event loop, read on the probes' at the end. */
  private final Map<String, Long> streamFailures = new ConcurrentHashMap<>();
  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger endedEarly = new AtomicInteger();

  @Override
  public Integer call() throws Exception {
    if (streams < 1 || distinct < 1 || openRate < 1 || probes < 1 || probeConcurrency < 1 || holdSeconds < 0) {
      System.err.println("open-streams: --streams, --distinct, --open-rate, --probes, --probe-concurrency must be"
          + " at least 1, --hold-seconds at least 0");
      return 2;
    }
    Vertx vertx = Vertx.vertx();
    JsonObject report;
    try {
      // two event loops: the held streams' work (10,000 connections) must not delay the probes' timing
      Context context = vertx.getOrCreateContext();
      Context streamContext = vertx.getOrCreateContext();
      report = Future.<JsonObject>future(p -> context.runOnContext(v -> run(vertx, context, streamContext)
          .onComplete(p))).await();
    } finally {
      vertx.close().await();
    }
    String markdown = markdown(report);
    System.out.println(markdown);
    Files.createDirectories(out);
    Files.writeString(out.resolve(REPORT_NAME + ".md"), markdown);
    Files.writeString(out.resolve(REPORT_NAME + ".json"), report.encodePrettily() + "\n");
    return opened.get() == 0 ? 1 : 0;
  }

  private Future<JsonObject> run(Vertx vertx, Context context, Context streamContext) {
    String tag = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    String chatUrl = FirstTokenBench.endpoint(target, "/v1/chat");
    String metricsUrl = metrics != null ? metrics.toString() : FirstTokenBench.endpoint(target, "/metrics");
    Optional<Long> pid = Optional.ofNullable(edgePid);
    HttpClientAgent probeClient = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(false).setTcpNoDelay(true))
        .with(new PoolOptions().setHttp1MaxSize(probeConcurrency + 1)).build();
    // one connection per held answer; no idle timeout: the edge's heartbeat keeps them alive
    HttpClientAgent streamClient = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(false).setTcpNoDelay(true))
        .with(new PoolOptions().setHttp1MaxSize(streams).setMaxWaitQueueSize(-1)).build();
    BenchOptions probeOptions = new BenchOptions(target, null, probes, probeConcurrency, Math.min(20, probes), site,
        BenchOptions.DEFAULT_QUESTIONS, false);
    ProbeChatCall baselineProbe = new ProbeChatCall(probeClient, chatUrl, FirstTokenBench.IDLE_TIMEOUT_MS, site,
        n -> probeOptions.question(n) + " (probe #" + n + " " + tag + " base)");
    ProbeChatCall loadedProbe = new ProbeChatCall(probeClient, chatUrl, FirstTokenBench.IDLE_TIMEOUT_MS, site,
        n -> probeOptions.question(n) + " (probe #" + n + " " + tag + " loaded)");
    JsonObject report = new JsonObject().put("streams", streams).put("distinct", distinct).put("openRate", openRate)
        .put("probes", probes).put("probeConcurrency", probeConcurrency).put("holdSeconds", holdSeconds);
    EdgeProcessFigures[] peak = new EdgeProcessFigures[1];
    long[] sampler = {-1};
    long[] holdStart = new long[1];
    return EdgeProcessFigures.read(probeClient, metricsUrl, pid)
        .compose(idle -> {
          report.put("idle", idle.toJson());
          return ClosedLoop.run(context, "baseline", baselineProbe, probeOptions);
        })
        .compose(baseline -> {
          report.put("baseline", probeJson(baseline));
          return EdgeProcessFigures.read(probeClient, metricsUrl, pid);
        })
        .compose(afterBaseline -> {
          report.put("afterBaseline", afterBaseline.toJson());
          peak[0] = afterBaseline;
          sampler[0] = vertx.setPeriodic(SAMPLE_EVERY_MS, id -> EdgeProcessFigures.read(probeClient, metricsUrl, pid)
              .onSuccess(now -> peak[0] = peak[0].max(now)));
          long start = System.nanoTime();
          return Future.<Void>future(p -> streamContext.runOnContext(x -> open(vertx, streamClient, chatUrl, tag)
              .onComplete(p))).map(v -> {
            report.put("openSeconds", Latency.round2((System.nanoTime() - start) / 1e9));
            return v;
          });
        })
        .compose(v -> EdgeProcessFigures.read(probeClient, metricsUrl, pid))
        .compose(allOpen -> {
          report.put("allOpen", allOpen.toJson());
          holdStart[0] = System.nanoTime();
          Promise<Void> held = Promise.promise();
          vertx.setTimer(Math.max(1, holdSeconds * 1000L), id -> held.complete());
          return held.future();
        })
        .compose(v -> ClosedLoop.run(context, "loaded", loadedProbe, probeOptions))
        .compose(loaded -> {
          report.put("loaded", probeJson(loaded));
          report.put("heldSeconds", Latency.round2((System.nanoTime() - holdStart[0]) / 1e9));
          return EdgeProcessFigures.read(probeClient, metricsUrl, pid);
        })
        .compose(afterLoaded -> {
          vertx.cancelTimer(sampler[0]);
          report.put("afterLoaded", afterLoaded.toJson()).put("peak", peak[0].max(afterLoaded).toJson());
          report.put("opened", opened.get()).put("endedEarly", endedEarly.get())
              .put("streamFailures", new JsonObject(new TreeMap<String, Object>(streamFailures)));
          return streamClient.close();
        })
        .compose(v -> {
          // the edge lets go of the held answers' state after its resume grace: read it once that is over
          Promise<Void> settled = Promise.promise();
          vertx.setTimer(7_000, id -> settled.complete());
          return settled.future();
        })
        .compose(v -> EdgeProcessFigures.read(probeClient, metricsUrl, pid))
        .map(closed -> report.put("afterClose", closed.toJson()))
        .eventually(() -> probeClient.close());
  }

  /**
   * Opens the streams at the rate asked; call it on the streams' context. Succeeds once each is open
   * (ready came) or failed.
   */
  private Future<Void> open(Vertx vertx, HttpClientAgent client, String url, String tag) {
    Promise<Void> allSettled = Promise.promise();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setIdleTimeout(0)
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream").putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    int perTick = Math.max(1, openRate / 100);
    long tick = Math.max(1, 1000L * perTick / openRate);
    int[] sent = {0};
    int[] settled = {0};
    Runnable settle = () -> {
      if (++settled[0] == streams) {
        allSettled.tryComplete();
      }
    };
    vertx.setPeriodic(tick, id -> {
      for (int i = 0; i < perTick && sent[0] < streams; i++) {
        int n = sent[0]++;
        String message = "Which plan suits a team of " + (n % distinct + 2) + " people? (held " + tag + ")";
        boolean[] counted = {false};
        Runnable once = () -> {
          if (!counted[0]) {
            counted[0] = true;
            settle.run();
          }
        };
        client.request(request)
            .compose(req -> req.send(new JsonObject().put("site", site).put("message", message).toBuffer()))
            .onSuccess(response -> hold(response, once))
            .onFailure(e -> {
              fail(e.getClass().getSimpleName());
              once.run();
            });
      }
      if (sent[0] == streams) {
        vertx.cancelTimer(id);
      }
    });
    return allSettled.future();
  }

  private void hold(HttpClientResponse response, Runnable settled) {
    if (response.statusCode() != 200) {
      RequestFailure.unexpectedStatus(response).onFailure(e -> fail(e.getMessage()));
      settled.run();
      return;
    }
    boolean[] open = {false};
    boolean[] over = {false};
    response.handler(new SseParser(event -> {
      switch (event.event()) {
        case Events.READY -> {
          if (!open[0]) {
            open[0] = true;
            opened.incrementAndGet();
            settled.run();
          }
        }
        case Events.ERROR -> {
          over[0] = true;
          fail("error event " + event.json().getValue("code"));
          settled.run();
        }
        case Events.DONE -> {
          over[0] = true;
          endedEarly.incrementAndGet();
          settled.run();
        }
        default -> {
          // tokens and sources of a held answer are not timed
        }
      }
    }));
    response.exceptionHandler(e -> {
      if (!over[0]) {
        over[0] = true;
        fail(e.getClass().getSimpleName());
        settled.run();
      }
    });
    response.endHandler(v -> {
      if (!over[0]) {
        over[0] = true;
        fail("stream ended");
        settled.run();
      }
    });
  }

  private void fail(String reason) {
    streamFailures.merge(reason, 1L, Long::sum);
  }

  private static JsonObject probeJson(PhaseResult phase) {
    BenchReport.Summary ready = BenchReport.Summary.of(phase.name(), phase.micros().get(EdgeChatCall.READY),
        phase.errors());
    BenchReport.Summary first = BenchReport.Summary.of(phase.name(), phase.micros().get(EdgeChatCall.FIRST_TOKEN),
        phase.errors());
    return new JsonObject().put("ok", phase.succeeded()).put("errors", phase.errors())
        .put("errorCauses", new JsonObject(new TreeMap<String, Object>(phase.errorCauses())))
        .put("readyP50Ms", ready.p50Ms()).put("readyP99Ms", ready.p99Ms())
        .put("firstTokenP50Ms", first.p50Ms()).put("firstTokenP99Ms", first.p99Ms());
  }

  private static String markdown(JsonObject r) {
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "## open streams: %d asked (%d distinct questions), %d opened in %.1f s, "
            + "%d ended early, failures %s%n%n", r.getInteger("streams"), r.getInteger("distinct"),
        r.getInteger("opened"), r.getDouble("openSeconds"), r.getInteger("endedEarly"),
        r.getJsonObject("streamFailures").encode()));
    md.append("| probes (chats timed) | ok | errors | ready p50 ms | ready p99 ms | first token p50 ms | p99 ms |\n");
    md.append("|---|---|---|---|---|---|---|\n");
    for (String phase : List.of("baseline", "loaded")) {
      JsonObject p = r.getJsonObject(phase);
      md.append(String.format(Locale.ROOT, "| %s | %d | %d %s | %.2f | %.2f | %.2f | %.2f |%n", phase,
          p.getLong("ok"), p.getLong("errors"), p.getJsonObject("errorCauses").isEmpty() ? ""
              : p.getJsonObject("errorCauses").encode(), p.getDouble("readyP50Ms"), p.getDouble("readyP99Ms"),
          p.getDouble("firstTokenP50Ms"), p.getDouble("firstTokenP99Ms")));
    }
    md.append("\n| edge | RSS MB | peak RSS MB | heap used MB | heap committed MB | non-heap MB | direct MB"
        + " | threads | fds | GC pauses | GC s |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String at : List.of("idle", "afterBaseline", "allOpen", "afterLoaded", "peak", "afterClose")) {
      JsonObject f = r.getJsonObject(at);
      md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %d | %d | %d | %.3f |%n", at,
          mb(f.getLong("rssBytes")), mb(f.getLong("peakRssBytes")), mb(f.getLong("heapUsedBytes")),
          mb(f.getLong("heapCommittedBytes")), mb(f.getLong("nonHeapUsedBytes")), mb(f.getLong("directBytes")),
          f.getLong("threads"), f.getLong("fds"), f.getLong("gcPauses"), f.getDouble("gcPauseSeconds")));
    }
    md.append("\n(peak: the largest of each figure over samples every 2 s while streams were open; -1: not read)\n");
    return md.toString();
  }

  private static String mb(long bytes) {
    return bytes < 0 ? "-1" : String.format(Locale.ROOT, "%.0f", bytes / 1048576.0);
  }

}
