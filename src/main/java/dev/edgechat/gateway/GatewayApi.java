package dev.edgechat.gateway;

import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.limits.Limiter;
import dev.edgechat.limits.Window;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.ops.ModelTags;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.vectors.Vectors;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.ErrorResponder;
import dev.edgechat.web.JsonBodyHandler;
import dev.edgechat.web.RequestBodies;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of the OpenAI-compatible gateway (API.md §2): {@code POST /v1/chat/completions},
 * {@code POST /v1/embeddings}, {@code GET /v1/models} and {@code GET /v1/models/{model}}. Each
 * request is authenticated by its gateway key ({@code Authorization: Bearer}), held to its
 * profile's rate limit and model list, then answered in OpenAI's format; every failure is an
 * OpenAI-shaped error with OpenAI's status. Without any key configured every call is 401.
 */
public final class GatewayApi implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayApi.class);
  private static final String CALLER = "edgechat.gateway.caller";
  /** Most inputs of one embeddings request, as OpenAI allows. */
  static final int MAX_INPUTS = 2048;

  private final LiveConfig config;
  private final GatewayKeys keys;
  private final Limiter limits;
  private final Map<URI, Upstream> upstreams = new LinkedHashMap<>();
  private final Completions completions;
  private final GatewayEmbeddings embeddings;

  /**
   * @param redis the cache Redis (embeddings are cached there), or null
   * @param limits where each key's requests per minute are counted: the region's shared counters
   */
  public GatewayApi(Vertx vertx, LiveConfig config, AnswerCache cache, SemanticCache semantic, RedisAPI redis,
      Limiter limits, MeterRegistry registry) {
    this.config = Objects.requireNonNull(config);
    EdgechatConfig settings = config.get();
    this.keys = new GatewayKeys(settings.secrets().gatewayKeys(), settings.gateway().profiles());
    this.limits = Objects.requireNonNull(limits);
    for (GatewayProfile profile : settings.gateway().profiles().values()) {
      upstreams.computeIfAbsent(profile.baseUrl(), url -> new Upstream(vertx, url, settings.gateway(), registry));
    }
    this.completions = new Completions(vertx, config, cache, semantic, this::upstream, registry,
        ModelMeters.gateway(config, registry, new ModelTags(), GatewayError.KINDS));
    this.embeddings = new GatewayEmbeddings(vertx, config, redis, registry);
    if (keys.any()) {
      LOG.info("gateway on [keys: {}, profiles: {}]", settings.secrets().gatewayKeys().size(),
          settings.gateway().profiles().values());
    } else {
      LOG.info("gateway off: EDGECHAT_GATEWAY_KEYS is not set (its endpoints answer 401)");
    }
  }

  public void mount(Router router) {
    mount(router, RoutingContext::next);
  }

  /**
   * Mounts the routes; {@code admitNewStream} runs first on {@code /v1/chat/completions} (a
   * draining process refuses new answers there, Drain) and its refusal is answered in OpenAI's
   * error shape like every failure of these routes.
   */
  public void mount(Router router, Handler<RoutingContext> admitNewStream) {
    JsonBodyHandler body = new JsonBodyHandler(config.get().gateway().maxBodyBytes());
    router.post("/v1/chat/completions").handler(admitNewStream).handler(this::authenticate).handler(body)
        .handler(this::chatCompletions).failureHandler(this::failure);
    router.post("/v1/embeddings").handler(this::authenticate).handler(body).handler(this::embeddings)
        .failureHandler(this::failure);
    router.get("/v1/models").handler(this::authenticate).handler(this::models).failureHandler(this::failure);
    router.get("/v1/models/:model").handler(this::authenticate).handler(this::model).failureHandler(this::failure);
  }

  /** The upstream of {@code profile}'s base URL. */
  Upstream upstream(GatewayProfile profile) {
    return upstreams.get(profile.baseUrl());
  }

  /**
   * Checks the key and takes one request of its allowance (a one-minute window shared by the
   * region's edges; the request passes when the counters cannot be reached); the body is read
   * after, and only then.
   */
  private void authenticate(RoutingContext ctx) {
    GatewayKeys.Caller caller = keys.authenticate(ctx.request());
    int perMinute = caller.profile().requestsPerMinute();
    ctx.put(CALLER, caller);
    if (perMinute <= 0) {
      ctx.next();
      return;
    }
    if (ctx.request().method() == HttpMethod.POST) {
      // the body handler after this one reads the body: none of it may arrive while the counters answer
      ctx.request().pause();
    }
    limits.take(List.of(new Window("gateway_key", caller.id(), perMinute, 60_000, 1))).onSuccess(verdict -> {
      if (verdict.allowed()) {
        ctx.next();
      } else {
        long waitSeconds = verdict.retryAfterSeconds();
        ctx.request().resume(); // with no handler: the unread body is dropped, the connection stays usable
        ctx.fail(GatewayError.rateLimited("Rate limit reached for requests: " + perMinute
            + " per minute for this key. Please try again in " + waitSeconds + "s.", waitSeconds));
      }
    });
  }

  private void chatCompletions(RoutingContext ctx) {
    Spans.route("POST /v1/chat/completions");
    GatewayKeys.Caller caller = ctx.get(CALLER);
    CompletionRequest request = CompletionRequest.parse(RequestBodies.json(ctx), caller.profile());
    checkModel(caller.profile(), request.model());
    CacheMode mode = CacheMode.of(ctx.request().getHeader(CacheMode.HEADER));
    completions.answer(ctx, caller.profile(), request, mode);
  }

  private void embeddings(RoutingContext ctx) {
    Spans.route("POST /v1/embeddings");
    GatewayKeys.Caller caller = ctx.get(CALLER);
    JsonObject body = RequestBodies.json(ctx);
    if (!(body.getValue("model") instanceof String model) || model.isBlank() || model.length() > 200) {
      throw GatewayError.invalidRequest("you must provide a model parameter", "model");
    }
    checkModel(caller.profile(), model);
    List<String> inputs = inputs(body.getValue("input"));
    String format = body.getValue("encoding_format") == null ? "float" : String.valueOf(body.getValue("encoding_format"));
    if (!format.equals("float") && !format.equals("base64")) {
      throw GatewayError.invalidRequest("'encoding_format' must be float or base64", "encoding_format");
    }
    int dimensions = 0;
    if (body.getValue("dimensions") != null) {
      if (!(body.getValue("dimensions") instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
          || n.intValue() < 1 || n.intValue() > 8192) {
        throw GatewayError.invalidRequest("'dimensions' must be a whole number from 1 to 8192", "dimensions");
      }
      dimensions = n.intValue();
    }
    HttpServerResponse response = ctx.response();
    embeddings.embed(caller.profile(), model, dimensions, inputs)
        .onSuccess(embedded -> response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            // a hit only when no input needed the upstream
            .putHeader(CacheMode.HEADER, embedded.fromCache() == inputs.size() ? "hit" : "miss")
            .end(embeddingList(model, inputs, embedded.vectors(), format.equals("base64")).encode()))
        .onFailure(ctx::fail);
  }

  private static List<String> inputs(Object input) {
    if (input instanceof String text) {
      if (text.isEmpty()) {
        throw GatewayError.invalidRequest("'input' must not be empty", "input");
      }
      return List.of(text);
    }
    if (!(input instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_INPUTS) {
      throw GatewayError.invalidRequest("'input' must be a string or an array of 1 to " + MAX_INPUTS + " strings",
          "input");
    }
    List<String> texts = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text) || text.isEmpty()) {
        throw GatewayError.invalidRequest("'input' items must be non-empty strings (token arrays are not taken by the "
            + "gateway)", "input");
      }
      texts.add(text);
    }
    return texts;
  }

  private static JsonObject embeddingList(String model, List<String> inputs, List<float[]> vectors, boolean base64) {
    JsonArray data = new JsonArray();
    int tokens = 0;
    for (int i = 0; i < vectors.size(); i++) {
      float[] vector = vectors.get(i);
      Object embedding;
      if (base64) {
        embedding = Vectors.toBase64(vector);
      } else {
        JsonArray floats = new JsonArray(new ArrayList<>(vector.length));
        for (float value : vector) {
          floats.add(value);
        }
        embedding = floats;
      }
      data.add(new JsonObject().put("object", "embedding").put("index", i).put("embedding", embedding));
      tokens += (inputs.get(i).length() + 3) / 4; // an estimate: cached and batched inputs have no upstream count
    }
    return new JsonObject().put("object", "list").put("data", data).put("model", model)
        .put("usage", new JsonObject().put("prompt_tokens", tokens).put("total_tokens", tokens));
  }

  /** {@code GET /v1/models}: the upstream's list, narrowed to the profile's models when it has a list. */
  private void models(RoutingContext ctx) {
    GatewayKeys.Caller caller = ctx.get(CALLER);
    GatewayProfile profile = caller.profile();
    HttpServerResponse response = ctx.response();
    upstream(profile).models(profile)
        .map(list -> allowedOnly(list, profile))
        .recover(e -> profile.models().isEmpty() ? Future.failedFuture(e)
            : Future.succeededFuture(listOf(profile.models())))
        .onSuccess(list -> response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(list.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code GET /v1/models/{model}}: the model when the key may use it and the upstream has it. */
  private void model(RoutingContext ctx) {
    GatewayKeys.Caller caller = ctx.get(CALLER);
    String id = ctx.pathParam("model");
    checkModel(caller.profile(), id);
    HttpServerResponse response = ctx.response();
    upstream(caller.profile()).models(caller.profile())
        .map(list -> {
          for (Object item : list.getJsonArray("data", new JsonArray())) {
            if (item instanceof JsonObject model && id.equals(model.getString("id"))) {
              return model;
            }
          }
          throw GatewayError.modelNotFound(id);
        })
        .onSuccess(model -> response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(model.encode()))
        .onFailure(ctx::fail);
  }

  private static JsonObject allowedOnly(JsonObject list, GatewayProfile profile) {
    if (profile.models().isEmpty()) {
      return list;
    }
    JsonArray data = new JsonArray();
    for (Object item : list.getJsonArray("data", new JsonArray())) {
      if (item instanceof JsonObject model && profile.models().contains(model.getString("id"))) {
        data.add(model);
      }
    }
    return new JsonObject().put("object", "list").put("data", data);
  }

  private static JsonObject listOf(List<String> models) {
    JsonArray data = new JsonArray();
    models.forEach(id -> data.add(new JsonObject().put("id", id).put("object", "model").put("created", 0)
        .put("owned_by", "edgechat-gateway")));
    return new JsonObject().put("object", "list").put("data", data);
  }

  private static void checkModel(GatewayProfile profile, String model) {
    if (!profile.models().isEmpty() && !profile.models().contains(model)) {
      throw GatewayError.modelNotFound(model);
    }
  }

  /** Every failure of the gateway's routes, in OpenAI's shape. */
  private void failure(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (ErrorResponder.resetIfUnderWay(response)) {
      return;
    }
    Throwable failure = ctx.failure();
    GatewayError error;
    if (failure instanceof GatewayError gateway) {
      error = gateway;
    } else if (failure instanceof ApiError api) {
      error = GatewayError.from(api);
    } else if (ctx.statusCode() == 413) {
      error = GatewayError.from(ApiError.payloadTooLarge("the request body is too large"));
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error = GatewayError.invalidRequest("the request is malformed", null);
    } else {
      LOG.error("unexpected gateway failure [path: {}]", ctx.request().path(), failure);
      error = GatewayError.upstream(502, "upstream_unavailable", "the request could not be served; try again", null);
    }
    error.send(response);
  }

  @Override
  public void close() {
    upstreams.values().forEach(Upstream::close);
  }
}
