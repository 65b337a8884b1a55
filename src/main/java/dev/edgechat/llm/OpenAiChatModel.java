package dev.edgechat.llm;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A streaming client of any OpenAI-compatible {@code /chat/completions} endpoint (OpenAI, the
 * {@code sim} role, vLLM, …) on the Vert.x HTTP client. Upstream failures become API.md §5 errors:
 * 429 → {@code overloaded}, silence past {@code llm.firstTokenTimeoutMs} before the first token or
 * {@code llm.idleTimeoutMs} between tokens → {@code timeout}, everything else →
 * {@code upstream_unavailable}.
 *
 * <p>Calls follow the upstream discipline the gateway shares ({@link UpstreamGuard}): a try
 * succeeds once the first token has arrived, and until then a try that failed in a way that may
 * pass is tried again ({@code llm.retries}, with backoff and jitter; a 429 after its
 * {@code Retry-After} up to {@code llm.maxRetryAfterMs}). Origin relays nothing to the edge before
 * {@link #stream} succeeded, so a retry never repeats a token a visitor saw. Failed tries open the
 * model's breaker ({@code llm.breakerMaxFailures}); while it is open, calls fail at once with 503
 * {@code upstream_unavailable} and the seconds it stays open as {@code Retry-After}, which the edge
 * answers with a stale cached answer when it has one.
 *
 * <p>It stays on the core HTTP client, not vertx-web-client: its one call is a token stream, and
 * WebClient completes a response only once its body has ended (its streaming codecs pass
 * back-pressure on, but the status, 429 or 401, would come after the stream) and gives no handle to
 * reset the request when the visitor leaves, which is what stops the upstream's generation.
 */
public final class OpenAiChatModel implements ChatModel {

  private static final Logger LOG = LoggerFactory.getLogger(OpenAiChatModel.class);

  private final Scheduler time;
  private final HttpClientAgent client;
  private final EdgechatConfig.Llm settings;
  private final String apiKey;
  private final String completionsUrl;
  private final UpstreamGuard guard;

  public OpenAiChatModel(Vertx vertx, Scheduler time, EdgechatConfig.Llm settings, String apiKey,
      MeterRegistry registry) {
    Objects.requireNonNull(vertx);
    this.time = Objects.requireNonNull(time);
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
    this.guard = new UpstreamGuard(vertx, time, "chat", settings.baseUrl().toString(), new UpstreamGuard.Settings(
        settings.retries(), settings.retryBackoffMs(), settings.maxRetryAfterMs(), settings.breakerMaxFailures(),
        settings.breakerResetMs()), new Failures(), registry);
  }

  /** The chat's failed tries as the guard reads them. */
  private static final class Failures implements UpstreamGuard.Failures {

    @Override
    public boolean retryable(Throwable failure) {
      return !(failure instanceof UpstreamFailure f) || f.retryable();
    }

    @Override
    public long retryAfterMs(Throwable failure) {
      return failure instanceof UpstreamFailure f ? f.retryAfterMs() : 0;
    }

    @Override
    public Throwable breakerOpen(long retryAfterSeconds) {
      return new ApiError(503, "upstream_unavailable", "the language model failed repeatedly and is given a rest; "
          + "try again in " + retryAfterSeconds + " s", retryAfterSeconds);
    }

    @Override
    public Throwable clientLeft() {
      return UpstreamFailure.clientLeft();
    }
  }

  @Override
  public String name() {
    return settings.model();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Succeeds once the model's first token has arrived (tried again as the class says); fails
   * with the last try's {@link ApiError}, or 503 {@code upstream_unavailable} with
   * {@code Retry-After} while the breaker is open.
   */
  @Override
  public Future<TokenStream> stream(ChatPrompt prompt, Cancellation cancellation) {
    Buffer body = new JsonObject()
        .put("model", settings.model())
        .put("messages", prompt.messages())
        .put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true))
        .put("max_tokens", prompt.maxTokens())
        .put("temperature", prompt.temperature())
        .toBuffer();
    return guard.call(() -> once(body, prompt, cancellation), cancellation)
        .recover(e -> Future.failedFuture(e instanceof UpstreamFailure f ? f.error() : toApiError(e)));
  }

  /**
   * One try: succeeds at the first token; fails with an {@link UpstreamFailure}, {@code timeout}
   * when no first token came within {@code llm.firstTokenTimeoutMs} of asking (whether the
   * upstream sent no response head at all or a head and then nothing), and then resets the request.
   */
  private Future<TokenStream> once(Buffer body, ChatPrompt prompt, Cancellation cancellation) {
    long firstTokenMs = settings.firstTokenTimeoutMs();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(completionsUrl)
        // bounds the wait for a pooled connection too: the visitor waits for a first token meanwhile
        .setConnectTimeout(firstTokenMs)
        // the connection's own limit; the try's deadline and the stream's watchdog time the first token and the gaps
        .setIdleTimeout(Math.max(firstTokenMs, settings.idleTimeoutMs()))
        .putHeader("Authorization", "Bearer " + apiKey)
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "text/event-stream");
    Promise<TokenStream> result = Promise.promise();
    List<HttpClientRequest> asked = new ArrayList<>(1);
    Scheduler.Timer deadline = time.after(firstTokenMs, () -> {
      if (result.tryFail(UpstreamFailure.beforeFirstToken(
          ApiError.timeout("the language model sent no first token within " + firstTokenMs + " ms")))) {
        asked.forEach(HttpClientRequest::reset);
      }
    });
    client.request(options)
        .compose(request -> {
          asked.add(request);
          if (cancellation.isCancelled() || result.future().isComplete()) {
            request.reset();
            return Future.<TokenStream>failedFuture(UpstreamFailure.clientLeft());
          }
          cancellation.onCancel(request::reset);
          // the response is taken (its handlers set, or its body asked) in this send callback, never
          // in a step chained after it: Vert.x 5.0.8 loses the end of a response asked for after it ended
          return request.send(body)
            .compose(response -> {
              if (response.statusCode() != 200) {
                return response.body().transform(b -> Future.failedFuture(UpstreamFailure.status(
                    response.statusCode(), statusError(response, b.succeeded() ? b.result() : Buffer.buffer()))));
              }
              OpenAiTokenStream tokens = new OpenAiTokenStream(time, request, response, firstTokenMs,
                  settings.idleTimeoutMs(), prompt.passages(), settings.model());
              cancellation.onCancel(tokens::cancel);
              return tokens.firstToken().onSuccess(first -> {
                if (result.future().isComplete()) {
                  tokens.cancel(); // the deadline passed just before: this try is over
                }
              });
            });
        })
        .recover(e -> Future.failedFuture(cancellation.isCancelled() ? UpstreamFailure.clientLeft()
            : e instanceof UpstreamFailure ? e : UpstreamFailure.transport(toApiError(e))))
        .onComplete(done -> {
          deadline.cancel();
          if (done.succeeded()) {
            result.tryComplete(done.result());
          } else {
            result.tryFail(done.cause());
          }
        });
    return result.future();
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
