package dev.edgechat.edge;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.db.Lsn;
import dev.edgechat.knowledge.Site;
import dev.edgechat.ops.Readiness;
import dev.edgechat.ops.logging.LogContext;
import dev.edgechat.ops.logging.Traceparent;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.ChangeFeed;
import dev.edgechat.protocol.OriginAnswers;
import dev.edgechat.protocol.QuestionVector;
import dev.edgechat.protocol.ReadAfter;
import dev.edgechat.protocol.SiteChange;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.PlainWebClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The edge's HTTP client of origin's internal API (in role {@code all} too: over loopback, the
 * same path as in production). Failures are API.md §5 errors: origin's own errors keep their code,
 * an unreachable origin is {@code upstream_unavailable}, a silent one {@code timeout}.
 *
 * <p>The JSON calls go through vertx-web-client; the answer's event stream stays on the core
 * {@code HttpClient} under it (one pool for both). WebClient's streaming codecs
 * ({@code BodyCodec.pipe}, {@code sseStream}) do pass back-pressure on, but its response completes
 * only when the body has ended, so origin's refusal (a status and a JSON error) would be known only
 * after the stream, and it gives no handle to reset the request when the visitor leaves, which is
 * how origin learns to stop the model.
 */
public final class OriginClient implements OriginAnswers {

  /** Connections to origin; each carries one streaming answer at a time (HTTP/1.1). */
  private static final int ORIGIN_CONNECTIONS = 256;

  private final Vertx vertx;
  private final HttpClientAgent client;
  private final WebClient web;
  private final Supplier<URI> originUrl;
  private final String authorization;
  private final EdgechatConfig.Edge settings;

  /** @param originUrl read at each call: in role {@code all} it is known only once origin listens */
  public OriginClient(Vertx vertx, Supplier<URI> originUrl, String edgeToken, EdgechatConfig.Edge settings) {
    this.vertx = Objects.requireNonNull(vertx);
    this.originUrl = Objects.requireNonNull(originUrl);
    this.authorization = "Bearer " + Objects.requireNonNull(edgeToken);
    this.settings = Objects.requireNonNull(settings);
    this.client = vertx.createHttpClient(
        new HttpClientOptions()
            .setConnectTimeout((int) settings.originConnectTimeoutMs())
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setName("edgechat-origin"),
        new PoolOptions().setHttp1MaxSize(ORIGIN_CONNECTIONS).setMaxWaitQueueSize(4 * ORIGIN_CONNECTIONS));
    this.web = PlainWebClient.over(client);
  }

  /**
   * A site as origin tells an edge of it: its settings and version, its purges by document still
   * kept, and the cached questions reported as wrong semantic hits (normalized).
   */
  public record SiteState(Site site, List<SiteChange> purges, List<String> wrongHits) {

    public SiteState {
      Objects.requireNonNull(site);
      purges = List.copyOf(purges);
      wrongHits = List.copyOf(wrongHits);
    }

    public SiteState(Site site, List<SiteChange> purges) {
      this(site, purges, List.of());
    }
  }

  /** The site; fails with {@code not_found} when origin has none of that id. */
  public Future<Site> site(String id) {
    return site(id, 0).map(SiteState::site);
  }

  /**
   * The site, at {@code minVersion} or later when origin has it (origin then reads its primary if a
   * replica has an older one), with its purges by document; fails with {@code not_found} when
   * origin has none of that id.
   */
  public Future<SiteState> site(String id, long minVersion) {
    return get("/internal/sites/" + id + (minVersion > 0 ? "?version=" + minVersion : "")).map(json -> {
      JsonArray purges = json.getJsonArray("purges", new JsonArray());
      JsonArray wrongHits = json.getJsonArray("wrongHits", new JsonArray());
      return new SiteState(Site.fromJson(json), purges.stream().map(p -> SiteChange.fromJson((JsonObject) p))
          .toList(), wrongHits.stream().filter(String.class::isInstance).map(String.class::cast).toList());
    });
  }

  /** Origin's change feed as it opened: the request (reset it to stop) and its paused response. */
  public record ChangeStream(HttpClientRequest request, HttpClientResponse response) {
  }

