package dev.edgechat.roles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.support.Await;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import dev.edgechat.topology.TlsServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The roles on TLS stores, as an operator would configure them: a Postgres URL with {@code
 * sslmode=verify-full} and the authority's file, {@code rediss://} URLs for the cache and the queue
 * Redis; and the start refused when the URL asks TLS of a Postgres that has none.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class TlsRolesTest {

  private static final String ADMIN_TOKEN = "tls-admin";

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
   * Verifies role all (origin, the queue's jobs, the edge) on TLS Postgres (verify-full) and TLS
   * Redis for cache and queue: ready; a document added through the admin API is ingested by a job
   * (queue Redis over TLS, Postgres over TLS); a chat answers from it and its answer reaches the
   * cache Redis; and every session the roles hold on Postgres is encrypted.
   */
  @Test
  void startAll_tlsStores_servesAndStores(Vertx vertx, VertxTestContext ctx) {
    URI postgres = servers.postgresUrl("localhost", "sslmode=verify-full&sslrootcert=" + servers.ca());
    URI redis = servers.redisUrl("localhost", "sslrootcert=" + servers.ca());
    WebClient web = WebClient.create(vertx);
    RedisConnection cache = RedisConnection.open(vertx, "check", redis, 2000);
    new TestSystem(vertx)
        .env("EDGECHAT_POSTGRES_URL", postgres.toString())
        .env("EDGECHAT_REDIS_URL", redis.toString())
        .env("EDGECHAT_QUEUE_REDIS_URL", servers.redisUrl("localhost", "sslmode=verify-full&sslrootcert=" + servers.ca())
            .toString())
        .env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN)
        .start(Role.ALL)
        .compose(app -> {
          int port = app.edgePort();
          return get(web, port, "/readyz")
              .compose(ready -> {
                ctx.verify(() -> assertThat(ready.statusCode()).as(ready.bodyAsString()).isEqualTo(200));
                return admin(web, port, HttpMethod.PUT, "/admin/sites/tls-site",
                    new JsonObject().put("name", "TLS site").put("allowedOrigins", new JsonArray().add("*")));
              })
              .compose(site -> admin(web, port, HttpMethod.POST, "/admin/sites/tls-site/documents",
                  new JsonObject().put("documents", new JsonArray().add(new JsonObject().put("title", "Encryption")
                      .put("text", "Every connection to the database and to Redis is encrypted with TLS.")
                      .put("freshness", "static")))))
              .compose(added -> {
                String job = added.bodyAsJsonObject().getString("job");
                return Await.until(vertx, () -> get(web, port, "/admin/jobs/" + job)
                    .map(r -> "completed".equals(r.bodyAsJsonObject().getString("state"))), 60_000);
              })
              .compose(v -> web.post(port, "127.0.0.1", "/v1/chat").putHeader("Accept", "application/json")
                  .sendJsonObject(new JsonObject().put("site", "tls-site").put("message", "Is the database encrypted?")))
              .compose(chat -> {
                ctx.verify(() -> {
                  assertThat(chat.statusCode()).as(chat.bodyAsString()).isEqualTo(200);
                  assertThat(chat.bodyAsJsonObject().getString("answer")).contains("encrypted");
                });
                return Await.until(vertx, () -> cache.api().keys("edgechat:answer:tls-site:*")
                    .map(keys -> keys.size() > 0), 20_000);
              })
              .compose(v -> vertx.executeBlocking(() -> sessions(postgres)))
              .compose(sessions -> {
                ctx.verify(() -> {
                  assertThat(sessions.get(1)).as("plain-text sessions of the roles").isZero();
                  assertThat(sessions.get(0)).as("encrypted sessions of the roles").isPositive();
                });
                return app.close();
              });
        })
        .onComplete(ctx.succeeding(v -> {
          cache.close();
          ctx.completeNow();
        }));
  }

  /**
   * Verifies that role origin whose Postgres URL asks for TLS (sslmode=require) of a Postgres that
   * has none does not start, with a message naming the server, the mode and the reason.
   */
  @Test
  void startOrigin_requireAgainstPlainPostgres_failsClearly(Vertx vertx, VertxTestContext ctx) {
    URI plain = TestDatabases.postgres();
    new TestSystem(vertx)
        .env("EDGECHAT_POSTGRES_URL", plain + "?sslmode=require")
        .env("EDGECHAT_EDGE_TOKEN", "edge-token")
        .start(Role.ORIGIN)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).hasMessageContaining("Postgres at " + plain.getHost() + ":" + plain.getPort())
              .hasMessageContaining("sslmode=require").hasMessageContaining("does not support SSL");
          ctx.completeNow();
        })));
  }

  /** Client sessions on the test's database other than this one: [encrypted, plain]. Blocking. */
  private static List<Long> sessions(URI postgres) throws Exception {
    try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + postgres.getPort()
        + "/postgres?user=postgres&sslmode=disable");
        ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FILTER (WHERE s.ssl),"
            + " count(*) FILTER (WHERE NOT s.ssl) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
            + " WHERE a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()")) {
      rs.next();
      return List.of(rs.getLong(1), rs.getLong(2));
    }
  }

  private static Future<HttpResponse<Buffer>> get(WebClient web, int port, String path) {
    return web.get(port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN_TOKEN).send();
  }

  private static Future<HttpResponse<Buffer>> admin(WebClient web, int port, HttpMethod method, String path,
      JsonObject body) {
    return web.request(method, port, "127.0.0.1", path).bearerTokenAuthentication(ADMIN_TOKEN).sendJsonObject(body)
        .compose(r -> r.statusCode() / 100 == 2 ? Future.succeededFuture(r)
            : Future.failedFuture(method + " " + path + " answered " + r.statusCode() + ": " + r.bodyAsString()));
  }
}
