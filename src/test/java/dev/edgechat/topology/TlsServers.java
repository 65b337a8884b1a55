package dev.edgechat.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Postgres 15 and a redis-server 7 (Debian's, as the topology runs them) that speak TLS with a
 * certificate signed by a certificate authority made here with the {@code openssl} command (Debian's
 * postgresql package depends on it, through ssl-cert), for the TLS tests.
 *
 * <p>The server certificate names {@code localhost} only (no IP address), so {@code verify-full}
 * succeeds for {@code localhost} and fails for {@code 127.0.0.1}, while {@code verify-ca} succeeds
 * for both. A second authority ({@link #otherCa()}) signed nothing here: trusting it must fail. Redis
 * listens on its TLS port only; Postgres accepts both plain and TLS connections (what a client asks
 * for decides). Blocking: a test's set-up, never an event loop's.
 */
public final class TlsServers implements AutoCloseable {

  private static final Duration STEP = Duration.ofSeconds(60);

  private final Path ca;
  private final Path otherCa;
  private final PostgresNode postgres;
  private final Process redis;
  private final int redisPort;

  private TlsServers(Path ca, Path otherCa, PostgresNode postgres, Process redis, int redisPort) {
    this.ca = ca;
    this.otherCa = otherCa;
    this.postgres = postgres;
    this.redis = redis;
    this.redisPort = redisPort;
  }

  /** What is missing on this machine for the TLS servers, for a test's skip message; empty when nothing is. */
  public static Optional<String> missing() {
    Optional<String> services = ServiceBinaries.missing();
    if (services.isPresent()) {
      return services;
    }
    return Files.isExecutable(Path.of("/usr/bin/openssl")) ? Optional.empty()
        : Optional.of("/usr/bin/openssl is missing (Debian's postgresql brings it: scripts/install-services.sh)");
  }

  /**
   * Makes the authorities and the server certificate in {@code dir}, then starts both servers; they
   * are stopped by {@link #close()}, or when the JVM exits.
   */
  /**
   * Starts the servers in {@code dir}, or skips the calling test class (a JUnit assumption) naming
   * what this machine lacks; for a test class's {@code @BeforeAll}.
   */
  public static TlsServers startOrSkip(Path dir) {
    Optional<String> missing = missing();
    org.junit.jupiter.api.Assumptions.assumeTrue(missing.isEmpty(),
        () -> "skipped, no TLS servers on this machine: " + missing.orElse(""));
    return start(dir);
  }

  /** Stops {@code servers} if they were started; for a test class's {@code @AfterAll}. */
  public static void stop(TlsServers servers) {
    if (servers != null) {
      servers.close();
    }
  }

  public static TlsServers start(Path dir) {
    ServiceBinaries binaries = ServiceBinaries.find();
    try {
      // the postgres user (Postgres runs as it when the tests run as root) must pass through
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path certs = dir.resolve("certs");
    Path log = dir.resolve("commands.log");
    mkdirs(certs);
    Path ca = authority(certs, "ca", "edgechat test CA", log);
    Path otherCa = authority(certs, "other-ca", "edgechat other CA", log);
    Path serverKey = certs.resolve("server.key");
    Path serverCert = certs.resolve("server.pem");
    openssl(log, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", serverKey.toString(),
        "-out", certs.resolve("server.csr").toString(), "-subj", "/CN=localhost");
    Path extensions = write(certs.resolve("server.ext"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n"
        + "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n");
    openssl(log, "x509", "-req", "-in", certs.resolve("server.csr").toString(), "-CA", ca.toString(),
        "-CAkey", certs.resolve("ca.key").toString(), "-CAcreateserial", "-out", serverCert.toString(), "-days", "2",
        "-extfile", extensions.toString());

    PostgresNode postgres = startPostgres(dir.resolve("postgres"), binaries, serverCert, serverKey, log);
    int redisPort = LoopbackPorts.free();
    Process redis;
    try {
      redis = startRedis(dir.resolve("redis"), binaries, redisPort, ca, serverCert, serverKey);
    } catch (RuntimeException e) {
      postgres.stop();
      throw e;
    }
    TlsServers servers = new TlsServers(ca, otherCa, postgres, redis, redisPort);
    Runtime.getRuntime().addShutdownHook(new Thread(servers::close, "tls-servers-stop"));
    return servers;
  }

  /** The authority that signed the servers' certificate (PEM). */
  public Path ca() {
    return ca;
  }

  /** An authority that signed nothing here (PEM). */
  public Path otherCa() {
    return otherCa;
  }

  /** {@code postgres://postgres@<host>:<port>/postgres?<query>}; the host is {@code localhost} or {@code 127.0.0.1}. */
  public URI postgresUrl(String host, String query) {
    return URI.create("postgres://postgres@" + host + ":" + postgres.port() + "/postgres"
        + (query.isEmpty() ? "" : "?" + query));
  }

  /** {@code rediss://<host>:<port>?<query>}, the TLS port (Redis has no other). */
  public URI redisUrl(String host, String query) {
    return URI.create("rediss://" + host + ":" + redisPort + (query.isEmpty() ? "" : "?" + query));
  }

  public int redisPort() {
    return redisPort;
  }

  @Override
  public void close() {
    redis.destroy();
    if (!OsCommand.awaitExit(redis, 10)) {
      redis.destroyForcibly();
    }
    postgres.stop();
  }

  private static PostgresNode startPostgres(Path dir, ServiceBinaries binaries, Path cert, Path key, Path log) {
    binaries.giveToPostgres(dir);
    PostgresNode node = new PostgresNode("tls", dir.resolve("data"), LoopbackPorts.free(), dir.resolve("server.log"),
        log, binaries);
    OsCommand.run(binaries.postgres("initdb", "-D", node.dataDir().toString(), "-U", "postgres", "--auth=trust",
        "-E", "UTF8", "--locale=C", "--no-sync"), log, STEP);
    // the server reads its key only when the key is its user's and no one else's
    try {
      Files.copy(cert, node.dataDir().resolve("server.crt"));
      Files.copy(key, node.dataDir().resolve("server.key"));
      Files.setPosixFilePermissions(node.dataDir().resolve("server.key"), PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    binaries.giveToPostgres(dir);
    node.configure(List.of(
        "listen_addresses = '127.0.0.1'",
        "port = " + node.port(),
        "unix_socket_directories = ''",
        "ssl = on",
        "ssl_cert_file = 'server.crt'",
        "ssl_key_file = 'server.key'",
        "max_connections = 100",
        "fsync = off"));
    node.start();
    return node;
  }

  private static Process startRedis(Path dir, ServiceBinaries binaries, int port, Path ca, Path cert, Path key) {
    mkdirs(dir);
    Path log = dir.resolve("redis.log");
    List<String> command = new ArrayList<>(List.of(binaries.redisServer().toString(),
        "--bind", "127.0.0.1", "--port", "0", "--tls-port", String.valueOf(port),
        "--tls-cert-file", cert.toString(), "--tls-key-file", key.toString(), "--tls-ca-cert-file", ca.toString(),
        "--tls-auth-clients", "no", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
        "--daemonize", "no", "--logfile", ""));
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()))
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start redis-server", e);
    }
    long deadline = System.nanoTime() + STEP.toNanos();
    while (!readLog(log).contains("Ready to accept connections")) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new TopologyException("redis-server with TLS did not start" + OsCommand.tail(log));
      }
      OsCommand.sleep(25);
    }
    return process;
  }

  /** A self-signed authority {@code <name>.pem} (its key {@code <name>.key}) in {@code dir}. */
  private static Path authority(Path dir, String name, String commonName, Path log) {
    Path cert = dir.resolve(name + ".pem");
    openssl(log, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve(name + ".key").toString(),
        "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + commonName,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    return cert;
  }

  private static void openssl(Path log, String... args) {
    List<String> command = new ArrayList<>(List.of("/usr/bin/openssl"));
    command.addAll(List.of(args));
    OsCommand.run(command, log, STEP);
  }

  private static Path write(Path file, String text) {
    try {
      return Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readLog(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