  /**
   * Opens origin's change feed ({@link ChangeFeed}) after change {@code after}, or from a snapshot
   * when {@code after} is negative. Succeeds once origin answered 200, with the paused stream;
   * fails with origin's error, or when it cannot be reached. The stream has no idle timeout of its
   * own: its reader watches the heartbeats.
   */
  public Future<ChangeStream> changes(long after) {
    RequestOptions options = options(HttpMethod.GET, ChangeFeed.PATH + (after >= 0 ? "?" + ChangeFeed.AFTER + "=" + after
        : ""))
        .setIdleTimeout(0)
        .putHeader("Accept", "text/event-stream");
    return client.request(options)
        // the response is paused in the send callback: see answer()
        .compose(req -> req.send().compose(response -> {
          if (response.statusCode() == 200) {
            response.pause();
            return Future.succeededFuture(new ChangeStream(req, response));
          }
          return failure(response);
        }))
        .recover(OriginClient::transportFailure);
  }

  /**
   * The conversation as API.md §1 shows it, holding every write up to {@code after} (the latest
   * WAL position origin gave this edge for it, {@link ReadAfter}); fails with {@code not_found}
   * when there is none.
   */
  public Future<JsonObject> conversation(String id, Optional<Lsn> after) {
    HttpRequest<Buffer> request = call(HttpMethod.GET, "/internal/conversations/" + id);
    after.ifPresent(lsn -> request.putHeader(ReadAfter.HEADER, lsn.toString()));
    return request.send()
        .compose(response -> answered(response, 200))
        .map(Buffer::toJsonObject)
        .recover(OriginClient::transportFailure);
  }

  /**
   * Asks origin to answer. Succeeds once origin started streaming, with the paused event stream;
   * fails with origin's error when it refused (unknown conversation, …) or could not be reached.
   * When {@code visitorGone} fires, at any stage, the request to origin is reset.
   */
  @Override
  public Future<OriginAnswer> answer(AnswerRequest request, Cancellation visitorGone) {
    return answer(request, null, visitorGone);
  }

  /**
   * As {@link #answer(AnswerRequest, Cancellation)}, with the question's vector when the edge has
   * one ({@link QuestionVector}; null: none): origin uses it for retrieval when it embeds with the
   * same model, and an origin that predates the field ignores it.
   */
  public Future<OriginAnswer> answer(AnswerRequest request, QuestionVector vector, Cancellation visitorGone) {
    JsonObject body = request.toJson();
    if (vector != null) {
      body.put(QuestionVector.FIELD, vector.toJson());
    }
    return client.request(options(HttpMethod.POST, "/internal/answer")
            .setTraceOperation("POST /internal/answer")
            .putHeader("Content-Type", "application/json")
            .putHeader("Accept", "text/event-stream"))
        .compose(req -> {
          if (visitorGone.isCancelled()) {
            req.reset();
            return Future.failedFuture(ApiError.upstreamUnavailable("the visitor left"));
          }
          // origin sees the reset as the edge leaving, also while it is still retrieving or asking the model
          visitorGone.onCancel(req::reset);
          // the response is taken (paused, or its body asked) in this send callback, never in a step
          // chained after it: Vert.x 5.0.8 loses the end of a response asked for after it ended
          return req.send(body.toBuffer())
              .compose(response -> response.statusCode() == 200
                  ? Future.succeededFuture(new OriginAnswer(vertx, req, response, settings.originIdleTimeoutMs()))
                  : failure(response));
        })
        .recover(OriginClient::transportFailure);
  }

  /** What origin said of a batch of records: how many it saved, and where ({@link ReadAfter}), if it said. */
  public record Recorded(int saved, Optional<Lsn> position) {
  }

  /**
   * Has origin save questions and their answers in the visitors' conversations, for answers that
   * origin did not make for them (served from cache, or shared with an identical question): each
   * record is an answer request's JSON plus {@code "answer"}. Succeeds with how many were saved
   * and the primary's WAL position after they were.
   */
  public Future<Recorded> record(List<JsonObject> records) {
    JsonObject body = new JsonObject().put("records", new JsonArray(new ArrayList<>(records)));
    return call(HttpMethod.POST, "/internal/records")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(body.toBuffer())
        .compose(response -> answered(response, 200))
        .map(b -> {
          JsonObject answer = b.toJsonObject();
          return new Recorded(answer.getInteger("saved", 0), position(answer.getValue(ReadAfter.FIELD)));
        })
        .recover(OriginClient::transportFailure);
  }

  /** A WAL position origin gave, or empty when it gave none (no replicas) or something else. */
  static Optional<Lsn> position(Object value) {
    return value instanceof String text && Lsn.isLsn(text) ? Optional.of(Lsn.parse(text)) : Optional.empty();
  }

