package dev.edgechat.redis;

import dev.edgechat.ops.Readiness;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A pooled client of one Redis (cache or queue) and its {@code /readyz} check. */
public final class RedisConnection implements AutoCloseable {

  private static final long CLOSE_WAIT_MS = 5000;

  private final Redis client;
  private final RedisAPI api;
  private final String name;

  private RedisConnection(String name, Redis client) {
    this.name = name;
    this.client = client;
    this.api = RedisAPI.api(client);
  }

  /**
   * A lazy client: it connects on first use and reconnects by itself after Redis comes back. A
   * {@code rediss://} URL connects with TLS ({@link RedisUrl}).
   */
  public static RedisConnection open(Vertx vertx, String name, URI url, long connectTimeoutMs) {
    RedisOptions options = RedisUrl.options(url)
        .setMaxPoolSize(16)
        .setMaxPoolWaiting(1024);
    options.getNetClientOptions().setConnectTimeout((int) connectTimeoutMs);
    return new RedisConnection(name, Redis.createClient(vertx, options));
  }

  public RedisAPI api() {
    return api;
  }

  public Readiness readiness() {
    return new Readiness() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Future<Void> check() {
        return api.ping(List.of()).mapEmpty();
      }
    };
  }

  /**
   * Closes the pool; off the event loop it waits (5 s at most) until the connections are closed,
   * so that a Redis stopped right after (role all's embedded one) finds no client still talking.
   */
  @Override
  public void close() {
    Future<Void> closed = client.close();
    if (Context.isOnEventLoopThread()) {
      return;
    }
    try {
      closed.toCompletionStage().toCompletableFuture().get(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // closing anyway: nothing to do about a pool that did not close in time
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
