package dev.edgechat.support;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP on a plain socket, for what a well-behaved client cannot send: bad bytes, foreign versions,
 * HTTP/1.0, heads that never end. Blocking: call it from a test's thread, never an event loop.
 */
public final class RawHttp {

  private RawHttp() {
  }

  /**
   * The first response on a connection, as read until the server closed it or {@code readMs}
   * passed without a byte.
   *
   * @param closed whether the server closed the connection
   * @param complete whether the whole response arrived: its Content-Length, its last chunk, or a
   *     body without either ended by the close (else the read timed out: a hang)
   * @param ms from the first byte sent until the response was whole, the close or the time-out
   */
  public record Reply(int status, Map<String, String> headers, String body, boolean closed, boolean complete, long ms,
      String raw) {

    /** The {@code error} object of a JSON error body. */
    public JsonObject error() {
      return new JsonObject(body).getJsonObject("error");
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** Sends {@code request} as it is (ISO-8859-1, or UTF-8 past it) to 127.0.0.1:{@code port} and reads the reply. */
  public static Reply exchange(int port, String request, long readMs) {
    return exchange(port, request.getBytes(StandardCharsets.UTF_8), readMs);
  }

  /** As {@link #exchange(int, String, long)}, but reads on after the response, until the server closes. */
  public static Reply exchangeUntilClose(int port, String request, long readMs) {
    return exchange(port, request.getBytes(StandardCharsets.UTF_8), readMs, true);
  }

  public static Reply exchange(int port, byte[] request, long readMs) {
    return exchange(port, request, readMs, false);
  }

  private static Reply exchange(int port, byte[] request, long readMs, boolean untilClose) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) readMs);
      long started = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      ReadResult read = untilClose ? readToClose(socket.getInputStream()) : readAll(socket.getInputStream());
      return parse(read.bytes(), read.closed(), (System.nanoTime() - started) / 1_000_000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads until the first response is whole (by its length or last chunk), the peer closes (or
   * resets) the connection, or no byte came for the socket's timeout.
   */
  public static ReadResult readAll(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        got.write(buffer, 0, n);
        if (parse(got.toByteArray(), false, 0).complete()) {
          return new ReadResult(got.toByteArray(), false);
        }
      }
      return new ReadResult(got.toByteArray(), true);
    } catch (SocketTimeoutException e) {
      return new ReadResult(got.toByteArray(), false);
    } catch (java.net.SocketException e) {
      return new ReadResult(got.toByteArray(), true); // reset: closed too
    }
  }

  public record ReadResult(byte[] bytes, boolean closed) {
  }

  /** Reads until the peer closes (or resets) the connection, or no byte came for the socket's timeout. */
  public static ReadResult readToClose(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        got.write(buffer, 0, n);
      }
      return new ReadResult(got.toByteArray(), true);
    } catch (SocketTimeoutException e) {
      return new ReadResult(got.toByteArray(), false);
    } catch (java.net.SocketException e) {
      return new ReadResult(got.toByteArray(), true);
    }
  }

  /** The first response in {@code bytes}; status -1 when there was none. */
  public static Reply parse(byte[] bytes, boolean closed, long ms) {
    String raw = new String(bytes, StandardCharsets.UTF_8);
    int headEnd = raw.indexOf("\r\n\r\n");
    if (!raw.startsWith("HTTP/") || headEnd < 0) {
      return new Reply(-1, Map.of(), "", closed, false, ms, raw);
    }
    String[] lines = raw.substring(0, headEnd).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new TreeMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    String rest = raw.substring(headEnd + 4);
    String body;
    boolean complete;
    if (headers.containsKey("content-length")) {
      int length = Integer.parseInt(headers.get("content-length"));
      byte[] restBytes = rest.getBytes(StandardCharsets.UTF_8);
      body = new String(restBytes, 0, Math.min(length, restBytes.length), StandardCharsets.UTF_8);
      complete = restBytes.length >= length;
    } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      body = dechunk(rest);
      complete = rest.startsWith("0\r\n\r\n") || rest.contains("\r\n0\r\n\r\n");
    } else {
      body = rest;
      complete = closed;
    }
    return new Reply(status, headers, body, closed, complete, ms, raw);
  }

  private static String dechunk(String chunked) {
    StringBuilder body = new StringBuilder();
    int at = 0;
    while (at < chunked.length()) {
      int lineEnd = chunked.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break;
      }
      int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
      if (size == 0) {
        break;
      }
      // sizes count bytes; the bodies here are ASCII or short enough that the difference does not matter
      int end = Math.min(chunked.length(), lineEnd + 2 + size);
      body.append(chunked, lineEnd + 2, end);
      at = end + 2;
    }
    return body.toString();
  }
}
