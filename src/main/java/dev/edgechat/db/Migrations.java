package dev.edgechat.db;

import java.net.URI;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Flyway migrations from {@code db/migration}, run by origin at start. Blocks: call on a worker thread. */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {
  }

  public static void migrate(URI postgresUrl) {
    PostgresUrl url = PostgresUrl.parse(postgresUrl);
    Flyway flyway = Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations("classpath:db/migration")
        .load();
    MigrateResult result = flyway.migrate();
    LOG.info("database migrated [applied: {}, schema version: {}]", result.migrationsExecuted,
        flyway.info().current() == null ? "none" : flyway.info().current().getVersion());
  }
}
