package dev.edgechat.edge;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.MediaType;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API (API.md §3) as an edge serves it, so that the operator can use the public
 * hostname, whichever edge it reaches: origin answers every call and checks its admin token.
 *
 * <ul>
 *   <li>On Fly ({@code edge.flyReplay}, set when {@code FLY_REGION} is), an edge outside the primary
 *       region ({@code edge.primaryRegion}, from {@code PRIMARY_REGION}) answers {@code 421
 *       wrong_region} with {@code fly-replay: region=<primary>}: Fly's proxy replays the call to an
 *       edge of the primary region, so the body does not cross the world twice through this edge.
 *   <li>Otherwise the call is forwarded to {@code origin.url} as it came, its body and answer
 *       streamed with back-pressure (vertx-http-proxy): in the primary region, off Fly, for a call
 *       already replayed ({@code fly-replay-src}: never replayed twice), and for a body Fly cannot
 *       replay (over 1 MB, or of unknown length).
 * </ul>
 *
 * A body declared larger than the admin upload limit ({@code knowledge.maxUploadBytes}) is refused
 * here with {@code 413}; origin holds one of unknown length to the same limit. An unreachable origin
 * is {@code 502 upstream_unavailable}, as JSON like every error.
 *
 * <p>One client cannot starve the others of the {@value #CONNECTIONS} connections to origin:
 * <ul>
 *   <li>when origin answers before the request's body has ended (a wrong token, a body over the
 *       limit: origin does not read the rest), the answer goes to the client with {@code Connection:
 *       close}; the connection to origin, left mid-body, is closed (a reset would hand it back to the
 *       pool, and the next call's bytes would be read as the rest of this body: the drills' hangs),
 *       and the client's connection closes {@value #CLOSE_GRACE_MS} ms after the answer unless its
 *       body ended by then; a body that never ends holds no connection to origin;
 *   <li>a call that finds every connection busy for {@code edge.originConnectTimeoutMs} gets {@code
 *       503 overloaded} with {@code Retry-After} rather than waiting without end.
 * </ul>
 * A client's mistake (it left, its body broke) is logged at DEBUG, not as an error of ours.
 */
public final class AdminRelay {

  private static final Logger LOG = LoggerFactory.getLogger(AdminRelay.class);
  /** The largest request body Fly's proxy replays. */
  static final long FLY_REPLAY_MAX_BYTES = 1_000_000;
  static final String FLY_REPLAY = "fly-replay";
  static final String FLY_REPLAY_SRC = "fly-replay-src";
  private static final int CONNECTIONS = 16;
  /** The request to origin, in the proxy's context. */
  private static final String RELAYED = "edgechat.relayed";

  /** How long a client whose body origin did not need may go on sending after the answer, before the close. */
  static final long CLOSE_GRACE_MS = 1_000;

  private final HttpClient client;
  private final HttpProxy proxy;
  private final String region;
  private final EdgechatConfig.Edge settings;
  private final long maxUploadBytes;
  private final Scheduler time;

