package dev.edgechat.topology;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on loopback that puts a set round-trip time between two parties, as a distance
 * between regions would: every chunk of bytes is held a one-way delay in each direction before it
 * is passed on, connection set-up included (the first bytes of a new connection travel after the
 * connect, so a new connection pays the round trip of its handshake and of its request). The two
 * one-way delays add up to the round trip exactly: an odd {@code rttMs} gives the extra
 * millisecond to the way out, so a 1 ms round trip (a Redis in the same region) is 1 ms, not 0.
 *
 * <p>Design note: written by hand because netem ({@code tc qdisc … netem delay}) needs privileges
 * and a network namespace this machine does not give, and no library offers a delaying TCP proxy
 * for Vert.x. Each chunk is scheduled with a Vert.x timer of the same delay on the connection's
 * event loop; equal delays fire in the order they were set, so byte order is kept. Back-pressure:
 * when the receiving socket's write queue is full, the sending socket is paused until the queue
 * drains (chunks already in the air are still delivered). A close on either side closes the other
 * after the same delay, once the bytes before it are delivered. The bench ({@code bench plan}) and
 * the multi-region {@link Topology} both put their distances with it. {@link #cut} stands for a
 * network that is gone: every connection through the proxy is closed, and new ones are refused,
 * until the cut is lifted.
 */
public final class DelayProxy implements AutoCloseable {

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final long rttMs;
  /** Delay from the connecting side to the target. */
  private final long outMs;
  /** Delay from the target back to the connecting side. */
  private final long backMs;
  /** Both sockets of every open connection, so that a cut can close them. */
  private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;

  private DelayProxy(Vertx vertx, NetServer server, NetClient client, long rttMs) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
    this.rttMs = rttMs;
    this.outMs = (rttMs + 1) / 2;
    this.backMs = rttMs / 2;
  }

  /**
   * Listens on a free loopback port and forwards every connection to {@code targetPort} on
   * loopback, with a round trip of {@code rttMs} between the two.
   *
   * @return succeeds with the listening proxy; fails when the port cannot be bound
   */
  public static Future<DelayProxy> start(Vertx vertx, int targetPort, long rttMs) {
    Objects.requireNonNull(vertx, "vertx");
    if (rttMs < 0) {
      throw new IllegalArgumentException("rttMs must be >= 0, was " + rttMs);
    }
    NetClient client = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true).setConnectTimeout(5000));
    NetServer server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0)
        .setTcpNoDelay(true));
    DelayProxy proxy = new DelayProxy(vertx, server, client, rttMs);
    server.connectHandler(visitor -> proxy.connect(visitor, targetPort));
    return server.listen().map(s -> proxy);
  }

  /** The port the proxy listens on, on 127.0.0.1. */
  public int port() {
    return server.actualPort();
  }

  /** The round trip this proxy puts between the two sides. */
  public long rttMs() {
    return rttMs;
  }

  /**
   * Cuts the network between the two sides ({@code true}: every open connection is closed at once,
   * and new ones are closed as they come) or restores it ({@code false}).
   */
  public void cut(boolean cut) {
    this.cut = cut;
    if (cut) {
      open.forEach(NetSocket::close);
    }
  }

  private void connect(NetSocket near, int targetPort) {
    if (cut) {
      near.close();
      return;
    }
    track(near);
    near.pause();
    // the SYN travels one way before the far side sees the connection
    vertx.setTimer(Math.max(1, outMs), t -> client.connect(targetPort, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        near.close();
        return;
      }
      NetSocket far = connected.result();
      track(far);
      if (cut) {
        near.close();
        far.close();
        return;
      }
      relay(near, far, outMs);
      relay(far, near, backMs);
      near.resume();
    }));
  }

  private void track(NetSocket socket) {
    open.add(socket);
    socket.closeHandler(v -> open.remove(socket));
  }

  /** Passes what {@code from} sends to {@code to}, each chunk {@code delayMs} later. */
  private void relay(NetSocket from, NetSocket to, long delayMs) {
    from.handler(chunk -> later(delayMs, () -> write(from, to, chunk)));
    from.endHandler(v -> later(delayMs, to::end));
    from.exceptionHandler(e -> later(delayMs, to::close));
  }

  private void write(NetSocket from, NetSocket to, Buffer chunk) {
    to.write(chunk);
    if (to.writeQueueFull()) {
      from.pause();
      to.drainHandler(v -> from.resume());
    }
  }

  private void later(long delayMs, Runnable action) {
    if (delayMs == 0) {
      action.run();
    } else {
      vertx.setTimer(delayMs, t -> action.run());
    }
  }

  @Override
  public void close() {
    server.close();
    client.close();
  }
}
