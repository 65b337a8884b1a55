package dev.edgechat.roles;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.db.EmbeddedPostgresServer;
import dev.edgechat.redis.EmbeddedRedisServer;
import io.vertx.core.Future;
import java.net.URI;
import java.util.Objects;

/**
 * The Postgres and Redis servers of role all: the configured ones, else embedded ones started
 * under dataDir (stopped at teardown, after everything that uses them).
 */
public final class LocalStores {

  /**
   * Where the stores are.
   *
   * @param queueRedis the job queue's Redis: queue.redisUrl, else redis.url; when neither is set,
   *     an embedded Redis of the queue's own, with noeviction, since jobs must never be evicted
   */
  public record Urls(URI postgres, URI redis, URI queueRedis) {
  }

  private final RoleContext context;

  public LocalStores(RoleContext context) {
    this.context = Objects.requireNonNull(context);
  }

  /** Starts the embedded servers needed, at once; succeeds with where every store is. */
  public Future<Urls> start() {
    EdgechatConfig settings = context.config.get();
    Future<URI> postgres = settings.postgres().url().map(Future::succeededFuture).orElseGet(() ->
        context.blocking(() -> context.teardown.add(EmbeddedPostgresServer.start(
            settings.dataDir().resolve("postgres"), settings.postgres().embeddedPort())).url()));
    Future<URI> redis = settings.redis().url().map(Future::succeededFuture).orElseGet(() ->
        context.blocking(() -> context.teardown.add(EmbeddedRedisServer.start(settings.dataDir().resolve("redis"),
            settings.redis().embeddedPort(), "allkeys-lru", "256mb")).url()));
    // unless a queue Redis or any Redis is configured (then the operator chose), the queue gets its own
    Future<URI> queueRedis = settings.redis().queueUrl().or(() -> settings.redis().url())
        .map(Future::succeededFuture)
        .orElseGet(() -> context.blocking(() -> context.teardown.add(EmbeddedRedisServer.start(
            settings.dataDir().resolve("redis-queue"), 0, "noeviction", "256mb")).url()));
    return Future.all(postgres, redis, queueRedis)
        .map(v -> new Urls(postgres.result(), redis.result(), queueRedis.result()));
  }
}