  /** Has origin put a question on the job queue ({@code chat} job); succeeds with the job's JSON. */
  public Future<JsonObject> enqueueChat(AnswerRequest request) {
    return call(HttpMethod.POST, "/internal/jobs/chat")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(request.toJson().toBuffer())
        .compose(response -> answered(response, 202))
        .map(Buffer::toJsonObject)
        .recover(OriginClient::transportFailure);
  }

  /** The job as API.md §1 shows it; fails with {@code not_found} when there is none. */
  public Future<JsonObject> job(String id) {
    return get("/internal/jobs/" + id);
  }

  private Future<JsonObject> get(String path) {
    return call(HttpMethod.GET, path)
        .send()
        .compose(response -> answered(response, 200))
        .map(Buffer::toJsonObject)
        .recover(OriginClient::transportFailure);
  }

  /** {@code /readyz} check: origin answers its health check. */
  public Readiness readiness() {
    return new Readiness() {
      @Override
      public String name() {
        return "origin";
      }

      @Override
      public Future<Void> check() {
        return call(HttpMethod.GET, "/healthz")
            .send()
            .compose(r -> r.statusCode() == 200
                ? Future.<Void>succeededFuture()
                : Future.failedFuture("origin answered " + r.statusCode()));
      }
    };
  }

  /** A JSON call: the same target, timeouts and token as {@link #options}, on the web client. */
  private HttpRequest<Buffer> call(HttpMethod method, String path) {
    return web.request(method, options(method, path));
  }

  private RequestOptions options(HttpMethod method, String path) {
    String base = originUrl.get().toString();
    RequestOptions options = new RequestOptions();
    // origin's lines for this call carry the visitor request's trace id (docs/observability.md)
    LogContext.outgoingTraceparent().ifPresent(traceparent -> options.putHeader(Traceparent.HEADER, traceparent));
    return options
        .setMethod(method)
        .setAbsoluteURI((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path)
        // bounds the wait for a pooled connection too (a request must never wait forever for one)
        .setConnectTimeout(settings.originIdleTimeoutMs())
        .setIdleTimeout(settings.originIdleTimeoutMs())
        .putHeader("Authorization", authorization);
  }

  /** The body of an answer with the {@code expected} status; otherwise origin's error. */
  private static Future<Buffer> answered(HttpResponse<Buffer> response, int expected) {
    return response.statusCode() == expected
        ? Future.succeededFuture(PlainWebClient.body(response))
        : Future.failedFuture(error(response.statusCode(), response.getHeader("Retry-After"),
            PlainWebClient.body(response)));
  }

  private static <T> Future<T> failure(HttpClientResponse response) {
    return response.body().transform(body -> Future.failedFuture(error(response.statusCode(),
        response.getHeader("Retry-After"), body.result())));
  }

  /** Origin's error of a refused call: its own code, or {@code upstream_unavailable} when unreadable. */
  private static ApiError error(int status, String retryAfter, Buffer body) {
    ApiError error;
    try {
      JsonObject json = body.toJsonObject().getJsonObject("error");
      error = ApiError.fromCode(json.getString("code"), json.getString("message"),
          retryAfter != null && retryAfter.matches("\\d{1,6}") ? Long.valueOf(retryAfter) : null);
    } catch (RuntimeException e) {
      error = ApiError.upstreamUnavailable("origin answered HTTP " + status);
    }
    if (error.status() == 401) {
      // the edge token is ours, not the visitor's: to the visitor, origin is unavailable
      error = ApiError.upstreamUnavailable("origin refused this edge's token");
    }
    return error;
  }

  private static <T> Future<T> transportFailure(Throwable e) {
    if (e instanceof ApiError) {
      return Future.failedFuture(e);
    }
    if (e instanceof ConnectionPoolTooBusyException) {
      return Future.failedFuture(ApiError.overloaded("this edge is at its limit of answers in flight", 1));
    }
    if (e instanceof DecodeException) {
      return Future.failedFuture(ApiError.upstreamUnavailable("origin sent malformed JSON"));
    }
    if (e instanceof java.util.concurrent.TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
      return Future.failedFuture(ApiError.timeout("origin did not answer in time"));
    }
    return Future.failedFuture(ApiError.upstreamUnavailable("origin cannot be reached"));
  }
}
