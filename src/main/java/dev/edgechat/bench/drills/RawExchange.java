package dev.edgechat.bench.drills;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP exchange over a plain socket, sending exactly the bytes given: the fuzz needs requests
 * no HTTP client would send (bad header bytes, lone surrogates as raw bytes, HTTP/1.0 and 9.9, a
 * chunked body that never ends). Reads the answer (status line, headers, a body delimited by
 * Content-Length, chunks or the close) within one deadline for the whole exchange.
 *
 * <p>Design note: written by hand because every HTTP client refuses to send malformed requests and
 * normalises what it reads; this reader must see the bytes as the server sent them.
 */
final class RawExchange {

  /** How one exchange ended. */
  enum Ending {
    /** A whole response was read. */
    ANSWERED,
    /** The server closed (or reset) the connection without a status line. */
    CLOSED,
    /** Nothing, or not the whole response, arrived before the deadline. */
    HUNG,
    /** The connection could not be made. */
    REFUSED
  }

  /** What came back. {@code status} is -1 unless {@code ending} is ANSWERED. */
  record Answer(Ending ending, int status, Map<String, String> headers, String body, long millis) {

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private static final int CHUNK = 4096;
  private static final long MAX_UNENDING_BYTES = 64L * 1024 * 1024;

  private RawExchange() {
  }

  /** Sends {@code request} to 127.0.0.1:{@code port} and reads the answer within {@code deadline}. */
  static Answer send(int port, byte[] request, Duration deadline) {
    return send(port, request, false, deadline);
  }

  /**
   * Sends {@code request}; with {@code unendingChunks} it then keeps sending 4 KiB chunks (never the
   * last one) until the server answers, closes, or 64 MiB went (a server may drain some megabytes of a refused body before it answers), and reads the answer.
   */
  static Answer send(int port, byte[] request, boolean unendingChunks, Duration deadline) {
    long start = System.nanoTime();
    long end = start + deadline.toNanos();
    try (Socket socket = new Socket()) {
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      } catch (IOException e) {
        return new Answer(Ending.REFUSED, -1, Map.of(), e.toString(), millis(start));
      }
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      try {
        out.write(request);
        out.flush();
        if (unendingChunks) {
          byte[] chunk = chunk();
          long sent = 0;
          while (sent < MAX_UNENDING_BYTES && in.available() == 0 && System.nanoTime() < end) {
            out.write(chunk);
            out.flush();
            sent += chunk.length;
          }
        }
      } catch (IOException e) {
        // the server stopped reading: it may have answered already
      }
      boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.US_ASCII).equals("HEAD ");
      return read(in, socket, head, start, end);
    } catch (IOException e) {
      return new Answer(Ending.CLOSED, -1, Map.of(), e.toString(), millis(start));
    }
  }

  private static byte[] chunk() {
    byte[] data = new byte[CHUNK];
    java.util.Arrays.fill(data, (byte) 'a');
    byte[] head = (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] chunk = new byte[head.length + CHUNK + 2];
    System.arraycopy(head, 0, chunk, 0, head.length);
    System.arraycopy(data, 0, chunk, head.length, CHUNK);
    chunk[chunk.length - 2] = '\r';
    chunk[chunk.length - 1] = '\n';
    return chunk;
  }

  private static Answer read(InputStream in, Socket socket, boolean head, long start, long end) throws IOException {
    Reader reader = new Reader(in, socket, end);
    try {
      while (true) {
        String statusLine = reader.line();
        if (statusLine == null) {
          return new Answer(Ending.CLOSED, -1, Map.of(), "", millis(start));
        }
        if (statusLine.isEmpty()) {
          continue;
        }
        String[] parts = statusLine.split(" ", 3);
        int status;
        try {
          status = Integer.parseInt(parts.length > 1 ? parts[1] : "");
        } catch (NumberFormatException e) {
          return new Answer(Ending.ANSWERED, 0, Map.of(), "not a status line: " + statusLine, millis(start));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = reader.line(); line != null && !line.isEmpty(); line = reader.line()) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim(),
                (a, b) -> a + ", " + b);
          }
        }
        if (status >= 100 && status < 200) {
          continue;
        }
        String body = head ? "" : reader.body(headers, status);
        if (body == null) {
          return new Answer(Ending.HUNG, status, headers, "", millis(start));
        }
        return new Answer(Ending.ANSWERED, status, headers, body, millis(start));
      }
    } catch (SocketTimeoutException e) {
      return new Answer(Ending.HUNG, -1, Map.of(), "", millis(start));
    } catch (IOException e) {
      return new Answer(Ending.CLOSED, -1, Map.of(), e.toString(), millis(start));
    }
  }

  private static long millis(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  /** Reads lines and bodies, each read bounded by what is left of the deadline. */
  private static final class Reader {

    private static final int MAX_BODY = 1 << 20;
    private final InputStream in;
    private final Socket socket;
    private final long end;

    Reader(InputStream in, Socket socket, long end) {
      this.in = in;
      this.socket = socket;
      this.end = end;
    }

    private int next() throws IOException {
      long left = (end - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new SocketTimeoutException("deadline");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
      return in.read();
    }

    /** A line without its CRLF (a bare LF ends one too); null at the end of the stream before any byte. */
    String line() throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = next()) != -1) {
        if (b == '\n') {
          break;
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      if (b == -1 && line.size() == 0) {
        return null;
      }
      return line.toString(StandardCharsets.UTF_8);
    }

    /** The body, or null when it did not end (by length, last chunk or close) before the deadline. */
    String body(Map<String, String> headers, int status) throws IOException {
      if (status == 204 || status == 304) {
        return "";
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      try {
        String encoding = headers.getOrDefault("transfer-encoding", "");
        if (encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
          while (true) {
            String size = line();
            if (size == null) {
              return null;
            }
            int semi = size.indexOf(';');
            int length = Integer.parseInt((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
            if (length == 0) {
              return body.toString(StandardCharsets.UTF_8);
            }
            for (int i = 0; i < length; i++) {
              int b = next();
              if (b == -1) {
                return null;
              }
              if (body.size() < MAX_BODY) {
                body.write(b);
              }
            }
            line();
          }
        }
        String length = headers.get("content-length");
        if (length != null) {
          long n = Long.parseLong(length.split(",")[0].trim());
          for (long i = 0; i < n; i++) {
            int b = next();
            if (b == -1) {
              return null;
            }
            if (body.size() < MAX_BODY) {
              body.write(b);
            }
          }
          return body.toString(StandardCharsets.UTF_8);
        }
        // delimited by the close
        int b;
        while ((b = next()) != -1) {
          if (body.size() < MAX_BODY) {
            body.write(b);
          }
        }
        return body.toString(StandardCharsets.UTF_8);
      } catch (SocketTimeoutException e) {
        return null;
      } catch (NumberFormatException e) {
        return body.toString(StandardCharsets.UTF_8);
      } catch (IOException e) {
        // reset after part of a body: what came is the body
        return body.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
