package dev.edgechat.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Objects;

/**
 * A TCP proxy on loopback that puts a set round-trip time between two parties, as a distance
 * between regions would: every chunk of bytes is held {@code rttMs / 2} in each direction before it
 * is passed on, connection set-up included (the first bytes of a new connection travel after the
 * connect, so a new visitor connection pays the round trip of its handshake and of its request).
 *
 * <p>Design note: written by hand because netem ({@code tc qdisc … netem delay}) needs privileges
 * and a network namespace this machine does not give, and no library offers a delaying TCP proxy
 * for Vert.x. Each chunk is scheduled with a Vert.x timer of the same delay on the connection's
 * event loop; equal delays fire in the order they were set, so byte order is kept. Back-pressure:
 * when the receiving socket's write queue is full, the sending socket is paused until the queue
 * drains (chunks already in the air are still delivered). A close on either side closes the other
 * after the same delay, once the bytes before it are delivered.
 */
final class DelayProxy implements AutoCloseable {

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final long oneWayMs;

  private DelayProxy(Vertx vertx, NetServer server, NetClient client, long oneWayMs) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
    this.oneWayMs = oneWayMs;
  }

  /**
   * Listens on a free loopback port and forwards every connection to {@code targetPort} on
   * loopback, {@code rttMs / 2} each way.
   *
   * @return succeeds with the listening proxy; fails when the port cannot be bound
   */
  static Future<DelayProxy> start(Vertx vertx, int targetPort, long rttMs) {
    Objects.requireNonNull(vertx, "vertx");
    if (rttMs < 0) {
      throw new IllegalArgumentException("rttMs must be >= 0, was " + rttMs);
    }
    NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(5000));
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)
        .setTcpNoDelay(true));
    DelayProxy proxy = new DelayProxy(vertx, server, client, rttMs / 2);
    server.connectHandler(visitor -> proxy.connect(visitor, targetPort));
    return server.listen().map(s -> proxy);
  }

  /** The port the proxy listens on, on 127.0.0.1. */
  int port() {
    return server.actualPort();
  }

  private void connect(NetSocket near, int targetPort) {
    near.pause();
    // the SYN travels one way before the far side sees the connection
    vertx.setTimer(Math.max(1, oneWayMs), t -> client.connect(targetPort, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        near.close();
        return;
      }
      NetSocket far = connected.result();
      relay(near, far);
      relay(far, near);
      near.resume();
    }));
  }

  /** Passes what {@code from} sends to {@code to}, each chunk {@link #oneWayMs} later. */
  private void relay(NetSocket from, NetSocket to) {
    from.handler(chunk -> later(() -> write(from, to, chunk)));
    from.endHandler(v -> later(to::end));
    from.exceptionHandler(e -> later(to::close));
  }

  private void write(NetSocket from, NetSocket to, Buffer chunk) {
    to.write(chunk);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }

  private void later(Runnable action) {
    if (oneWayMs == 0) {
      action.run();
    } else {
      vertx.setTimer(oneWayMs, t -> action.run());
    }
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }
}
