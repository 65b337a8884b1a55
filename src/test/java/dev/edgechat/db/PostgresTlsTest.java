package dev.edgechat.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.topology.TlsServers;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * sslmode and sslrootcert against a real Postgres 15 with TLS (a certificate for {@code localhost}
 * from a certificate authority made for the test), through both clients: the reactive pools
 * ({@link Database}) and JDBC (what Flyway's migrations use).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class PostgresTlsTest {

  /** Whether this session is encrypted, as the server sees it. */
  private static final String SSL_IN_USE = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";

  @TempDir
  static Path dir;
  private static TlsServers servers;

  @BeforeAll
  static void startServers() {
    servers = TlsServers.startOrSkip(dir);
  }

  @AfterAll
  static void stopServers() {
    TlsServers.stop(servers);
  }

  /**
   * Verifies that verify-full with the test's authority connects to {@code localhost} (the name
   * the certificate holds) over TLS, and that verify-ca to {@code 127.0.0.1} (a name it does not
   * hold) does too, since verify-ca checks only the chain.
   */
  @Test
  void open_verifyFullAndVerifyCaWithTheAuthority_queryOverTls(Vertx vertx, VertxTestContext ctx) {
    Future<Boolean> full = sslInUse(vertx, servers.postgresUrl("localhost", "sslmode=verify-full&sslrootcert="
        + servers.ca()));
    Future<Boolean> ca = sslInUse(vertx, servers.postgresUrl("127.0.0.1", "sslmode=verify-ca&sslrootcert="
        + servers.ca()));
    Future.all(full, ca).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(full.result()).isTrue();
      assertThat(ca.result()).isTrue();
      ctx.completeNow();
    })));
  }

  /**
   * Verifies what must fail: verify-full to a host the certificate does not name, verify-ca with an
   * authority that did not sign it, and verify-full with the runtime's authorities (which never
   * signed a test certificate).
   */
  @Test
  void open_wrongHostOrWrongAuthority_fails(Vertx vertx, VertxTestContext ctx) {
    Future<Boolean> wrongHost = sslInUse(vertx, servers.postgresUrl("127.0.0.1", "sslmode=verify-full&sslrootcert="
        + servers.ca()));
    Future<Boolean> wrongCa = sslInUse(vertx, servers.postgresUrl("localhost", "sslmode=verify-ca&sslrootcert="
        + servers.otherCa()));
    Future<Boolean> runtimeCas = sslInUse(vertx, servers.postgresUrl("localhost", "sslmode=verify-full"));
    Future.join(wrongHost, wrongCa, runtimeCas).onComplete(v -> ctx.verify(() -> {
      // the reactive client reports a refused certificate as a failed handshake, without the reason
      assertThat(wrongHost.failed()).as("verify-full to a name the certificate lacks").isTrue();
      assertThat(wrongHost.cause()).hasMessageContaining("SSL handshake failed");
      assertThat(wrongCa.failed()).as("verify-ca with an authority that did not sign").isTrue();
      assertThat(wrongCa.cause()).hasMessageContaining("SSL handshake failed");
      assertThat(runtimeCas.failed()).as("verify-full with the runtime's authorities").isTrue();
      assertThat(runtimeCas.cause()).hasMessageContaining("SSL handshake failed");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies require as libpq has it: it encrypts without checking (any authority, any name), but
   * with a root file it checks the chain; and that disable speaks plain text to a TLS server.
   */
  @Test
  void open_requireAndDisable_asLibpq(Vertx vertx, VertxTestContext ctx) {
    Future<Boolean> unverified = sslInUse(vertx, servers.postgresUrl("127.0.0.1", "sslmode=require"));
    Future<Boolean> wrongRoot = sslInUse(vertx, servers.postgresUrl("localhost", "sslmode=require&sslrootcert="
        + servers.otherCa()));
    Future<Boolean> plain = sslInUse(vertx, servers.postgresUrl("localhost", "sslmode=disable"));
    Future<Boolean> byDefault = sslInUse(vertx, servers.postgresUrl("localhost", ""));
    Future.join(unverified, wrongRoot, plain, byDefault).onComplete(v -> ctx.verify(() -> {
      assertThat(unverified.result()).isTrue();
      assertThat(wrongRoot.failed()).as("require with a root file checks the chain").isTrue();
      assertThat(plain.result()).isFalse();
      assertThat(byDefault.result()).isFalse();
      ctx.completeNow();
    }));
  }

  /** Verifies that require against a Postgres without TLS fails, saying the server has no TLS. */
  @Test
  void open_requireAgainstPlainServer_failsSayingSo(Vertx vertx, VertxTestContext ctx) {
    URI plainServer = URI.create(TestDatabases.postgres() + "?sslmode=require");
    sslInUse(vertx, plainServer).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).hasMessageContaining("does not handle SSL");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies JDBC (Flyway's migrations) honours the same parameters: verify-full with the authority
   * migrates over TLS; require (with no root file) encrypts; a wrong authority under verify-ca,
   * verify-full to a name the certificate lacks, and require against a plain server fail; and
   * migrating against a plain server with require stops with a message naming the server and the mode.
   */
  @Test
  void jdbc_sameParameters_sameOutcome() throws SQLException {
    URI full = servers.postgresUrl("localhost", "sslmode=verify-full&sslrootcert=" + servers.ca());
    Migrations.migrate(full);
    assertThat(jdbcSslInUse(full)).isTrue();
    assertThat(jdbcSslInUse(servers.postgresUrl("127.0.0.1", "sslmode=require"))).isTrue();
    assertThat(jdbcSslInUse(servers.postgresUrl("localhost", "sslmode=require&sslrootcert=" + servers.ca())))
        .isTrue();
    assertThat(jdbcSslInUse(servers.postgresUrl("localhost", "sslmode=disable"))).isFalse();
    assertThatThrownBy(() -> jdbcSslInUse(servers.postgresUrl("localhost", "sslmode=verify-ca&sslrootcert="
        + servers.otherCa()))).isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> jdbcSslInUse(servers.postgresUrl("localhost", "sslmode=require&sslrootcert="
        + servers.otherCa()))).as("require with a root file checks the chain, as in the reactive client")
        .isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> jdbcSslInUse(servers.postgresUrl("127.0.0.1", "sslmode=verify-full&sslrootcert="
        + servers.ca()))).isInstanceOf(SQLException.class).hasMessageContaining("127.0.0.1");
    URI plainServer = URI.create(TestDatabases.postgres() + "?sslmode=require");
    assertThatThrownBy(() -> jdbcSslInUse(plainServer)).isInstanceOf(SQLException.class)
        .hasMessageContaining("does not support SSL");
    assertThatThrownBy(() -> Migrations.migrate(plainServer))
        .hasMessageContaining(plainServer.getHost() + ":" + plainServer.getPort())
        .hasMessageContaining("sslmode=require").hasMessageContaining("does not support SSL");
  }

  /**
   * Opens {@link Database} on {@code url} and asks whether the session is encrypted. Each URL gets a
   * Vert.x of its own: pools of one name are shared within a Vert.x, and each URL must get its own.
   */
  private static Future<Boolean> sslInUse(Vertx testVertx, URI url) {
    Vertx own = Vertx.vertx();
    Promise<Boolean> answer = Promise.promise();
    settings(own).compose(settings -> {
      Database database = Database.open(own, url, settings);
      return database.writer().query(SSL_IN_USE).execute()
          .map(rows -> rows.iterator().next().getBoolean(0));
    }).onComplete(result -> testVertx.runOnContext(v -> own.close().onComplete(closed -> answer.handle(result))));
    return answer.future();
  }

  private static Future<EdgechatConfig.Postgres> settings(Vertx vertx) {
    return new ConfigLoader(vertx, dir.resolve("no-config"), Map.of("EDGECHAT_POSTGRES_WRITER_POOL_SIZE", "1"))
        .load().map(live -> live.get().postgres());
  }

  private static boolean jdbcSslInUse(URI url) throws SQLException {
    PostgresUrl parsed = PostgresUrl.parse(url);
    try (Connection connection = DriverManager.getConnection(parsed.jdbcUrl(), parsed.user(), parsed.password());
        ResultSet rs = connection.createStatement().executeQuery(SSL_IN_USE)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }
}
