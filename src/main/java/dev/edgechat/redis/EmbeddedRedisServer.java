package dev.edgechat.redis;

import dev.edgechat.config.Artifact;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis 6.2 started from the binary in the jar, for role {@code all} when no Redis URL is
 * configured. It listens on loopback only and keeps an append-only file in its data folder, so the
 * cache survives restarts. Starting and stopping block: use a worker thread.
 *
 * <p>Design note: codemonstur embedded-redis supplies the binary ({@link ExecutableProvider}
 * unpacks the one for this machine), but the process is started and stopped here, not by the
 * library's {@code RedisServer}: that one registers a JVM shutdown hook of its own that kills Redis
 * the moment the JVM is told to stop, beside edgechat's hook, which first lets the answers under way
 * finish and the jobs drain (issue 15: SIGTERM on role {@code all} lost every answer in flight).
 * Started here, Redis has no hook: the role's teardown stops it last, with SIGTERM, on which Redis
 * writes its append-only file and exits. It runs in a session of its own ({@code setsid}), so a
 * Ctrl-C at the terminal, which signals the whole foreground process group, reaches the JVM only.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);
  private static final String READY = "Ready to accept connections";
  private static final long START_TIMEOUT_MS = 30_000;
  private static final long STOP_TIMEOUT_MS = 10_000;
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final String PID_FILE = "redis.pid";
  private static final String ADDRESS_IN_USE = "Address already in use";
  private static final int PORT_ATTEMPTS = 3;
  /** What exec says when the binary is still open for writing somewhere (ETXTBSY). */
  private static final String BINARY_BUSY = "Text file busy";
  private static final int BUSY_ATTEMPTS = 6;
  private static final long BUSY_PAUSE_MS = 100;

  /** The binary, unpacked once per JVM: role all starts two servers, and each unpacking was a fresh copy. */
  private static volatile String binary;

  private final Process process;
  private final int port;

  private EmbeddedRedisServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts Redis on {@code port} (0: a free one) with its files in {@code dataDir}; returns once it
   * accepts connections.
   *
   * @param evictionPolicy {@code allkeys-lru} for a cache, {@code noeviction} for a queue
   */
  public static EmbeddedRedisServer start(Path dataDir, int port, String evictionPolicy, String maxMemory) {
    Artifact.requireEmbedded("Redis", "redis.embedded.core.ExecutableProvider");
    String binary;
    try {
      binary = binary();
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis could not be unpacked", e);
    }
    return start(binary, dataDir, port, evictionPolicy, maxMemory, EmbeddedRedisServer::sleep);
  }

  /** Waits before a start is tried again. */
  @FunctionalInterface
  interface Pause {
    void pause(long ms) throws IOException;
  }

  /**
   * As {@link #start(Path, int, String, String)}, running the Redis binary at {@code binary}, waiting
   * with {@code pause} before trying a busy binary again.
   */
  static EmbeddedRedisServer start(String binary, Path dataDir, int port, String evictionPolicy, String maxMemory,
      Pause pause) {
    try {
      Files.createDirectories(dataDir);
      Path pidFile = dataDir.resolve(PID_FILE);
      stopLeftOver(pidFile);
      int busy = 0;
      for (int attempt = 1; ; attempt++) {
        // a free port is looked up, then bound by Redis: another process may take it in between
        int chosen = port > 0 ? port : freePort();
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(SETSID)) {
          command.add(SETSID.toString());
        }
        command.addAll(List.of(binary,
            "--bind", "127.0.0.1",
            "--port", Integer.toString(chosen),
            "--dir", dataDir.toAbsolutePath().toString(),
            "--appendonly", "yes",
            "--maxmemory", maxMemory,
            "--maxmemory-policy", evictionPolicy,
            "--protected-mode", "yes",
            "--pidfile", pidFile.toAbsolutePath().toString()));
        Process process;
        try {
          process = launch(command);
          awaitReady(process, chosen, dataDir);
        } catch (PortTaken e) {
          if (port > 0 || attempt == PORT_ATTEMPTS) {
            throw e;
          }
          LOG.info("the port chosen for embedded Redis was taken meanwhile; another one [port: {}]", chosen);
          continue;
        } catch (BinaryBusy e) {
          // A process forked by another thread (the other Redis, Postgres's initdb) at the moment a
          // binary was being written holds a copy of its write handle until it execs: brief, so again.
          if (++busy == BUSY_ATTEMPTS) {
            throw e;
          }
          LOG.info("the Redis binary was busy (open for writing in a process just forked); again [in: {} ms, try: {} of {}]",
              BUSY_PAUSE_MS, busy + 1, BUSY_ATTEMPTS);
          pause.pause(BUSY_PAUSE_MS);
          attempt--;
          continue;
        }
        LOG.info("embedded Redis started [port: {}, data: {}, policy: {}]", chosen, dataDir.toAbsolutePath(),
            evictionPolicy);
        return new EmbeddedRedisServer(process, chosen);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start [data: " + dataDir.toAbsolutePath() + "]", e);
    }
  }

  /** The unpacked Redis binary, unpacked by the first call of this JVM. */
  static String binary() throws IOException {
    String unpacked = binary;
    if (unpacked == null) {
      synchronized (EmbeddedRedisServer.class) {
        unpacked = binary;
        if (unpacked == null) {
          unpacked = ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
          binary = unpacked;
        }
      }
    }
    return unpacked;
  }

  /** Runs the command; exec's "Text file busy" (without setsid, the JVM execs Redis itself) as {@link BinaryBusy}. */
  private static Process launch(List<String> command) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("LC_ALL", "C"); // the messages read here (setsid's, Redis's) in English
    try {
      return builder.start();
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains(BINARY_BUSY)) {
        throw new BinaryBusy("Redis could not be run: " + e.getMessage());
      }
      throw e;
    }
  }

  private static void sleep(long ms) throws IOException {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while Redis started", e);
    }
  }

  /** Redis could not be run because its binary was open for writing (ETXTBSY). */
  private static final class BinaryBusy extends IOException {

    private static final long serialVersionUID = 1L;

    BinaryBusy(String message) {
      super(message);
    }
  }

  /** Redis exited at once because its port was in use. */
  private static final class PortTaken extends IOException {

    private static final long serialVersionUID = 1L;

    PortTaken(String message) {
      super(message);
    }
  }

  /**
   * Reads Redis's output until it says it is ready; then a daemon thread goes on reading it (a full
   * pipe would stall Redis) into the debug log.
   */
  private static void awaitReady(Process process, int port, Path dataDir) throws IOException {
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    Deque<String> lastLines = new ArrayDeque<>();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try {
        for (String line = output.readLine(); line != null; line = output.readLine()) {
          if (!ready.isDone()) {
            synchronized (lastLines) {
              lastLines.addLast(line);
              if (lastLines.size() > 20) {
                lastLines.removeFirst();
              }
            }
            if (line.contains(READY)) {
              ready.complete(null);
            }
          }
          LOG.debug("redis [port: {}] {}", port, line);
        }
      } catch (IOException e) {
        // the process ended
      }
      ready.completeExceptionally(new IOException("Redis exited (" + exitCode(process) + ")"));
    }, "embedded-redis-" + port);
    reader.setDaemon(true);
    reader.start();
    try {
      ready.get(START_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly();
      String said;
      synchronized (lastLines) {
        said = String.join("\n  ", lastLines);
      }
      String message = "Redis did not become ready [port: " + port + ", data: " + dataDir.toAbsolutePath()
          + "]: " + (e instanceof TimeoutException ? "no '" + READY + "' within " + START_TIMEOUT_MS + " ms"
          : e.getCause().getMessage()) + "; it said:\n  " + said;
      if (said.contains(BINARY_BUSY)) {
        throw new BinaryBusy(message);
      }
      throw said.contains(ADDRESS_IN_USE) ? new PortTaken(message) : new IOException(message, e);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while Redis started", e);
    }
  }

  /**
   * Stops a Redis that an earlier process left running on this data folder (that process was
   * killed before its teardown ran): two servers must never write one append-only file.
   */
  private static void stopLeftOver(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    String text = Files.readString(pidFile, StandardCharsets.UTF_8).trim();
    Files.deleteIfExists(pidFile);
    if (!text.matches("\\d{1,10}")) {
      return;
    }
    Optional<ProcessHandle> leftOver = ProcessHandle.of(Long.parseLong(text))
        .filter(p -> p.info().command().map(c -> c.contains("redis-server")).orElse(false));
    if (leftOver.isPresent()) {
      LOG.warn("a Redis left running on this data folder is stopped first [pid: {}, data: {}]", text,
          pidFile.getParent().toAbsolutePath());
      leftOver.get().destroy();
      try {
        leftOver.get().onExit().get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        leftOver.get().destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while a left-over Redis stopped", e);
      }
    }
  }

  private static String exitCode(Process process) {
    try {
      return Integer.toString(process.waitFor(1, TimeUnit.SECONDS) ? process.exitValue() : -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  public URI url() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  /** Stops Redis with SIGTERM (it writes its append-only file), or kills it after 10 s. Blocks. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("embedded Redis did not stop within {} ms; killed [port: {}]", STOP_TIMEOUT_MS, port);
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
