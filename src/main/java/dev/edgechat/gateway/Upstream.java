package dev.edgechat.gateway;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.llm.UpstreamGuard;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.PlainWebClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.ConnectException;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenAI-compatible upstream (a base URL): its connection pool and its {@link UpstreamGuard}.
 *
 * <p>A completion is asked as a stream; a try succeeds when the first chunk has arrived. Until then
 * nothing has reached a client, so the guard (the same discipline the visitor chat's model has)
 * tries again a try that failed in a way that may pass (5xx, 429 with a short enough
 * {@code Retry-After}, silence, a broken or refused connection), up to {@code gateway.retries}
 * times with exponential backoff and jitter; an answer the upstream refuses for the request's sake
 * (400, 401, 404 …) is passed on at once. Every try goes through the upstream's breaker:
 * {@code gateway.breakerMaxFailures} failed tries in a row open it, and while open it refuses at
 * once (503 {@code upstream_circuit_open} with {@code Retry-After}: the time it stays open yet)
 * for {@code gateway.breakerResetMs}, then lets one try through. Refusals and a client leaving are
 * not failures of the upstream.
 *
 * <p>{@link #models} is a plain request/response call on vertx-web-client; completions stay on the
 * core {@code HttpClient} under it (one pool for both): a try must see the status before the body,
 * hand the stream over at its first chunk and reset the request when the client leaves, and
 * WebClient completes a response only once its body has ended and offers no reset.
 */
final class Upstream {

  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
  /** The code of the 503 an open breaker answers with. */
  static final String BREAKER_OPEN = "upstream_circuit_open";
  private static final GatewayError CLIENT_LEFT = new GatewayError(499, "invalid_request_error", "client_closed",
      null, "the client left", null, false);

  private final Vertx vertx;
  private final URI baseUrl;
  private final String root;
  private final EdgechatConfig.Gateway settings;
  private final HttpClientAgent client;
  private final WebClient web;
  private final UpstreamGuard guard;

  Upstream(Vertx vertx, URI baseUrl, EdgechatConfig.Gateway settings, MeterRegistry registry) {
    this(vertx, Scheduler.of(vertx), baseUrl, settings, registry);
  }

  Upstream(Vertx vertx, Scheduler time, URI baseUrl, EdgechatConfig.Gateway settings, MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.baseUrl = Objects.requireNonNull(baseUrl);
    this.settings = Objects.requireNonNull(settings);
    String base = baseUrl.toString();
    this.root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) settings.connectTimeoutMs())
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            // no Accept-Encoding: an upstream that compresses its stream (the sim does when asked)
            // holds and deflates every chunk, which costs the first token more than the bytes save
            .setDecompressionSupported(false),
        new PoolOptions().setHttp1MaxSize(settings.poolSize()).setMaxWaitQueueSize(4 * settings.poolSize()));
    this.web = PlainWebClient.over(client);
    this.guard = new UpstreamGuard(vertx, time, "gateway", baseUrl.toString(), new UpstreamGuard.Settings(
        settings.retries(), settings.retryBackoffMs(), settings.maxRetryAfterMs(), settings.breakerMaxFailures(),
        settings.breakerResetMs()), new Failures(), registry);
    Gauge.builder("edgechat.gateway.breaker.open", guard, g -> g.breakerState() == CircuitBreakerState.OPEN ? 1 : 0)
        .tag("upstream", baseUrl.toString())
        .description("1 while the gateway's circuit breaker of an upstream is open").register(registry);
  }

  /** The gateway's errors as the guard reads them. */
  private static final class Failures implements UpstreamGuard.Failures {

    @Override
    public boolean retryable(Throwable failure) {
      return transportError(failure).retryable();
    }

    @Override
    public long retryAfterMs(Throwable failure) {
      GatewayError error = transportError(failure);
      return error.status() == 429 ? error.retryAfterSeconds().orElse(0L) * 1000 : 0;
    }

    @Override
    public Throwable breakerOpen(long retryAfterSeconds) {
      return GatewayError.upstream(503, BREAKER_OPEN,
          "the upstream failed repeatedly and is given a rest; try again in " + retryAfterSeconds + " s",
          retryAfterSeconds);
    }

    @Override
    public Throwable clientLeft() {
      return CLIENT_LEFT;
    }
  }

  URI baseUrl() {
    return baseUrl;
  }

  /** The breaker's state, for tests and readiness. */
  CircuitBreakerState breakerState() {
    return guard.breakerState();
  }

  /**
   * Streams a completion of {@code body}.
   *
   * @return succeeds with the stream once its first chunk has arrived; fails with a
   *     {@link GatewayError}: the upstream's refusal, 502/504 after the last try, 503 when the
   *     breaker is open or the pool is full
   */
  Future<UpstreamStream> stream(GatewayProfile profile, JsonObject body, Cancellation cancelled) {
    Buffer encoded = body.toBuffer();
    return guard.call(() -> once(profile, encoded, cancelled), cancelled);
  }

  private Future<UpstreamStream> once(GatewayProfile profile, Buffer body, Cancellation cancelled) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(root + "/chat/completions")
        // bounds the wait for a pooled connection, and for the response head
        .setConnectTimeout(settings.firstTokenTimeoutMs())
        .setIdleTimeout(settings.firstTokenTimeoutMs())
        .putHeader("Content-Type", "application/json")
        .putHeader("Accept", "text/event-stream");
    profile.upstreamKey().ifPresent(key -> options.putHeader("Authorization", "Bearer " + key));
    return client.request(options).compose(request -> {
      if (cancelled.isCancelled()) {
        request.reset();
        return Future.failedFuture(CLIENT_LEFT);
      }
      cancelled.onCancel(request::reset);
      // the response is taken (its body asked, or its handlers set) in this send callback, never in
      // a step chained after it: Vert.x 5.0.8 loses the end of a response asked for after it ended
      return request.send(body).compose(response -> {
        if (response.statusCode() != 200) {
          return response.body().transform(b -> Future.failedFuture(refusal(response.statusCode(),
              response.getHeader("Retry-After"), b.succeeded() ? b.result() : Buffer.buffer())));
        }
        UpstreamStream stream = new UpstreamStream(vertx, request, response, settings.firstTokenTimeoutMs(),
            settings.idleTimeoutMs());
        cancelled.onCancel(stream::cancel);
        return stream.firstChunk();
      });
    }).recover(e -> Future.failedFuture(cancelled.isCancelled() ? CLIENT_LEFT : transportError(e)));
  }

  /**
   * {@code GET /models} of the upstream with the profile's key.
   *
   * @return the upstream's list; fails with a {@link GatewayError} when it cannot be had
   */
  Future<JsonObject> models(GatewayProfile profile) {
    HttpRequest<Buffer> request = web.getAbs(root + "/models")
        .connectTimeout(settings.connectTimeoutMs())
        .idleTimeout(settings.firstTokenTimeoutMs())
        .putHeader("Accept", "application/json");
    profile.upstreamKey().ifPresent(key -> request.putHeader("Authorization", "Bearer " + key));
    return request.send()
        .compose(response -> {
          Buffer body = PlainWebClient.body(response);
          if (response.statusCode() != 200) {
            return Future.failedFuture(refusal(response.statusCode(), response.getHeader("Retry-After"), body));
          }
          return Future.succeededFuture(body.toJsonObject());
        })
        .recover(e -> Future.failedFuture(transportError(e)));
  }

  Future<Void> close() {
    guard.close();
    return client.close();
  }

  /** A status other than 200, with the upstream's own error when its body has one. */
  private static GatewayError refusal(int status, String retryAfter, Buffer body) {
    JsonObject error;
    try {
      JsonObject json = body.toJsonObject();
      error = json.getValue("error") instanceof JsonObject e ? e : new JsonObject();
    } catch (DecodeException | ClassCastException e) {
      error = new JsonObject();
    }
    Long seconds = retryAfter != null && retryAfter.matches("\\d{1,6}") ? Long.valueOf(retryAfter) : null;
    if (status == 429 && seconds == null) {
      seconds = 1L;
    }
    return GatewayError.fromUpstream(status, error, seconds);
  }

  /** A failure of the transport, as the error a client gets. */
  static GatewayError transportError(Throwable e) {
    if (e instanceof GatewayError error) {
      return error;
    }
    if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
      return GatewayError.upstream(504, "timeout", "the upstream did not answer in time", null);
    }
    if (e instanceof ConnectionPoolTooBusyException) {
      return GatewayError.upstream(503, "overloaded", "too many requests are waiting for the upstream", 1L);
    }
    if (e instanceof ConnectException) {
      return GatewayError.upstream(502, "upstream_unavailable", "the upstream cannot be reached", null);
    }
    LOG.debug("upstream connection failed [reason: {}]", e.toString());
    return GatewayError.upstream(502, "upstream_unavailable", "the connection to the upstream failed", null);
  }
}
