package dev.edgechat.db;

import java.net.URI;
import java.sql.SQLException;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Flyway migrations from {@code db/migration}, run by origin at start. Blocks: call on a worker thread. */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  /**
   * Brings the schema up to date over JDBC, with the URL's TLS parameters ({@link PostgresUrl#jdbcUrl()}).
   *
   * @throws IllegalStateException when Postgres cannot be reached (refused, no TLS where the URL
   *     asks for it, a certificate that fails the check), naming the server, the sslmode and the reason
   * @throws FlywayException when a migration fails
   */
  public static void migrate(URI postgresUrl) {
    PostgresUrl url = PostgresUrl.parse(postgresUrl);
    Flyway flyway = Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations("classpath:db/migration")
        .load();
    MigrateResult result;
    try {
      result = flyway.migrate();
    } catch (FlywayException e) {
      throw connectionFailure(url, e).orElseThrow(() -> e);
    }
    LOG.info("database migrated [applied: {}, schema version: {}]", result.migrationsExecuted,
        flyway.info().current() == null ? "none" : flyway.info().current().getVersion());
  }

  /** A failure to connect (SQLSTATE class 08), said in one line instead of Flyway's wrapping. */
  private static Optional<IllegalStateException> connectionFailure(PostgresUrl url, FlywayException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
        return Optional.of(new IllegalStateException("Postgres at " + url.host() + ":" + url.port() + "/"
            + url.database() + " (sslmode=" + url.tls().mode().word() + ") cannot be reached for migrations: "
            + sql.getMessage(), e));
      }
    }
    return Optional.empty();
  }
}
