package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgechat.Application;
import dev.edgechat.support.RawHttp;
import dev.edgechat.support.RawHttp.Reply;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The protocol below the routes, on every HTTP server of a process (role all's edge port, its
 * origin's port, the metrics port): requests Netty cannot decode get the API's JSON error (issue 17
 * defect 7), and a request's head must arrive within http.headerTimeoutMs (defect 9).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class ProtocolGuardsTest {

  /** http.headerTimeoutMs of the process under test. */
  private static final long HEADER_TIMEOUT_MS = 2_000;
  /** How late past the header timeout a close may come on a busy test machine. */
  private static final long SLACK_MS = 3_000;
  private static final long READ_MS = 30_000;

  private static Application app;
  private static Map<String, Integer> ports;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    int metricsPort;
    try (ServerSocket free = new ServerSocket(0)) {
      metricsPort = free.getLocalPort();
    }
    app = await(new TestSystem(vertx)
        .env("EDGECHAT_HTTP_HEADER_TIMEOUT_MS", Long.toString(HEADER_TIMEOUT_MS))
        .env("EDGECHAT_HTTP_METRICS_PORT", Integer.toString(metricsPort))
        .startAll());
    ports = Map.of("edge", app.edgePort(), "origin", app.originPort(), "metrics", metricsPort);
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      await(app.close());
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static void assertJsonError(String what, Reply reply, int status, String code) {
    assertThat(reply.status()).as(what + ": " + reply.raw()).isEqualTo(status);
    assertThat(reply.header("Content-Type")).as(what + ": " + reply.raw()).startsWith("application/json");
    assertThat(reply.error().getString("code")).as(what).isEqualTo(code);
    assertThat(reply.error().getString("message")).as(what).isNotBlank();
  }

  /** The ERROR events logged while {@code action} ran. */
  private static List<ILoggingEvent> errorsDuring(Runnable action) {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    try {
      action.run();
    } finally {
      root.detachAppender(appender);
    }
    return appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR)).toList();
  }

  /**
   * Defect 7: bad header bytes, a path whose %-escapes do not decode, an over-long request line,
   * over-large headers and a foreign HTTP version each get their status with the API's JSON
   * error body on every server, and none is logged as an ERROR.
   */
  @Test
  void protocolErrors_getJsonErrorBodiesNotBareStatus() {
    List<ILoggingEvent> errors = errorsDuring(() -> ports.forEach((server, port) -> {
      String host = "Host: 127.0.0.1\r\n";
      assertJsonError(server + ": control byte in a header name", RawHttp.exchange(port,
          "GET /healthz HTTP/1.1\r\n" + host + "X-Bad\u0001Name: 1\r\n\r\n", READ_MS), 400, "invalid_request");
      assertJsonError(server + ": header line without a colon", RawHttp.exchange(port,
          "GET /healthz HTTP/1.1\r\n" + host + "no colon here\r\n\r\n", READ_MS), 400, "invalid_request");
      assertJsonError(server + ": NUL in a header value", RawHttp.exchange(port,
          "GET /healthz HTTP/1.1\r\n" + host + "X-Bad: a\u0000b\r\n\r\n", READ_MS), 400, "invalid_request");
      for (String path : List.of("/v1/conversations/%", "/v1/conversations/%zz", "/admin/sites/%E0%A4%A", "/%")) {
        assertJsonError(server + ": bad percent-encoding " + path, RawHttp.exchange(port,
            "GET " + path + " HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", READ_MS), 400, "invalid_request");
      }
      assertJsonError(server + ": over-long URL", RawHttp.exchange(port,
          "GET /v1/ping?q=" + "a".repeat(10_000) + " HTTP/1.1\r\n" + host + "\r\n", READ_MS), 414, "uri_too_long");
      assertJsonError(server + ": over-large headers", RawHttp.exchange(port,
          "GET /v1/ping HTTP/1.1\r\n" + host + "X-Big: " + "b".repeat(10_000) + "\r\n\r\n", READ_MS), 431,
          "headers_too_large");
      for (String version : List.of("HTTP/9.9", "HTTP/2.0", "HTTP/1.2")) {
        Reply foreign = RawHttp.exchangeUntilClose(port, "GET /healthz " + version + "\r\n" + host + "\r\n", READ_MS);
        assertJsonError(server + ": " + version, foreign, 400, "http_version_not_supported");
        assertThat(foreign.closed()).as(server + ": " + version + " closes the connection").isTrue();
      }
    }));
    // a chunked body whose chunk size is no number: the request was already routed, so a JSON 400 or a clean close
    List<ILoggingEvent> bodyErrors = errorsDuring(() -> {
      Reply badChunk = RawHttp.exchangeUntilClose(app.edgePort(), "POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", READ_MS);
      assertThat(badChunk.closed()).as("bad chunk: closed, not left hanging: " + badChunk.raw()).isTrue();
      if (badChunk.status() != -1) {
        assertJsonError("bad chunk", badChunk, 400, "invalid_request");
      }
    });
    assertThat(errors).as("client mistakes are not ERRORs").isEmpty();
    assertThat(bodyErrors).as("a bad body encoding is not an ERROR").isEmpty();
  }

  /**
   * Defect 9: connections that send their head a byte a second (slowloris), or nothing at all, get
   * 408 and are closed once http.headerTimeoutMs passed, on every server; a connection opened with
   * a TLS ClientHello on the plain port is closed at once.
   */
  @Test
  void slowloris_closedAfterHeaderTimeout() throws Exception {
    List<Socket> slow = new ArrayList<>();
    List<Socket> silent = new ArrayList<>();
    long opened = System.nanoTime();
    try {
      for (int port : ports.values()) {
        for (int i = 0; i < 20; i++) {
          slow.add(new Socket("127.0.0.1", port));
        }
        silent.add(new Socket("127.0.0.1", port));
      }
      byte[] head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      List<Socket> open = new ArrayList<>(slow);
      // one byte a second from each, until the server closes it or the head would be whole
      for (int sent = 0; sent < head.length - 1 && !open.isEmpty(); sent++) {
        for (Socket socket : List.copyOf(open)) {
          try {
            OutputStream out = socket.getOutputStream();
            out.write(head[sent]);
            out.flush();
          } catch (java.io.IOException closed) {
            open.remove(socket);
          }
        }
        if (millisSince(opened) > HEADER_TIMEOUT_MS + SLACK_MS) {
          break;
        }
        Thread.sleep(1_000);
      }
      for (Socket socket : slow) {
        Reply reply = readRest(socket);
        assertThat(reply.closed()).as("slowloris on port " + socket.getPort()).isTrue();
        assertJsonError("slowloris on port " + socket.getPort(), reply, 408, "request_timeout");
      }
      for (Socket socket : silent) {
        Reply reply = readRest(socket);
        assertThat(reply.closed()).as("silent connection on port " + socket.getPort()).isTrue();
        assertJsonError("silent connection on port " + socket.getPort(), reply, 408, "request_timeout");
      }
      assertThat(millisSince(opened)).as("all closed within the header timeout and some slack")
          .isLessThan(HEADER_TIMEOUT_MS + 2 * SLACK_MS);
    } finally {
      for (Socket socket : slow) {
        socket.close();
      }
      for (Socket socket : silent) {
        socket.close();
      }
    }
  }

  /** Defect 9: TLS bytes on the plain port are closed at once, not after the idle timeout. */
  @Test
  void tlsOnPlainPort_closedPromptly() {
    // the first bytes of a TLS 1.2 ClientHello record: handshake (0x16), version 3.1, length, type 1
    byte[] clientHello = new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01, 0x00, 0x00, (byte) 0xa1, 0x03, 0x03};
    ports.forEach((server, port) -> {
      Reply reply = RawHttp.exchange(port, clientHello, READ_MS);
      assertThat(reply.closed()).as(server + ": closed").isTrue();
      assertThat(reply.ms()).as(server + ": closed before the header timeout").isLessThan(HEADER_TIMEOUT_MS / 2);
    });
  }

  /**
   * The header timeout is no keep-alive timeout: a connection idle between requests for longer
   * than it is still served (clients' pools reuse such connections).
   */
  @Test
  void keepAliveIdleLongerThanHeaderTimeout_stillServed() throws Exception {
    for (Map.Entry<String, Integer> server : ports.entrySet()) {
      try (Socket socket = new Socket("127.0.0.1", server.getValue())) {
        socket.setSoTimeout((int) READ_MS);
        byte[] request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(request);
        Reply first = RawHttp.parse(RawHttp.readAll(socket.getInputStream()).bytes(), false, 0);
        assertThat(first.status()).as(server.getKey() + ": " + first.raw()).isEqualTo(200);
        Thread.sleep(HEADER_TIMEOUT_MS + 1_000);
        socket.getOutputStream().write(request);
        Reply second = RawHttp.parse(RawHttp.readAll(socket.getInputStream()).bytes(), false, 0);
        assertThat(second.status()).as(server.getKey() + " after idling: " + second.raw()).isEqualTo(200);
      }
    }
  }

  private static Reply readRest(Socket socket) throws java.io.IOException {
    socket.setSoTimeout((int) READ_MS);
    InputStream in = socket.getInputStream();
    long started = System.nanoTime();
    RawHttp.ReadResult read = RawHttp.readToClose(in);
    return RawHttp.parse(read.bytes(), read.closed(), millisSince(started));
  }

  private static long millisSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000;
  }
}
