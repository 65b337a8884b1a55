package dev.edgechat.embedding;

import dev.edgechat.vectors.Vectors;
import dev.edgechat.web.PlainWebClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embeds texts with any OpenAI-compatible {@code POST {baseUrl}/embeddings} endpoint (OpenAI, the
 * {@code sim} role, vLLM, …): one request per call, {@code {"model","input":[...]}} with the bearer
 * key, vectors asked as Base64 float32s (a quarter of the JSON) but read as float arrays too, for
 * servers that ignore {@code encoding_format}. Every vector is checked for length and normalized.
 * A call that is not answered whole within {@code timeoutMs} fails then.
 *
 * <p>The calls go through vertx-web-client, which has no deadline for a whole call: the deadline is
 * the call's {@code Future.timeout}, and the request's idle timeout of the same length, counted
 * from when a pooled connection is had, resets a request the upstream has gone silent on, so a hung
 * upstream cannot keep the pool's connections.
 *
 * <p>Call it through an {@link EmbeddingBatcher}: it sends whatever it is given as one request.
 *
 * <p>Two modes. The knowledge base's ({@link #RemoteEmbeddingModel constructor}) holds the upstream
 * to one vector length, which its index needs, and normalizes every vector. The gateway's ({@link
 * #passThrough}) takes the vectors the upstream returns for the model, whatever their length, as
 * they are, and sends {@code dimensions} exactly when its caller did: a gateway passes the upstream's
 * answer on (issue 17, defect 8).
 *
 * <p>Failures ({@link EmbeddingException}) say what went wrong and for which model, never where:
 * the upstream's address is internal, and their messages reach API answers (the gateway's errors,
 * a failed document's {@code error}); it is in the log lines instead.
 */
public final class RemoteEmbeddingModel implements EmbeddingModel {

  private static final Logger LOG = LoggerFactory.getLogger(RemoteEmbeddingModel.class);

  /** The sizes of well-known models, for {@code embeddings.dimensions: 0}. */
  private static final Map<String, Integer> NATIVE_DIMENSIONS = Map.of(
      "text-embedding-3-small", 1536,
      "text-embedding-3-large", 3072,
      "text-embedding-ada-002", 1536);
  /** Upstream calls are few and batched: a handful of connections is plenty. */
  private static final int POOL_SIZE = 8;

  private final HttpClientAgent client;
  private final WebClient web;
  private final String url;
  private final String model;
  private final int dimensions;
  private final boolean askDimensions;
  /** Whether vectors of any length are taken as the upstream sends them (the gateway's mode). */
  private final boolean passThrough;
  private final String apiKey;
  private final long timeoutMs;
  private final Counter succeeded;
  private final Counter failed;
  private final Timer latency;

  /**
   * @param baseUrl the API base, e.g. {@code https://api.openai.com/v1}
   * @param model the model id sent upstream
   * @param dimensions the vector length wanted; 0 for the model's own, which must then be known
   *     (text-embedding-3-small/-large, ada-002)
   * @param timeoutMs the longest a call may take, connection included
   * @param registry where the upstream calls are counted; null for none
   * @throws IllegalArgumentException naming {@code embeddings.dimensions} when the size is unknown
   */
  public RemoteEmbeddingModel(Vertx vertx, URI baseUrl, String model, int dimensions, String apiKey, long timeoutMs,
      MeterRegistry registry) {
    this(vertx, baseUrl, model, dimensions, apiKey, timeoutMs, registry, false);
  }

  /**
   * The gateway's mode: any model, vectors of whatever length the upstream returns for it, passed
   * on as they come (not normalized); {@link #dimensions()} is {@code dimensions}, or 0 for "the
   * upstream's own length".
   *
   * @param dimensions the {@code dimensions} the caller asked for, sent upstream as it is; 0 when the
   *     caller did not ask, and then none is sent
   */
  public static RemoteEmbeddingModel passThrough(Vertx vertx, URI baseUrl, String model, int dimensions, String apiKey,
      long timeoutMs, MeterRegistry registry) {
    return new RemoteEmbeddingModel(vertx, baseUrl, model, dimensions, apiKey, timeoutMs, registry, true);
  }

