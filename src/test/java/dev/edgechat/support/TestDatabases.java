package dev.edgechat.support;

import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.db.EmbeddedPostgresServer;
import dev.edgechat.db.Migrations;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real Postgres and Redis for tests, started once per test JVM in a temporary folder (or taken
 * from EDGECHAT_TEST_POSTGRES_URL / EDGECHAT_TEST_REDIS_URL when set), and migrated.
 */
public final class TestDatabases {

  private static URI postgres;
  private static URI redis;
  private static EmbeddedRedisServer redisServer;

  private TestDatabases() {
  }

  public static synchronized URI postgres() {
    if (postgres == null) {
      String external = System.getenv("EDGECHAT_TEST_POSTGRES_URL");
      if (external != null) {
        postgres = URI.create(external);
      } else {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(tempDir("postgres"), 0);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        postgres = server.url();
      }
      Migrations.migrate(postgres);
    }
    return postgres;
  }

  public static synchronized URI redis() {
    if (redis == null) {
      String external = System.getenv("EDGECHAT_TEST_REDIS_URL");
      if (external != null) {
        redis = URI.create(external);
      } else {
        redisServer = EmbeddedRedisServer.start(tempDir("redis"), 0, "allkeys-lru", "64mb");
        Runtime.getRuntime().addShutdownHook(new Thread(redisServer::close));
        redis = redisServer.url();
      }
    }
    return redis;
  }

  private static Path tempDir(String name) {
    try {
      return Files.createTempDirectory("edgechat-test-" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
