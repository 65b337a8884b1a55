package dev.edgechat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.config.ConnectionTls.Mode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parameters of Postgres and Redis URLs: libpq's sslmode and sslrootcert, and every other
 * parameter refused by name, at start. (Against real TLS servers: {@code db.PostgresTlsTest},
 * {@code redis.RedisTlsTest}.)
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ConnectionTlsTest {

  @TempDir
  Path dir;

  /** Verifies the Postgres modes as libpq has them: disable by default, require verifying only with a root file. */
  @Test
  void ofPostgres_modes_asLibpq() {
    ConnectionTls none = ConnectionTls.ofPostgres(URI.create("postgres://u:p@db:5432/x"));
    ConnectionTls require = ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=require"));
    ConnectionTls requireWithRoot = ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=require&sslrootcert=ca.pem"));
    ConnectionTls ca = ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=verify-ca&sslrootcert=%2Fetc%2Fca.pem"));
    ConnectionTls full = ConnectionTls.ofPostgres(URI.create("postgresql://db/x?sslmode=verify-full"));
    ConnectionTls system = ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslrootcert=system"));
    assertThat(none).isEqualTo(ConnectionTls.PLAIN);
    assertThat(none.requiresTls()).isFalse();
    assertThat(require.requiresTls()).isTrue();
    assertThat(require.verifiesChain()).isFalse();
    assertThat(requireWithRoot.verifiesChain()).isTrue();
    assertThat(requireWithRoot.verifiesHost()).isFalse();
    assertThat(ca.rootCert()).contains(Path.of("/etc/ca.pem"));
    assertThat(ca.verifiesChain()).isTrue();
    assertThat(ca.verifiesHost()).isFalse();
    assertThat(full.verifiesHost()).isTrue();
    assertThat(full.rootCert()).isEmpty();
    assertThat(system).isEqualTo(new ConnectionTls(Mode.VERIFY_FULL, Optional.empty()));
  }

  /**
   * Verifies that a parameter edgechat does not honour is refused by name (with the ones it does),
   * and so are a bad or repeated sslmode, and sslrootcert=system with a mode that does not check the host.
   */
  @Test
  void ofPostgres_badParameters_failNamingThem() {
    assertThatThrownBy(() -> ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=require&channel_binding=require")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter channel_binding").hasMessageContaining("sslmode, sslrootcert");
    assertThatThrownBy(() -> ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=on")))
        .hasMessageContaining("sslmode").hasMessageContaining("'on'").hasMessageContaining("verify-full");
    assertThatThrownBy(() -> ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=require&sslmode=disable")))
        .hasMessageContaining("sslmode is given twice");
    assertThatThrownBy(() -> ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode=require&sslrootcert=system")))
        .hasMessageContaining("sslrootcert=system needs sslmode=verify-full");
    assertThatThrownBy(() -> ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslrootcert=ca.pem")))
        .hasMessageContaining("sslrootcert is used only with sslmode require, verify-ca or verify-full");
    assertThatThrownBy(() -> ConnectionTls.ofPostgres(URI.create("postgres://db/x?sslmode")))
        .hasMessageContaining("sslmode has no value");
  }

  /**
   * Verifies Redis: no TLS for redis://, verify-full by default for rediss://, sslmode and sslrootcert
   * only with rediss://, the Vert.x client's own parameters kept, and the TLS ones taken out of what it is given.
   */
  @Test
  void ofRedis_schemesAndParameters() {
    assertThat(ConnectionTls.ofRedis(URI.create("redis://:pw@cache:6379/1?db=1"))).isEqualTo(ConnectionTls.PLAIN);
    ConnectionTls rediss = ConnectionTls.ofRedis(URI.create("rediss://cache:6380"));
    assertThat(rediss.mode()).isEqualTo(Mode.VERIFY_FULL);
    assertThat(rediss.rootCert()).isEmpty();
    ConnectionTls require = ConnectionTls.ofRedis(URI.create("rediss://cache:6380?sslmode=require"));
    assertThat(require.requiresTls()).isTrue();
    assertThat(require.verifiesChain()).isFalse();
    assertThatThrownBy(() -> ConnectionTls.ofRedis(URI.create("redis://cache:6379?sslrootcert=ca.pem")))
        .hasMessageContaining("sslrootcert").hasMessageContaining("rediss://");
    assertThatThrownBy(() -> ConnectionTls.ofRedis(URI.create("rediss://cache:6380?sslmode=prefer")))
        .hasMessageContaining("expected one of require, verify-ca, verify-full");
    assertThatThrownBy(() -> ConnectionTls.ofRedis(URI.create("rediss://cache:6380?timeout=5")))
        .hasMessageContaining("parameter timeout").hasMessageContaining("db, password, sslmode, sslrootcert, user");
    assertThat(ConnectionTls.withoutTlsParameters(
        URI.create("rediss://u:p@cache:6380/2?sslmode=verify-ca&db=2&sslrootcert=%2Fca.pem")))
        .isEqualTo("rediss://u:p@cache:6380/2?db=2");
    assertThat(ConnectionTls.withoutTlsParameters(URI.create("rediss://cache:6380?sslmode=require")))
        .isEqualTo("rediss://cache:6380");
  }

  /**
   * Verifies the settings refuse, at start and naming the setting, an unknown parameter in each
   * Postgres and Redis URL setting (replicas and region entries too) and a root file that is not there;
   * and accept a root file that is.
   */
  @Test
  void load_urlParameters_checkedAtStartNamingTheSetting(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    List<Future<LiveConfig>> loads = List.of(
        load(vertx, Map.of("EDGECHAT_POSTGRES_URL", "postgres://u:s3cret@db/x?sslmode=require&connect_timeout=5")),
        load(vertx, Map.of("EDGECHAT_POSTGRES_REPLICA_URLS", "postgres://r/x?target_session_attrs=any")),
        load(vertx, Map.of("EDGECHAT_REDIS_URL", "fra=rediss://cache:6380?verify=no", "FLY_REGION", "fra")),
        load(vertx, Map.of("EDGECHAT_QUEUE_REDIS_URL", "redis://queue:6379?sslmode=require")),
        load(vertx, Map.of("EDGECHAT_POSTGRES_URL", "postgres://db/x?sslmode=verify-ca&sslrootcert=" + dir.resolve("no.pem"))),
        load(vertx, Map.of("EDGECHAT_POSTGRES_URL", "postgres://db/x?sslmode=verify-full&sslrootcert=" + ca,
            "EDGECHAT_REDIS_URL", "rediss://cache:6380?sslrootcert=" + ca)));
    Future.join(loads).onComplete(v -> ctx.verify(() -> {
      assertThat(loads.get(0).cause()).isInstanceOf(ConfigException.class).hasMessageContaining("postgres.url")
          .hasMessageContaining("EDGECHAT_POSTGRES_URL").hasMessageContaining("parameter connect_timeout")
          .hasMessageNotContaining("s3cret");
      assertThat(loads.get(1).cause()).hasMessageContaining("postgres.replicaUrls")
          .hasMessageContaining("parameter target_session_attrs");
      assertThat(loads.get(2).cause()).hasMessageContaining("redis.url").hasMessageContaining("entry for region fra")
          .hasMessageContaining("parameter verify");
      assertThat(loads.get(3).cause()).hasMessageContaining("queue.redisUrl").hasMessageContaining("rediss://");
      assertThat(loads.get(4).cause()).hasMessageContaining("postgres.url").hasMessageContaining("no.pem")
          .hasMessageContaining("not a readable file");
      EdgechatConfig ok = loads.get(5).result().get();
      assertThat(ok.postgres().url()).isPresent();
      assertThat(ok.redis().url()).isPresent();
      ctx.completeNow();
    }));
  }

  private Future<LiveConfig> load(Vertx vertx, Map<String, String> env) {
    return new ConfigLoader(vertx, dir.resolve("none"), env).load();
  }
}
