package dev.edgechat.sim;

import dev.edgechat.config.SimSettings;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.ErrorResponder;
import dev.edgechat.web.JsonBodyHandler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the {@code sim} role: an OpenAI-compatible upstream whose speed and faults come
 * from {@link SimSettings}.
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: a deterministic answer of {@code answerTokens} tokens
 *       (fewer if {@code max_tokens} says so), whole after {@code firstTokenMs + tokens /
 *       tokensPerSecond}, or streamed at that pace ({@link CompletionStream}).</li>
 *   <li>{@code POST /v1/embeddings}: feature-hashing vectors ({@link HashingEmbedder}) after
 *       {@code embeddingLatencyMs}, computed on the {@code edgechat-sim-embeddings} worker pool.</li>
 *   <li>{@code GET /v1/models}, {@code GET /v1/models/{model}}: a fixed list; any model name is
 *       accepted in requests.</li>
 *   <li>{@code GET /sim/stats}, {@code POST /sim/stats/reset}: the {@link SimStats} counters.</li>
 * </ul>
 *
 * <p>Each chat call draws its fault from seeded dice ({@code errorRate}, {@code stallRate},
 * {@code cutRate}); the request header {@code X-Sim-Fault: 500|429|stall|cut|none} overrides the
 * draw for that request. A whole (non-streamed) answer that stalls never comes; one that is cut
 * loses its connection half way through the answer time. Errors have OpenAI's shape,
 * {@code {"error":{"message","type","param","code"}}}.
 */
public final class SimulatorApi {

  private static final Logger LOG = LoggerFactory.getLogger(SimulatorApi.class);

  private static final int BODY_LIMIT_BYTES = 1 << 20;
  /** {@code created} of every listed model: fixed, so the list is the same on every run. */
  private static final long MODELS_CREATED = 1_700_000_000L;
  private static final List<String> MODELS = List.of("sim-1", "gpt-4o-mini", "gpt-4o", "text-embedding-3-small");
  private static final String JSON = "application/json";
  private static final String EMBEDDING_WORKER = "edgechat-sim-embeddings";

  private final Vertx vertx;
  private final SimStats stats = new SimStats();
  private final FaultDice dice;
  private final WorkerExecutor embeddingWorker;
  private volatile SimSettings settings;

