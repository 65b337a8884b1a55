package dev.edgechat.llm;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.ConnectException;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming client of any OpenAI-compatible {@code /chat/completions} endpoint (OpenAI, the
 * {@code sim} role, vLLM, …) on the Vert.x HTTP client. Upstream failures become API.md §5 errors:
 * 429 → {@code overloaded}, silence past {@code llm.firstTokenTimeoutMs} → {@code timeout},
 * everything else → {@code upstream_unavailable}.
 *
 * <p>It stays on the core HTTP client, not vertx-web-client: its one call is a token stream, and
 * WebClient completes a response only once its body has ended (its streaming codecs pass
 * back-pressure on, but the status, 429 or 401, would come after the stream) and gives no handle to
 * reset the request when the visitor leaves, which is what stops the upstream's generation.
 */
public final class OpenAiChatModel implements ChatModel {

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatModel.class);

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final EdgechatConfig.Llm settings;
  private final String apiKey;
  private final String completionsUrl;

  public OpenAiChatModel(Vertx vertx, EdgechatConfig.Llm settings, String apiKey) {
    this.vertx = Objects.requireNonNull(vertx);
    this.settings = Objects.requireNonNull(settings);
    this.apiKey = Objects.requireNonNull(apiKey);
    String base = settings.baseUrl().toString();
    this.completionsUrl = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/chat/completions";
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) settings.connectTimeoutMs())
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(true),
        new PoolOptions().setHttp1MaxSize(settings.poolSize()).setMaxWaitQueueSize(4 * settings.poolSize()));
  }

  @Override
  public String name() {
    return settings.model();
  }

  @Override
  public Future<TokenStream> stream(ChatPrompt prompt, Cancellation cancellation) {
    JsonObject body = new JsonObject()
        .put("model", settings.model())
        .put("messages", prompt.messages())
        .put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("max_tokens", prompt.maxTokens())
        .put("temperature", prompt.temperature());
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(completionsUrl)
        // bounds the wait for a pooled connection too: the visitor waits for a first token meanwhile
        .setConnectTimeout(settings.firstTokenTimeoutMs())
        .setIdleTimeout(settings.firstTokenTimeoutMs())
        .putHeader("Authorization", "Bearer " + apiKey)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "text/event-stream");
    return client.request(options)
        .compose(request -> {
          if (cancellation.isCancelled()) {
            request.reset();
            return Future.failedFuture(ApiError.upstreamUnavailable("the client left before the model was asked"));
          }
          cancellation.onCancel(request::reset);
          // the response is taken (paused, or its body asked) in this send callback, never in a step
          // chained after it: Vert.x 5.0.8 loses the end of a response asked for after it ended
          return request.send(body.toBuffer())
            .compose(response -> {
              if (response.statusCode() != 200) {
                return response.body().transform(b -> Future.failedFuture(
                    statusError(response, b.succeeded() ? b.result() : Buffer.buffer())));
              }
              TokenStream tokens =
                  new OpenAiTokenStream(vertx, request, response, settings.firstTokenTimeoutMs(), prompt.passages(),
                      settings.model());
              cancellation.onCancel(tokens::cancel);
              return Future.succeededFuture(tokens);
            });
        })
        .recover(e -> Future.failedFuture(toApiError(e)));
  }

  /** The error a non-200 answer of the upstream stands for. */
  static ApiError statusError(HttpClientResponse response, Buffer body) {
    String detail = upstreamMessage(body);
    int status = response.statusCode();
    LOG.warn("upstream answered an error [status: {}, message: {}]", status, detail);
    if (status == 429) {
      String retryAfter = response.getHeader("Retry-After");
      long seconds = retryAfter != null && retryAfter.matches("\\d{1,6}") ? Long.parseLong(retryAfter) : 1;
      return ApiError.overloaded("the language model is overloaded; try again shortly", seconds);
    }
    if (status == 408 || status == 504) {
      return ApiError.timeout("the language model timed out");
    }
    if (status == 401 || status == 403) {
      return ApiError.upstreamUnavailable("the language model refused our credentials");
    }
    return ApiError.upstreamUnavailable("the language model failed (HTTP " + status + ")");
  }

  private static String upstreamMessage(Buffer body) {
    try {
      JsonObject json = body.toJsonObject();
      JsonObject error = json.getJsonObject("error");
      return error != null ? error.getString("message") : json.encode();
    } catch (DecodeException | ClassCastException e) {
      return body.length() > 200 ? body.getString(0, 200) : body.toString();
    }
  }

  /** Maps a transport failure to the wire contract's errors. */
  static ApiError toApiError(Throwable e) {
    if (e instanceof ApiError api) {
      return api;
    }
    if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
      return ApiError.timeout("the language model did not answer in time");
    }
    if (e instanceof ConnectionPoolTooBusyException) {
      return ApiError.overloaded("too many answers are being generated; try again shortly", 1);
    }
    if (e instanceof ConnectException) {
      return ApiError.upstreamUnavailable("the language model cannot be reached");
    }
    LOG.warn("language model connection failed [reason: {}]", e.toString());
    return ApiError.upstreamUnavailable("the language model connection failed");
  }
}
