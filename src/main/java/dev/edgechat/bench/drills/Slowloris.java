package dev.edgechat.bench.drills;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slowloris: many connections each sending a request's headers one byte a second, never ending
 * them. The server must close each within {@code slowlorisWindow} (a timeout for reading a request's
 * headers) and keep serving everyone else meanwhile. Counted: {@code sent} connections, {@code
 * hangs} the ones still open at the end of the window, {@code failed} the normal chats that failed
 * during the attack.
 */
final class Slowloris {

  private static final byte[] START = ("GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
      .getBytes(StandardCharsets.US_ASCII);

  private Slowloris() {
  }

  static DrillOutcome run(DrillRig rig, DrillPlan plan) {
    DrillOutcome outcome = new DrillOutcome("slowloris (" + plan.slowlorisConnections() + " connections, 1 byte/s)");
    int port = rig.edge().port();
    List<Socket> sockets = new ArrayList<>();
    for (int i = 0; i < plan.slowlorisConnections(); i++) {
      outcome.sent.incrementAndGet();
      try {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(1);
        socket.getOutputStream().write(START);
        sockets.add(socket);
      } catch (IOException e) {
        outcome.note("connection " + i + " refused: " + e);
      }
    }
    long start = System.nanoTime();
    long end = start + plan.slowlorisWindow().toNanos();
    long firstClosed = -1;
    int second = 0;
    List<Socket> open = new ArrayList<>(sockets);
    while (System.nanoTime() < end && !open.isEmpty()) {
      ChatCall.sleep(1000);
      second++;
      for (Socket socket : new ArrayList<>(open)) {
        if (closedByServer(socket)) {
          open.remove(socket);
          if (firstClosed < 0) {
            firstClosed = System.nanoTime() - start;
          }
        }
      }
      if (second % 10 == 5) {
        // everyone else is still served during the attack
        ChatCall.Result answer = rig.chat("slowloris", plan.chatDeadline());
        outcome.sent.incrementAndGet();
        if (!answer.answered()) {
          outcome.failed.incrementAndGet();
          outcome.note("a chat during the attack: " + answer);
        }
        if (answer.serverError()) {
          outcome.serverErrors.incrementAndGet();
        }
      }
    }
    outcome.hangs.addAndGet(open.size());
    outcome.note((sockets.size() - open.size()) + " of " + sockets.size() + " connections closed by the server within "
        + plan.slowlorisWindow().toSeconds() + " s" + (firstClosed < 0 ? "" : "; the first after "
        + firstClosed / 1_000_000 + " ms"));
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    outcome.requireNone(outcome.hangs.get(), "slow connections still open after " + plan.slowlorisWindow().toSeconds()
        + " s (want a timeout for reading a request's headers)");
    outcome.requireNone(outcome.failed.get(), "normal chats failed during the attack");
    outcome.requireNone(outcome.serverErrors.get(), "normal chats answered with a 5xx during the attack");
    return outcome;
  }

  /** Sends the next byte of the endless header; whether the server has closed the connection (or answered). */
  private static boolean closedByServer(Socket socket) {
    try {
      InputStream in = socket.getInputStream();
      try {
        int b = in.read();
        if (b == -1) {
          return true;
        }
        // an answer (408, 431): the server is done with it; it should close too
        return true;
      } catch (SocketTimeoutException e) {
        // nothing to read: still open
      }
      socket.getOutputStream().write('a');
      socket.getOutputStream().flush();
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