  /**
   * A simulator that behaves as {@code settings} say until {@link #settings(SimSettings)} replaces them.
   *
   * @throws IllegalArgumentException naming the setting, when a setting is out of range
   */
  public SimulatorApi(Vertx vertx, SimSettings settings) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.settings = checked(settings);
    this.dice = new FaultDice(settings.seed());
    this.embeddingWorker = vertx.createSharedWorkerExecutor(EMBEDDING_WORKER);
  }

  /** Adds the simulator's routes, each with its own body handler, to {@code router}. */
  public void mount(Router router) {
    JsonBodyHandler body = new JsonBodyHandler(BODY_LIMIT_BYTES);
    router.post("/v1/chat/completions").handler(body).handler(this::chat).failureHandler(this::failure);
    router.post("/v1/embeddings").handler(body).handler(this::embeddings).failureHandler(this::failure);
    router.get("/v1/models").handler(this::models);
    router.get("/v1/models/:model").handler(this::model);
    router.get("/sim/stats").handler(this::sendStats);
    router.post("/sim/stats/reset").handler(this::resetStats);
  }

  /** The live counters. */
  public SimStats stats() {
    return stats;
  }

  /** The settings in force. */
  public SimSettings settings() {
    return settings;
  }

  /**
   * Replaces the settings; requests that arrive afterwards use them. A new {@code seed} restarts
   * the fault dice from it.
   *
   * @throws IllegalArgumentException naming the setting, when a setting is out of range
   */
  public void settings(SimSettings replacement) {
    settings = checked(replacement);
  }

  private void chat(RoutingContext ctx) {
    long startNanos = System.nanoTime();
    SimSettings now = settings;
    HttpServerResponse response = ctx.response();
    ChatRequest request;
    Fault forced;
    try {
      request = ChatRequest.parse(JsonBodyHandler.body(ctx));
      String header = ctx.request().getHeader(Fault.HEADER);
      forced = header == null ? null : Fault.fromHeader(header);
    } catch (OpenAiError e) {
      e.send(response);
      return;
    }
    stats.chatCall();
    Fault rolled = dice.roll(now);
    Fault fault = forced == null ? rolled : forced;
    if (fault != Fault.NONE) {
      LOG.debug("fault [fault: {}, forced: {}, stream: {}]", fault, forced != null, request.stream());
    }
    switch (fault) {
      case SERVER_ERROR -> OpenAiError.serverError().send(response);
      case RATE_LIMITED -> OpenAiError.rateLimited().send(response);
      default -> {
        ChatAnswer answer = ChatAnswer.of(request, now.answerTokens(), now.answerSpread(), completionId(),
            System.currentTimeMillis() / 1000);
        if (request.stream()) {
          new CompletionStream(vertx, response, stats, answer, fault, startNanos, now.firstTokenMs(),
              now.tokensPerSecond()).start();
        } else {
          answerWhole(response, answer, fault, startNanos, now);
        }
      }
    }
  }

  /** Answers a non-streamed call once its whole answer would have been generated. */
  private void answerWhole(HttpServerResponse response, ChatAnswer answer, Fault fault, long startNanos,
      SimSettings now) {
    if (fault == Fault.STALL) {
      return;
    }
    int tokens = answer.tokens().size();
    int generated = fault == Fault.CUT ? tokens / 2 : tokens;
    double readyAtMs = now.firstTokenMs() + generated * 1000.0 / now.tokensPerSecond();
    long timer = vertx.setTimer(delayUntil(startNanos, readyAtMs), id -> {
      if (fault == Fault.CUT) {
        response.reset();
        return;
      }
      stats.tokensSent(tokens);
      response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(answer.completion().encode());
    });
    response.closeHandler(v -> vertx.cancelTimer(timer));
  }

  private void embeddings(RoutingContext ctx) {
    long startNanos = System.nanoTime();
    SimSettings now = settings;
    HttpServerResponse response = ctx.response();
    EmbeddingRequest request;
    try {
      request = EmbeddingRequest.parse(JsonBodyHandler.body(ctx));
    } catch (OpenAiError e) {
      e.send(response);
      return;
    }
    stats.embeddingCall(request.inputs().size());
    int dimensions = request.dimensions() > 0 ? request.dimensions() : now.embeddingDimensions();
    long timer = vertx.setTimer(delayUntil(startNanos, now.embeddingLatencyMs()), id ->
        // A large batch (thousands of inputs, thousands of dimensions) takes a while to encode.
        embeddingWorker.executeBlocking(() -> embeddingList(request, dimensions).encode(), false)
            .onSuccess(json -> response.putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(json))
            .onFailure(e -> {
              LOG.error("embedding failed [inputs: {}, dimensions: {}]", request.inputs().size(), dimensions, e);
              OpenAiError.serverError().send(response);
            }));
    response.closeHandler(v -> vertx.cancelTimer(timer));
  }

  private static JsonObject embeddingList(EmbeddingRequest request, int dimensions) {
    JsonArray data = new JsonArray();
    int promptTokens = 0;
    for (int i = 0; i < request.inputs().size(); i++) {
      String input = request.inputs().get(i);
      promptTokens += Words.count(input);
      float[] vector = HashingEmbedder.embed(input, dimensions);
      data.add(new JsonObject()
          .put("object", "embedding")
          .put("index", i)
          .put("embedding", request.base64() ? base64(vector) : floats(vector)));
    }
    return new JsonObject()
        .put("object", "list")
        .put("data", data)
        .put("model", request.model())
        .put("usage", new JsonObject().put("prompt_tokens", promptTokens).put("total_tokens", promptTokens));
  }

  private static JsonArray floats(float[] vector) {
    JsonArray array = new JsonArray();
    for (float value : vector) {
      array.add(value);
    }
    return array;
  }

  /** OpenAI's {@code encoding_format: base64}: the float32s, little-endian, in Base64. */
  private static String base64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private void models(RoutingContext ctx) {
    JsonArray data = new JsonArray();
    MODELS.forEach(id -> data.add(modelJson(id)));
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(new JsonObject().put("object", "list").put("data", data).encode());
  }

  private void model(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(modelJson(ctx.pathParam("model")).encode());
  }

  private static JsonObject modelJson(String id) {
    return new JsonObject()
        .put("id", id)
        .put("object", "model")
        .put("created", MODELS_CREATED)
        .put("owned_by", "edgechat-sim");
  }

  private void sendStats(RoutingContext ctx) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(stats.toJson().encode());
  }

  private void resetStats(RoutingContext ctx) {
    stats.reset();
    ctx.response().setStatusCode(204).end();
  }

  /** Failures of the body handler (413) and anything unforeseen, in OpenAI's error shape. */
  private void failure(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (ErrorResponder.resetIfUnderWay(response)) {
      return;
    }
    // the body reader fails with the project's ApiError (413); the router with a bare status
    int status = ctx.failure() instanceof ApiError api ? api.status() : ctx.statusCode();
    OpenAiError error = switch (status) {
      case 413 -> OpenAiError.tooLarge("the request body is larger than " + BODY_LIMIT_BYTES + " bytes");
      case 400 -> OpenAiError.invalidRequest("the request is malformed", null);
      default -> {
        LOG.error("unexpected failure [method: {}, path: {}]", ctx.request().method(), ctx.request().path(),
            ctx.failure());
        yield OpenAiError.serverError();
      }
    };
    error.send(response);
  }

  /** Milliseconds from now until {@code atMs} after {@code startNanos}; at least 1, as timers need. */
  private static long delayUntil(long startNanos, double atMs) {
    double elapsedMs = (System.nanoTime() - startNanos) / 1e6;
    return Math.max(1, (long) Math.ceil(atMs - elapsedMs));
  }

  private static String completionId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "chatcmpl-" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }

  private static SimSettings checked(SimSettings settings) {
    Objects.requireNonNull(settings, "settings");
    require(settings.firstTokenMs() >= 0, "sim.firstTokenMs must be >= 0", settings.firstTokenMs());
    require(settings.tokensPerSecond() > 0 && Double.isFinite(settings.tokensPerSecond()),
        "sim.tokensPerSecond must be a positive number", settings.tokensPerSecond());
    require(settings.answerTokens() >= 0, "sim.answerTokens must be >= 0", settings.answerTokens());
    require(settings.embeddingLatencyMs() >= 0, "sim.embeddingLatencyMs must be >= 0",
        settings.embeddingLatencyMs());
    require(settings.embeddingDimensions() >= 1 && settings.embeddingDimensions() <= EmbeddingRequest.MAX_DIMENSIONS,
        "sim.embeddingDimensions must be from 1 to " + EmbeddingRequest.MAX_DIMENSIONS,
        settings.embeddingDimensions());
    require(isShare(settings.errorRate()), "sim.errorRate must be from 0 to 1", settings.errorRate());
    require(isShare(settings.stallRate()), "sim.stallRate must be from 0 to 1", settings.stallRate());
    require(isShare(settings.cutRate()), "sim.cutRate must be from 0 to 1", settings.cutRate());
    require(settings.answerSpread() >= 0 && settings.answerSpread() < 1, "sim.answerSpread must be from 0 to"
        + " less than 1", settings.answerSpread());
    return settings;
  }

  private static boolean isShare(double rate) {
    return rate >= 0 && rate <= 1;
  }

  private static void require(boolean ok, String message, Object value) {
    if (!ok) {
      throw new IllegalArgumentException(message + ", got " + value);
    }
  }
}