  /**
   * @param region this edge's region (settings' {@code region})
   * @param maxUploadBytes the largest admin request body origin takes (knowledge.maxUploadBytes)
   * @param time when a client's unended body is cut off after origin answered
   */
  public AdminRelay(Vertx vertx, URI originUrl, String region, EdgechatConfig.Edge settings, long maxUploadBytes,
      Scheduler time) {
    Objects.requireNonNull(originUrl);
    Objects.requireNonNull(vertx);
    this.time = Objects.requireNonNull(time);
    this.region = Objects.requireNonNull(region);
    this.settings = Objects.requireNonNull(settings);
    this.maxUploadBytes = maxUploadBytes;
    this.client = vertx.createHttpClient(new HttpClientOptions()
            .setConnectTimeout((int) settings.originConnectTimeoutMs())
            .setKeepAlive(true)
            .setName("edgechat-admin-relay"),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS));
    boolean https = "https".equalsIgnoreCase(originUrl.getScheme());
    int port = originUrl.getPort() > 0 ? originUrl.getPort() : https ? 443 : 80;
    SocketAddress origin = SocketAddress.inetSocketAddress(port, originUrl.getHost());
    this.proxy = HttpProxy.reverseProxy(client)
        .origin(context -> context.client().request(new RequestOptions()
            .setServer(origin)
            .setHost(originUrl.getHost())
            .setPort(port)
            .setSsl(https)
            // bounds the wait for a free connection of the pool, not only the TCP connect
            .setConnectTimeout(settings.originConnectTimeoutMs())
            .setIdleTimeout(settings.originIdleTimeoutMs()))
            .recover(e -> Future.failedFuture(e instanceof TimeoutException ? new PoolBusy(e) : e))
            .map(relayed -> {
              context.set(RELAYED, relayed);
              return relayed.exceptionHandler(e -> LOG.debug("admin call to origin ended early [uri: {}, reason: {}]",
                  relayed.getURI(), e.toString()));
            }))
        .addInterceptor(new OriginUnreachable());
  }

  /** Serves {@code /admin/*} on {@code router}. */
  public void mount(Router router) {
    router.route("/admin/*").handler(this::relay);
  }

  /** Closes the connections to origin; completes when they are closed. */
  public Future<Void> close() {
    return client.close();
  }

  private void relay(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long length;
    try {
      length = declaredLength(request);
    } catch (NumberFormatException e) {
      ctx.fail(ApiError.invalidRequest("Content-Length is not a number"));
      return;
    }
    if (length > maxUploadBytes) {
      // the body is not read: the connection goes after the answer
      if (request.version() != HttpVersion.HTTP_2) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        ctx.addEndHandler(ended -> request.connection().close());
      }
      ctx.fail(ApiError.payloadTooLarge("admin request bodies are limited to " + maxUploadBytes
          + " bytes (knowledge.maxUploadBytes)"));
      return;
    }
    if (replaysToPrimary(request, length)) {
      ctx.response().putHeader(FLY_REPLAY, "region=" + settings.primaryRegion());
      ctx.fail(new ApiError(421, "wrong_region", "admin calls are served in region " + settings.primaryRegion()
          + ", not " + region + "; Fly's proxy replays this one there"));
      return;
    }
    // origin answered before the body ended (it reads no more of it; the request to it was closed, see
    // OriginUnreachable): the client has CLOSE_GRACE_MS to finish sending what it had under way (a close with
    // unread bytes is a reset, which can cost the client the answer), then the connection goes
    ctx.addEndHandler(ended -> {
      if (request.isEnded()) {
        return;
      }
      if (request.version() == HttpVersion.HTTP_2) {
        request.response().reset();
      } else {
        time.after(CLOSE_GRACE_MS, () -> {
          if (!request.isEnded()) {
            request.connection().close();
          }
        });
      }
    });
    proxy.handle(request);
  }

  /** Whether Fly's proxy should replay the call to the primary region rather than this edge forward it. */
  private boolean replaysToPrimary(HttpServerRequest request, long length) {
    if (!settings.flyReplay() || settings.primaryRegion().equals(region) || request.getHeader(FLY_REPLAY_SRC) != null) {
      return false;
    }
    boolean unknownLength = length < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
    return !unknownLength && length <= FLY_REPLAY_MAX_BYTES;
  }

  /** The Content-Length, or -1 when the request declares none. */
  private static long declaredLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return header == null ? -1 : Long.parseLong(header.trim());
  }

  /** Every connection to origin stayed busy for {@code edge.originConnectTimeoutMs}. */
  private static final class PoolBusy extends RuntimeException {

    PoolBusy(Throwable cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }

  /**
   * Origin could not be asked (refused, unreachable, silent, every connection busy): the caller gets
   * a JSON error, as from any route; and an answer that comes before the request's body ended says
   * that the connection closes after it.
   */
  private static final class OriginUnreachable implements ProxyInterceptor {

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      HttpServerRequest client = context.request().proxiedRequest();
      return context.sendRequest().recover(e -> {
        ApiError error;
        if (e instanceof PoolBusy) {
          LOG.warn("admin call not forwarded to origin, every connection busy [method: {}, uri: {}]",
              context.request().getMethod(), context.request().getURI());
          error = ApiError.overloaded("every connection to origin is busy; try again", 1);
          context.request().response().putHeader("Retry-After", "1");
        } else if (client.response().closed()) {
          // the client left mid-call (its body cut short): its doing, and nobody is there to read an answer
          LOG.debug("admin call ended by the client [method: {}, uri: {}, reason: {}]",
              context.request().getMethod(), context.request().getURI(), e.toString());
          error = ApiError.upstreamUnavailable("the call ended before origin answered");
        } else {
          LOG.warn("admin call not forwarded to origin [method: {}, uri: {}, reason: {}]",
              context.request().getMethod(), context.request().getURI(), e.toString());
          error = ApiError.upstreamUnavailable("origin cannot be reached; try again");
        }
        return Future.succeededFuture(context.request().response()
            .setStatusCode(error.status())
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .setBody(Body.body(error.toBody().toBuffer(), MediaType.APPLICATION_JSON)));
      }).map(response -> {
        if (!client.isEnded() && client.version() != HttpVersion.HTTP_2) {
          client.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        return response;
      });
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
      HttpServerRequest client = context.request().proxiedRequest();
      return context.sendResponse().andThen(sent -> {
        HttpClientRequest relayed = context.get(RELAYED, HttpClientRequest.class);
        if (!client.isEnded() && relayed != null) {
          // origin reads no more of this body, and the connection to it is mid-body: it cannot carry another call.
          // Closed, not reset: Vert.x's HTTP/1 client treats a reset after the response as the request's end and
          // gives the connection back to the pool, where the next call's bytes would be read as this body's rest
          relayed.connection().close();
        }
      });
    }
  }
}
