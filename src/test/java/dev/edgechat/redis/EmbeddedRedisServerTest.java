package dev.edgechat.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Role all's Redis, run by edgechat itself (no JVM shutdown hook of its own, issue 15): it keeps
 * what it holds across a stop, stops one left running on its folder by a killed process, and
 * says clearly when its port is taken.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedRedisServerTest {

  @TempDir
  Path dir;

  /** Verifies that a value written before a stop is there after a start on the same folder (append-only file). */
  @Test
  void close_thenStartOnSameFolder_keepsWhatItHeld() throws IOException {
    EmbeddedRedisServer first = EmbeddedRedisServer.start(dir, 0, "noeviction", "16mb");
    assertThat(command(first.url(), "SET", "job", "accepted")).isEqualTo("+OK");
    first.close();
    EmbeddedRedisServer second = EmbeddedRedisServer.start(dir, 0, "noeviction", "16mb");
    try {
      assertThat(command(second.url(), "GET", "job")).isEqualTo("accepted");
    } finally {
      second.close();
    }
  }

  /** Verifies that a Redis left running on the folder (its process was killed before its stop) is stopped first. */
  @Test
  void start_leftOverOnItsFolder_stopsItFirst() throws Exception {
    EmbeddedRedisServer leftOver = EmbeddedRedisServer.start(dir, 0, "noeviction", "16mb");
    long pid = Long.parseLong(Files.readString(dir.resolve("redis.pid")).trim());
    assertThat(ProcessHandle.of(pid)).isPresent();
    EmbeddedRedisServer next = EmbeddedRedisServer.start(dir, 0, "noeviction", "16mb");
    try {
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(command(next.url(), "PING")).isEqualTo("+PONG");
    } finally {
      next.close();
      leftOver.close();
    }
  }

  /** Verifies that a port in use fails the start with Redis's own reason. */
  @Test
  void start_portInUse_failsSayingSo() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> EmbeddedRedisServer.start(dir, taken.getLocalPort(), "noeviction", "16mb"))
          .isInstanceOf(UncheckedIOException.class)
          .hasStackTraceContaining("Address already in use");
    }
  }

  /** Sends one command (RESP) and returns the reply's first line, or a bulk string's value. */
  private static String command(URI url, String... parts) throws IOException {
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      StringBuilder request = new StringBuilder("*" + parts.length + "\r\n");
      for (String part : parts) {
        request.append('$').append(part.length()).append("\r\n").append(part).append("\r\n");
      }
      socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.UTF_8));
      BufferedReader reply = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      String first = reply.readLine();
      return first.startsWith("$") ? reply.readLine() : first;
    }
  }

  /**
   * Verifies that a start whose binary is still open for writing somewhere (exec fails: "Text file
   * busy", as when a process forked by another thread at the moment the binary was written holds its
   * handle) waits and tries again, and starts once the handle is gone. Role all once failed to start so.
   */
  @Test
  void start_binaryBusyForAMoment_startsWhenItIsFree() throws Exception {
    // a copy: the unpacked binary may be running (the other tests' Redis), and a running binary cannot be opened for writing
    Path binary = dir.resolve("redis-server");
    Files.copy(Path.of(EmbeddedRedisServer.binary()), binary);
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
    List<Long> pauses = new ArrayList<>();
    try (FileOutputStream writer = new FileOutputStream(binary.toFile(), true)) {
      EmbeddedRedisServer.Pause letGo = ms -> {
        pauses.add(ms);
        writer.close();
      };
      try (EmbeddedRedisServer server = EmbeddedRedisServer.start(binary.toString(), dir.resolve("data"), 0,
          "noeviction", "16mb", letGo)) {
        assertThat(pauses).as("tried while busy, paused, then started").containsExactly(100L);
        assertThat(command(server.url(), "PING")).isEqualTo("+PONG");
      }
    }
  }


}
