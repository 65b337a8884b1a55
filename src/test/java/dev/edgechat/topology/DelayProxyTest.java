package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class DelayProxyTest {

  private static NetServer echo(Vertx vertx) {
    return vertx.createNetServer().connectHandler(socket -> socket.pipeTo(socket)).listen(0, "127.0.0.1").await();
  }

  /** Verifies that 4 MB sent through the proxy come back from an echo server whole and in order. */
  @Test
  void relay_keepsEveryByteInOrder(Vertx vertx, VertxTestContext test) {
    NetServer server = echo(vertx);
    DelayProxy proxy = DelayProxy.start(vertx, server.actualPort(), 20).await();
    byte[] bytes = new byte[4 * 1024 * 1024];
    new Random(5).nextBytes(bytes);
    Buffer received = Buffer.buffer();
    vertx.createNetClient().connect(proxy.port(), "127.0.0.1").onComplete(test.succeeding(socket -> {
      socket.handler(chunk -> {
        received.appendBuffer(chunk);
        if (received.length() == bytes.length) {
          test.verify(() -> assertThat(received.getBytes()).isEqualTo(bytes));
          proxy.close();
          test.completeNow();
        }
      });
      for (int from = 0; from < bytes.length; from += 64 * 1024) {
        socket.write(Buffer.buffer(bytes).slice(from, from + 64 * 1024));
      }
    }));
  }

  /** Verifies that a message's round trip through the proxy takes at least the set round-trip time. */
  @Test
  void relay_roundTripTakesAtLeastTheRtt(Vertx vertx, VertxTestContext test) {
    roundTrip(vertx, test, 60);
  }

  /** Verifies that an odd round trip is not rounded down: 1 ms (a Redis in the same region) is not 0. */
  @Test
  void relay_oddRttIsKeptWhole(Vertx vertx, VertxTestContext test) {
    roundTrip(vertx, test, 1);
  }

  private static void roundTrip(Vertx vertx, VertxTestContext test, long rttMs) {
    NetServer server = echo(vertx);
    DelayProxy proxy = DelayProxy.start(vertx, server.actualPort(), rttMs).await();
    vertx.createNetClient().connect(proxy.port(), "127.0.0.1").onComplete(test.succeeding((NetSocket socket) -> {
      long sent = System.nanoTime();
      socket.handler(chunk -> {
        long tookMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent);
        test.verify(() -> assertThat(tookMicros).isGreaterThanOrEqualTo(rttMs * 1000));
        proxy.close();
        test.completeNow();
      });
      socket.write("ping");
    }));
  }
}
