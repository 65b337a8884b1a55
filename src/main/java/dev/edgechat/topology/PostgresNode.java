package dev.edgechat.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One Postgres server of the cluster, driven with {@code pg_ctl}: its data folder, port and server log.
 * Blocking, as a launcher is.
 */
final class PostgresNode {

  private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);

  private final String name;
  private final Path dataDir;
  private final int port;
  private final Path serverLog;
  private final Path commandLog;
  private final ServiceBinaries binaries;

  PostgresNode(String name, Path dataDir, int port, Path serverLog, Path commandLog, ServiceBinaries binaries) {
    this.name = name;
    this.dataDir = dataDir;
    this.port = port;
    this.serverLog = serverLog;
    this.commandLog = commandLog;
    this.binaries = binaries;
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  Path dataDir() {
    return dataDir;
  }

  Path serverLog() {
    return serverLog;
  }

  /** {@code postgres://postgres@127.0.0.1:<port>/<database>}, as the roles read it. */
  URI url(String database) {
    return URI.create("postgres://postgres@127.0.0.1:" + port + "/" + database);
  }

  /** Appends settings to its {@code postgresql.conf}: later lines win over earlier ones. */
  void configure(List<String> lines) {
    try {
      Files.writeString(dataDir.resolve("postgresql.conf"), "\n# dev.edgechat.topology\n" + String.join("\n", lines)
          + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not configure Postgres " + name, e);
    }
  }

  /** Starts the server and waits until it accepts connections. */
  void start() {
    try {
      OsCommand.run(binaries.postgres("pg_ctl", "-D", dataDir.toString(), "-l", serverLog.toString(), "-w", "-t", "60",
          "start"), commandLog, PG_CTL_TIMEOUT);
    } catch (TopologyException e) {
      throw new TopologyException("Postgres " + name + " did not start" + OsCommand.tail(serverLog), e);
    }
  }

  /** Stops the server, fast: sessions are ended, not waited for. Nothing to do when it is not running. */
  void stop() {
    if (postmaster().isEmpty()) {
      return;
    }
    OsCommand.run(binaries.postgres("pg_ctl", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "60", "stop"),
        commandLog, PG_CTL_TIMEOUT);
  }

  /** Kills the server's main process (SIGKILL), as a crash would, and waits until it is gone. */
  void kill() {
    postmaster().ifPresent(process -> {
      process.destroyForcibly();
      try {
        process.onExit().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new TopologyException("Postgres " + name + " (pid " + process.pid() + ") did not die", e);
      }
    });
  }

  /** Whether its main process runs. */
  boolean running() {
    return postmaster().isPresent();
  }

  /** The main process, from the first line of {@code postmaster.pid}, when it runs. */
  private Optional<ProcessHandle> postmaster() {
    Path pidFile = dataDir.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
      if (lines.isEmpty()) {
        return Optional.empty();
      }
      // a stale pid file (after a kill) may name a pid reused by another program: only a postgres is ours
      return ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive)
          .filter(process -> process.info().command().map(command -> command.endsWith("/postgres")).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A new JDBC connection as user postgres (trusted on loopback); the caller closes it. */
  Connection connect(String database) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database
        + "?user=postgres&connectTimeout=5&socketTimeout=30&ApplicationName=edgechat-topology");
  }
}
