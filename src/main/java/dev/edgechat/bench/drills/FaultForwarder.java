package dev.edgechat.bench.drills;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands between origin and the sim upstream and asks the sim for a fault on a share of chat calls:
 * it sets the sim's own {@code X-Sim-Fault} request header ({@code 500}, {@code 429}, {@code stall},
 * {@code cut}), so the sim produces the fault exactly as its {@code --error-rate}/{@code --stall-rate}/
 * {@code --cut-rate} flags would, but one sim process serves every upstream drill (the sim has no
 * flag for a share of 429s). It also counts the chat calls whose caller went away before the
 * answer ended: the upstream cancellations the "client leaves" drill checks for.
 */
final class FaultForwarder {

  private static final String CHAT = "/v1/chat/completions";
  private final HttpServer server;
  private final HttpClient client;
  private final Random dice = new Random(17);
  private volatile String fault = "none";
  private volatile double rate;
  private final AtomicLong chatCalls = new AtomicLong();
  private final AtomicLong faulted = new AtomicLong();

  private FaultForwarder(HttpServer server, HttpClient client) {
    this.server = server;
    this.client = client;
  }

  /** Listens on a free loopback port, forwarding everything to the sim at {@code simPort}. */
  static FaultForwarder start(Vertx vertx, int simPort) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(200));
    HttpServer server = vertx.createHttpServer();
    FaultForwarder forwarder = new FaultForwarder(server, client);
    HttpProxy proxy = HttpProxy.reverseProxy(client).origin(SocketAddress.inetSocketAddress(simPort, "127.0.0.1"))
        .addInterceptor(forwarder.new AskForFault());
    server.requestHandler(request -> {
      if (request.path().equals(CHAT)) {
        forwarder.chatCalls.incrementAndGet();
      }
      proxy.handle(request);
    });
    server.listen(0, "127.0.0.1").await();
    return forwarder;
  }

  int port() {
    return server.actualPort();
  }

  /** From now on, {@code share} of chat calls get {@code kind} ({@code 500}, {@code 429}, {@code stall}, {@code cut}). */
  void inject(String kind, double share) {
    this.fault = kind;
    this.rate = share;
  }

  /** No more faults. */
  void heal() {
    this.rate = 0;
    this.fault = "none";
  }

  long chatCalls() {
    return chatCalls.get();
  }

  long faulted() {
    return faulted.get();
  }

  Future<Void> close() {
    return server.close().compose(v -> client.close());
  }

  private final class AskForFault implements ProxyInterceptor {

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
      if (context.request().getURI().startsWith(CHAT)) {
        boolean hit;
        synchronized (dice) {
          hit = rate > 0 && dice.nextDouble() < rate;
        }
        context.request().headers().set("X-Sim-Fault", hit ? fault : "none");
        if (hit) {
          faulted.incrementAndGet();
        }
      }
      return context.sendRequest();
    }
  }
}
