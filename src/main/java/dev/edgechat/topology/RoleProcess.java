package dev.edgechat.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One role of the jar ({@code origin}, {@code worker}, {@code edge}, {@code sim}) as a JVM of its
 * own: configured only by the environment it is given (nothing of the launcher's {@code EDGECHAT_*}
 * leaks in), run in its own folder with its output in {@code <role>.log} there, in a session of its
 * own (a Ctrl-C at the terminal reaches the launcher, which then stops the roles in order). Records
 * how long it took to answer {@code /readyz} with 200 and its resident memory then.
 */
public final class RoleProcess {

  /** What a role may inherit from the launcher's environment: nothing of edgechat's. */
  private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "USER");
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
      .version(HttpClient.Version.HTTP_1_1).build();

  private final String role;
  private final String region;
  private final int port;
  private final Map<String, String> environment;
  private final Process process;
  private final Path log;
  private final long startedNanos;
  private volatile Duration timeToReady;
  private volatile long readyRssKb = -1;

  private RoleProcess(String role, String region, int port, Map<String, String> environment, Process process,
      Path log, long startedNanos) {
    this.role = role;
    this.region = region;
    this.port = port;
    this.environment = environment;
    this.process = process;
    this.log = log;
    this.startedNanos = startedNanos;
  }

  /**
   * Starts {@code java … dev.edgechat.Main <role>} in {@code dir} with {@code environment} (which
   * holds {@code EDGECHAT_HTTP_PORT} = {@code port}); does not wait for it to be ready.
   */
  public static RoleProcess launch(JavaCommand java, String role, String region, int port, Map<String, String> environment,
      Path dir) {
    Path log = dir.resolve(role + ".log");
    List<String> command = new ArrayList<>(ownSession());
    command.addAll(java.command(role));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(Redirect.appendTo(log.toFile())).redirectInput(Redirect.from(Path.of("/dev/null").toFile()));
    Map<String, String> env = builder.environment();
    env.clear();
    INHERITED.forEach(name -> {
      String value = System.getenv(name);
      if (value != null) {
        env.put(name, value);
      }
    });
    env.putAll(environment);
    try {
      Files.createDirectories(dir);
      long started = System.nanoTime();
      Process process = builder.start();
      return new RoleProcess(role, region, port, new TreeMap<>(environment), process, log, started);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start role " + role + " in region " + region, e);
    }
  }

  /**
   * Waits until {@code GET /readyz} answers 200, then records the time since launch and the resident memory.
   *
   * @throws TopologyException when the process exits first or is not ready in time, with its log's last lines
   */
  public void awaitReady(Duration timeout) {
    HttpRequest readyz = HttpRequest.newBuilder(url().resolve("/readyz")).timeout(Duration.ofSeconds(2)).build();
    long deadline = startedNanos + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new TopologyException(describe() + " exited (" + process.exitValue() + ") before it was ready"
            + OsCommand.tail(log));
      }
      try {
        if (HTTP.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          timeToReady = Duration.ofNanos(System.nanoTime() - startedNanos);
          readyRssKb = rssKb();
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopologyException("interrupted while waiting for " + describe(), e);
      }
      if (System.nanoTime() > deadline) {
        throw new TopologyException(describe() + " was not ready within " + timeout.toSeconds() + " s"
            + OsCommand.tail(log));
      }
      OsCommand.sleep(100);
    }
  }

  public String role() {
    return role;
  }

  public String region() {
    return region;
  }

  /** {@code http://127.0.0.1:<port>}: the role's public server (for a worker, its operations server). */
  public URI url() {
    return URI.create("http://127.0.0.1:" + port);
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** The environment it was started with, the whole of its configuration. */
  public Map<String, String> environment() {
    return environment;
  }

  /** Launch to the first {@code /readyz} 200; null before it was ready. */
  public Duration timeToReady() {
    return timeToReady;
  }

  /** Resident memory, in KiB, when it became ready; -1 before. */
  public long readyRssKb() {
    return readyRssKb;
  }

  /** Resident memory now, in KiB ({@code VmRSS} of {@code /proc/<pid>/status}); -1 when it cannot be read. */
  public long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim());
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /**
   * Stops it as an orchestrator would: SIGTERM, then up to {@code grace} for it to drain and exit, then SIGKILL.
   *
   * @return its exit code, or -1 when it had to be killed
   */
  public int stop(Duration grace) {
    process.destroy();
    if (OsCommand.awaitExit(process, (int) Math.max(1, grace.toSeconds()))) {
      return process.exitValue();
    }
    kill();
    return -1;
  }

  /** Kills it (SIGKILL), as a crash would. */
  public void kill() {
    process.destroyForcibly();
    OsCommand.awaitExit(process, 10);
  }

  /** {@code edge in fra}, for messages. */
  public String describe() {
    return role + " in " + region;
  }

  /** {@code setsid}, when there is one: the child runs in a session of its own, out of reach of the terminal's Ctrl-C. */
  static List<String> ownSession() {
    return Files.isExecutable(SETSID) ? List.of(SETSID.toString()) : List.of();
  }
}
