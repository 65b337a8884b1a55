package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.RawHttp;
import dev.edgechat.support.RawHttp.Reply;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The admin relay of an edge ({@link AdminRelay}) as the drills found it (issue 17): role all
 * (origin) and an edge of its own that relays {@code /admin/*} to it, on the shared test Postgres
 * and Redis; raw sockets, since the clients here misbehave on purpose.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AdminRelayTest {

  private static final String ADMIN_TOKEN = "admin-" + Ids.next();
  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  /** More clients than the relay has connections to origin (16). */
  private static final int UNENDING = 24;

  private static Application all;
  private static Application edge;

  @BeforeAll
  static void start(Vertx vertx) {
    all = new TestSystem(vertx).env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN).env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_KNOWLEDGE_MAX_UPLOAD_BYTES", "200000").startAll().await();
    edge = new TestSystem(vertx).env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_ORIGIN_URL", "http://127.0.0.1:" + all.originPort())
        .env("EDGECHAT_REDIS_URL", TestDatabases.redis().toString())
        .env("EDGECHAT_KNOWLEDGE_MAX_UPLOAD_BYTES", "200000")
        .start(Role.EDGE).await();
  }

  @AfterAll
  static void stop() {
    if (edge != null) {
      edge.close().await();
    }
    if (all != null) {
      all.close().await();
    }
  }

  /**
   * Verifies that admin calls whose chunked bodies never end (with a wrong token, no token, or the
   * right token and a body past the upload limit), more of them than the relay has connections to
   * origin and kept open by their clients, each get origin's 4xx as JSON and then the close, and do
   * not keep other admin calls from being answered at once.
   */
  @Test
  void unendingBodies_doNotStarveOtherAdminCalls() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(UNENDING);
    List<Socket> sockets = new ArrayList<>();
    try {
      List<Future<Unending>> unending = new ArrayList<>();
      for (int i = 0; i < UNENDING; i++) {
        String auth = switch (i % 3) {
          case 0 -> "Authorization: Bearer not-the-admin-token\r\n";
          case 1 -> "";
          default -> "Authorization: Bearer " + ADMIN_TOKEN + "\r\n";
        };
        Socket socket = new Socket();
        sockets.add(socket);
        unending.add(clients.submit(() -> sendUnending(socket, auth)));
      }
      // the unending calls reach origin first
      Thread.sleep(1_500);
      for (int i = 0; i < 10; i++) {
        Reply other = RawHttp.exchange(edge.edgePort(), "GET /admin/jobs/x" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Authorization: Bearer wrong\r\nConnection: close\r\n\r\n", 10_000);
        assertThat(other.complete()).as("a bodiless admin call while %d bodies never end: %s", UNENDING, other.raw())
            .isTrue();
        assertThat(other.status()).as(other.raw()).isEqualTo(401);
        assertThat(other.ms()).as("answered at once").isLessThan(5_000);
        assertThat(other.error().getString("code")).isEqualTo("unauthorized");
      }
      Reply listing = RawHttp.exchange(edge.edgePort(), "GET /admin/sites/demo/documents HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n", 10_000);
      assertThat(listing.status()).as(listing.raw()).isEqualTo(200);
      for (int i = 0; i < UNENDING; i++) {
        Unending result = unending.get(i).get(60, TimeUnit.SECONDS);
        int expected = i % 3 == 2 ? 413 : 401;
        assertThat(result.head()).as("unending body %d", i).startsWith("HTTP/1.1 " + expected);
        assertThat(result.head().toLowerCase()).as("unending body %d", i).contains("content-type: application/json")
            .contains("connection: close");
        assertThat(result.closed()).as("unending body %d: the connection closed after the answer", i).isTrue();
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
      clients.shutdownNow();
    }
  }

  /** What an unending body got: the answer's head, and whether the server then closed. */
  private record Unending(String head, boolean closed) {
  }

  /**
   * Sends a chunked document upload whose body never ends: chunks until an answer is there to read
   * (or 32 MiB went), then reads it, keeping the connection open until the server closes it.
   */
  private static Unending sendUnending(Socket socket, String auth) throws IOException {
    socket.connect(new InetSocketAddress("127.0.0.1", edge.edgePort()), 2_000);
    socket.setSoTimeout(30_000);
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    out.write(("POST /admin/sites/demo/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + auth + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    byte[] data = new byte[4096];
    Arrays.fill(data, (byte) 'a');
    byte[] chunk = ("1000\r\n" + new String(data, StandardCharsets.US_ASCII) + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    long sent = 0;
    try {
      while (in.available() == 0 && sent < 32L << 20) {
        out.write(chunk);
        sent += chunk.length;
      }
    } catch (IOException e) {
      // the server stopped reading and closed: its answer may be there to read
    }
    StringBuilder head = new StringBuilder();
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        if (head.length() < 2_000) {
          head.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
        }
      }
      return new Unending(head.toString(), true);
    } catch (SocketTimeoutException e) {
      return new Unending(head.toString(), false);
    } catch (IOException e) {
      // reset after the answer: closed too
      return new Unending(head.toString(), true);
    }
  }
}
