package dev.edgechat.topology;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code redis-server} process on loopback: a region's cache Redis ({@code allkeys-lru}) or the
 * queue Redis ({@code noeviction}: jobs are never evicted). Nothing is saved to disk; its log is in
 * its folder. It runs in a session of its own, so a Ctrl-C at the operator's terminal reaches the
 * launcher only, which stops the roles before their Redis.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final String name;
  private final int port;
  private final Process process;
  private final Path log;

  private RedisServerProcess(String name, int port, Process process, Path log) {
    this.name = name;
    this.port = port;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code redis-server} with its files in {@code dir} and waits until it answers PING.
   *
   * @param evictionPolicy {@code allkeys-lru} for a cache, {@code noeviction} for a queue
   */
  static RedisServerProcess start(String name, Path dir, ServiceBinaries binaries, String evictionPolicy,
      String maxMemory) {
    int port = LoopbackPorts.free();
    Path log = dir.resolve("redis.log");
    List<String> command = new ArrayList<>(RoleProcess.ownSession());
    command.addAll(List.of(binaries.redisServer().toString(),
        "--bind", "127.0.0.1", "--port", String.valueOf(port), "--dir", dir.toString(), "--save", "",
        "--appendonly", "no", "--maxmemory", maxMemory, "--maxmemory-policy", evictionPolicy,
        "--protected-mode", "yes", "--daemonize", "no", "--logfile", ""));
    Process process;
    try {
      Files.createDirectories(dir);
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server " + name, e);
    }
    RedisServerProcess redis = new RedisServerProcess(name, port, process, log);
    try {
      redis.awaitPong(Duration.ofSeconds(30));
      return redis;
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /** Its name in the topology: the region, or {@code queue}. */
  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** Straight to the server, not through a region's distance. */
  public URI url() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** Kills it (SIGKILL), as a crash would. */
  public void kill() {
    process.destroyForcibly();
    OsCommand.awaitExit(process, 10);
  }

  /** Stops it (SIGTERM: it closes its clients and exits). */
  @Override
  public void close() {
    process.destroy();
    if (!OsCommand.awaitExit(process, 10)) {
      process.destroyForcibly();
      OsCommand.awaitExit(process, 10);
    }
  }

  private void awaitPong(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pong()) {
      if (!process.isAlive()) {
        throw new TopologyException("redis-server " + name + " exited (" + process.exitValue() + ")"
            + OsCommand.tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new TopologyException("redis-server " + name + " did not answer PING within " + timeout.toSeconds()
            + " s" + OsCommand.tail(log));
      }
      OsCommand.sleep(25);
    }
  }

  private boolean pong() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] answer = in.readNBytes(7);
      return new String(answer, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }
}