  private RemoteEmbeddingModel(Vertx vertx, URI baseUrl, String model, int dimensions, String apiKey, long timeoutMs,
      MeterRegistry registry, boolean passThrough) {
    Objects.requireNonNull(vertx, "vertx");
    this.passThrough = passThrough;
    this.model = Objects.requireNonNull(model, "model");
    this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
    if (timeoutMs < 1) {
      throw new IllegalArgumentException("embeddings.timeoutMs must be positive, was " + timeoutMs);
    }
    this.timeoutMs = timeoutMs;
    Integer own = NATIVE_DIMENSIONS.get(model);
    if (passThrough) {
      if (dimensions < 0) {
        throw new IllegalArgumentException("dimensions must be 0 (the upstream's own) or positive, was " + dimensions);
      }
      this.dimensions = dimensions;
      this.askDimensions = dimensions > 0;
    } else {
      if (dimensions < 0 || dimensions == 0 && own == null) {
        throw new IllegalArgumentException("embeddings.dimensions must be set for model '" + model
            + "': its vector length is not known (0 = the model's own works only for "
            + NATIVE_DIMENSIONS.keySet().stream().sorted().toList() + ")");
      }
      this.dimensions = dimensions > 0 ? dimensions : own;
      // ada-002 refuses the parameter; the text-embedding-3 models shorten their vectors when asked
      this.askDimensions = dimensions > 0 && !Objects.equals(own, dimensions);
    }
    String base = Objects.requireNonNull(baseUrl, "baseUrl").toString();
    this.url = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/embeddings";
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) Math.min(timeoutMs, Integer.MAX_VALUE))
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(true),
        new PoolOptions().setHttp1MaxSize(POOL_SIZE));
    this.web = PlainWebClient.over(client);
    MeterRegistry meters = registry != null ? registry : Meters.none();
    this.succeeded = calls(meters, "ok");
    this.failed = calls(meters, "error");
    this.latency = Timer.builder("edgechat.embedding.upstream.latency").tag("model", model)
        .description("time of one upstream embeddings call").register(meters);
  }

  private Counter calls(MeterRegistry meters, String outcome) {
    return Counter.builder("edgechat.embedding.upstream.calls").tag("model", model).tag("outcome", outcome)
        .description("calls of the remote embeddings endpoint").register(meters);
  }

  @Override
  public String name() {
    return model;
  }

  /** The length of every vector; in the gateway's mode 0 when the caller asked for none (the upstream's own). */
  @Override
  public int dimensions() {
    return dimensions;
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    List<String> inputs = List.copyOf(texts);
    if (inputs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    JsonObject body = new JsonObject()
        .put("model", model)
        .put("input", new JsonArray(inputs))
        .put("encoding_format", "base64");
    if (askDimensions) {
      body.put("dimensions", dimensions);
    }
    long started = System.nanoTime();
    return web.postAbs(url)
        .connectTimeout(timeoutMs)
        .idleTimeout(timeoutMs)
        .putHeader("Authorization", "Bearer " + apiKey)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "application/json")
        .sendBuffer(body.toBuffer())
        .timeout(timeoutMs, TimeUnit.MILLISECONDS)
        .compose(this::answer)
        .map(json -> vectors(json, inputs.size()))
        .recover(e -> Future.failedFuture(failure(e, inputs.size())))
        .onComplete(result -> {
          latency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          (result.succeeded() ? succeeded : failed).increment();
        });
  }

  /** Releases the HTTP client. */
  public Future<Void> close() {
    return client.close();
  }

  /** The whole answer's JSON; fails with an {@link EmbeddingException} on an error status or non-JSON. */
  private Future<JsonObject> answer(HttpResponse<Buffer> response) {
    Buffer answer = PlainWebClient.body(response);
    int status = response.statusCode();
    if (status != 200) {
      JsonObject error = upstreamError(answer);
      String detail = error.getString("message");
      LOG.warn("embeddings upstream answered an error [model: {}, url: {}, status: {}, message: {}]", model, url,
          status, detail);
      boolean retryable = status == 408 || status == 429 || status >= 500;
      return Future.failedFuture(new EmbeddingException("embeddings upstream answered HTTP " + status + " [model: "
          + model + "]: " + detail, status, retryable, null, error));
    }
    try {
      return Future.succeededFuture(answer.toJsonObject());
    } catch (DecodeException e) {
      return Future.failedFuture(malformed("the answer is not JSON", e));
    }
  }

  private List<float[]> vectors(JsonObject json, int expected) {
    JsonArray data;
    try {
      data = json.getJsonArray("data");
    } catch (ClassCastException e) {
      throw malformed("'data' is not a list", e);
    }
    if (data == null || data.size() != expected) {
      throw malformed((data == null ? "no 'data'" : data.size() + " vectors") + " for " + expected + " inputs", null);
    }
    float[][] ordered = new float[expected][];
    for (int i = 0; i < expected; i++) {
      Object item = data.getValue(i);
      if (!(item instanceof JsonObject entry)) {
        throw malformed("data[" + i + "] is not an object", null);
      }
      int index = entry.getValue("index") instanceof Number n ? n.intValue() : i;
      if (index < 0 || index >= expected || ordered[index] != null) {
        throw malformed("data[" + i + "] has a bad or repeated index " + index, null);
      }
      float[] vector = vector(entry.getValue("embedding"), i);
      if (passThrough) {
        if (vector.length == 0 || dimensions > 0 && vector.length != dimensions) {
          throw malformed("vectors of " + vector.length + " dimensions where " + dimensions + " were asked for", null);
        }
        ordered[index] = vector;
        continue;
      }
      if (vector.length != dimensions) {
        throw malformed("vectors of " + vector.length + " dimensions where " + dimensions + " are configured"
            + " (embeddings.dimensions)", null);
      }
      ordered[index] = Vectors.unitLength(vector);
    }
    return List.of(ordered);
  }

  private float[] vector(Object embedding, int i) {
    if (embedding instanceof String base64) {
      try {
        return Vectors.fromBase64(base64);
      } catch (IllegalArgumentException e) {
        throw malformed("data[" + i + "].embedding is not Base64 of float32s", e);
      }
    }
    if (embedding instanceof JsonArray floats) {
      float[] vector = new float[floats.size()];
      for (int j = 0; j < vector.length; j++) {
        if (!(floats.getValue(j) instanceof Number n)) {
          throw malformed("data[" + i + "].embedding[" + j + "] is not a number", null);
        }
        vector[j] = n.floatValue();
      }
      return vector;
    }
    throw malformed("data[" + i + "].embedding is missing", null);
  }

  private EmbeddingException malformed(String problem, Throwable cause) {
    LOG.warn("embeddings upstream answered something unusable [model: {}, url: {}, problem: {}]", model, url, problem);
    return new EmbeddingException("embeddings upstream answered something unusable [model: " + model + "]: "
        + problem, 200, false, cause);
  }

  private EmbeddingException failure(Throwable e, int inputs) {
    if (e instanceof EmbeddingException known) {
      return known;
    }
    String what;
    if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
      what = "did not answer within embeddings.timeoutMs (" + timeoutMs + " ms)";
    } else if (e instanceof ConnectException) {
      what = "cannot be reached";
    } else {
      what = "connection failed";
    }
    LOG.warn("embeddings upstream failed [model: {}, url: {}, inputs: {}, reason: {} ({})]", model, url, inputs, what,
        e.toString());
    // the cause's own message names the address (Connection refused: /10.0.0.5:443): not in the message
    return new EmbeddingException("embeddings upstream " + what + " [model: " + model + "]", 0, true, e);
  }

  /**
   * The {@code error} object of an upstream's error answer (OpenAI's shape), with a {@code message}
   * always: the body itself (200 characters at most) when it has none.
   */
  private static JsonObject upstreamError(Buffer body) {
    try {
      JsonObject json = body.toJsonObject();
      JsonObject error = json.getValue("error") instanceof JsonObject e ? e.copy() : new JsonObject();
      if (!(error.getValue("message") instanceof String)) {
        String text = json.encode();
        error.put("message", text.length() > 200 ? text.substring(0, 200) : text);
      }
      return error;
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject().put("message", body.length() > 200 ? body.getString(0, 200) : body.toString());
    }
  }
}
