package dev.edgechat.support;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An edge as a browser sees it over a network: a reverse proxy on its own port (so its own origin)
 * in front of a real edge, which can be made slow (every response waits {@code delayMs}) or cut off
 * (connections are closed, as when the network is gone). Written by hand: the only job is a
 * pass-through with two switches, and it records the requests it saw for the test to assert on.
 * Streams (SSE) are piped through with back-pressure; the Host header is kept, so the edge sees
 * the proxy's origin as its own.
 */
public final class EdgeProxy {

  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "upgrade",
      "te", "trailer", "proxy-connection");

  private final Vertx vertx;
  private final int targetPort;
  private final HttpClient client;
  private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final List<Map.Entry<String, MultiMap>> headers = new CopyOnWriteArrayList<>();
  private volatile long delayMs;
  private volatile boolean cut;
  private volatile String refused;
  private HttpServer server;

  private EdgeProxy(Vertx vertx, int targetPort, long delayMs) {
    this.vertx = Objects.requireNonNull(vertx);
    this.targetPort = targetPort;
    this.delayMs = delayMs;
    this.client = vertx.createHttpClient();
  }

  /** A proxy on 127.0.0.1, port 0, in front of the edge at {@code targetPort}. */
  public static Future<EdgeProxy> start(Vertx vertx, int targetPort, long delayMs) {
    EdgeProxy proxy = new EdgeProxy(vertx, targetPort, delayMs);
    return vertx.createHttpServer()
        .connectionHandler(connection -> {
          if (proxy.cut) {
            connection.close();
            return;
          }
          proxy.connections.add(connection);
          connection.closeHandler(v -> proxy.connections.remove(connection));
        })
        .requestHandler(proxy::forward)
        .listen(0, "127.0.0.1")
        .map(server -> {
          proxy.server = server;
          return proxy;
        });
  }

  /** The origin a browser uses for this edge. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** Cuts the network (closes every connection, refuses new ones) or restores it. */
  public void cut(boolean cut) {
    this.cut = cut;
    if (cut) {
      connections.forEach(HttpConnection::close);
    }
  }

  /** Answers requests whose path starts with {@code pathPrefix} 503 instead of forwarding them (null: none). */
  public void refuse(String pathPrefix) {
    this.refused = pathPrefix;
  }

  public void delayMs(long delayMs) {
    this.delayMs = delayMs;
  }

  /** "METHOD path" of every request forwarded so far. */
  public List<String> seen() {
    return List.copyOf(seen);
  }

  /** The headers of every request forwarded so far whose "METHOD path" starts with {@code methodAndPathPrefix}. */
  public List<MultiMap> headers(String methodAndPathPrefix) {
    return headers.stream().filter(h -> h.getKey().startsWith(methodAndPathPrefix)).map(Map.Entry::getValue).toList();
  }

  public long count(String methodAndPathPrefix) {
    return seen.stream().filter(s -> s.startsWith(methodAndPathPrefix)).count();
  }

  private void forward(HttpServerRequest in) {
    if (cut) {
      in.connection().close();
      return;
    }
    seen.add(in.method() + " " + in.uri());
    headers.add(Map.entry(in.method() + " " + in.uri(), MultiMap.caseInsensitiveMultiMap().addAll(in.headers())));
    String refusedPrefix = refused;
    if (refusedPrefix != null && in.path().startsWith(refusedPrefix)) {
      in.response().setStatusCode(503).putHeader("Content-Type", "application/json")
          .end("{\"error\":{\"code\":\"upstream_unavailable\",\"message\":\"refused by the test's proxy\"}}");
      return;
    }
    in.pause();
    Runnable go = () -> {
      RequestOptions options = new RequestOptions()
          .setServer(SocketAddress.inetSocketAddress(targetPort, "127.0.0.1"))
          .setHost(in.authority().host())
          .setPort(in.authority().port())
          .setMethod(in.method())
          .setURI(in.uri());
      in.headers().forEach(h -> {
        if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT)) && !h.getKey().equalsIgnoreCase("host")) {
          options.addHeader(h.getKey(), h.getValue());
        }
      });
      client.request(options)
          .compose(out -> out.send(in).onSuccess(response -> {
            // headers and body relayed from inside the send callback (Vert.x 5.0.8: see SimulatedSystem#simStats)
            in.response().setStatusCode(response.statusCode()).setStatusMessage(response.statusMessage());
            response.headers().forEach(h -> {
              if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                in.response().headers().add(h.getKey(), h.getValue());
              }
            });
            if (response.getHeader("Content-Length") == null) {
              in.response().setChunked(true);
            }
            response.pipeTo(in.response());
          }))
          .onFailure(e -> {
            if (!in.response().headWritten()) {
              in.response().setStatusCode(502).end();
            }
          });
    };
    if (delayMs > 0) {
      vertx.setTimer(delayMs, id -> go.run());
    } else {
      go.run();
    }
  }

  public Future<Void> close() {
    return server.close().eventually(client::close);
  }
}
