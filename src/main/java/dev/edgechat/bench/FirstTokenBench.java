package dev.edgechat.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntFunction;

/**
 * How long a visitor waits for the first words of an answer, through the edge and, as the
 * baseline, straight from the upstream model ({@code sim}).
 *
 * <p>Design: phases run one after the other, each closed loop ({@link ClosedLoop}):
 * {@code concurrency} requests are in flight at once and each one that ends starts the next, so
 * the load follows the system's speed rather than a fixed rate (a closed loop understates tail
 * latency under overload; that is a later, open-loop benchmark). Each phase sends
 * {@code warmup} unrecorded requests first, then {@code requests} recorded ones.
 * <ol>
 *   <li>{@code edge}: {@code POST /v1/chat} with {@code Accept: text/event-stream}; milestones
 *       {@code ready}, {@code firstToken} (the first {@code token} event with text) and {@code done}.
 *   <li>{@code sim} (when a sim URL is given): a streamed {@code POST /v1/chat/completions};
 *       milestones {@code firstToken} (the first chunk with non-empty {@code delta.content}) and
 *       {@code done} ({@code data: [DONE]}).
 * </ol>
 * Every time is measured with {@link System#nanoTime()} from just before {@code request.send(…)},
 * that is after a pooled connection was obtained (keep-alive, pool as large as the concurrency),
 * to the moment the client has parsed the event that marks the milestone. Each message carries
 * a request number and a run tag ({@code "… (#17 k3x9)"}) so no two requests, in this run or
 * another, ask the same thing: a cache in front of the model must not flatter these numbers
 * ({@code --verbatim} leaves them out, to measure exactly that cache).
 * A request fails when the status is not 200, an {@code error} event or chunk arrives, the
 * stream ends before its last milestone, or the connection breaks or idles
 * {@value #IDLE_TIMEOUT_MS} ms; failed requests are counted and left out of every histogram.
 *
 * <p>All requests are sent from one event-loop context and nothing blocks it.
 */
public final class FirstTokenBench {

  static final String EDGE_PHASE = "edge";
  static final String SIM_PHASE = "sim";
  /** A request with no byte from the server for this long fails. */
  static final long IDLE_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final Context context;
  private final BenchOptions options;

  private FirstTokenBench(Vertx vertx, Context context, BenchOptions options) {
    this.vertx = vertx;
    this.context = context;
    this.options = options;
  }

  /**
   * Runs the benchmark.
   *
   * @return succeeds with the report once every phase has ended, however many requests failed;
   *     fails only when the benchmark itself could not run
   */
  public static Future<BenchReport> run(Vertx vertx, BenchOptions options) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(options, "options");
    Context context = vertx.getOrCreateContext();
    Promise<BenchReport> report = Promise.promise();
    context.runOnContext(v -> {
      try {
        new FirstTokenBench(vertx, context, options).measure().onComplete(report);
      } catch (RuntimeException e) {
        report.fail(e);
      }
    });
    return report.future();
  }

  private Future<BenchReport> measure() {
    HttpClientAgent client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true))
        .with(new PoolOptions().setHttp1MaxSize(options.concurrency()))
        .build();
    String runTag = Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36, 36 * 36 * 36 * 36), 36);
    IntFunction<String> messages = options.verbatim()
        ? options::question
        : sequence -> options.question(sequence) + " (#" + (sequence + 1) + " " + runTag + ")";
    Map<String, MeasuredCall> phases = new LinkedHashMap<>();
    phases.put(EDGE_PHASE, new EdgeChatCall(client, endpoint(options.target(), "/v1/chat"), IDLE_TIMEOUT_MS,
        options.site(), messages));
    if (options.sim() != null) {
      phases.put(SIM_PHASE, new SimCompletionCall(client, endpoint(options.sim(), "/v1/chat/completions"),
          IDLE_TIMEOUT_MS, messages));
    }
    return ClosedLoop.runInTurn(context, phases, options)
        .map(done -> new BenchReport(options, done))
        .eventually(client::close);
  }

  /**
   * {@code path} (starting {@code /v1/}) under {@code base}; a base that already ends in
   * {@code /v1}, like an LLM base URL, is taken as meaning the same.
   */
  static String endpoint(URI base, String path) {
    String root = base.toString();
    while (root.endsWith("/")) {
      root = root.substring(0, root.length() - 1);
    }
    if (root.endsWith("/v1") && path.startsWith("/v1/")) {
      root = root.substring(0, root.length() - 3);
    }
    return root + path;
  }
}
