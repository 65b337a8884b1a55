package dev.edgechat.redis;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Site X's knowledge base is now version N", told over Redis pub/sub: origin publishes it when a
 * site's content changes or its cache is purged; every edge listens, and drops what it knew of the
 * site. Each cache key carries the version, so even an edge that missed the message stops using
 * old answers once its site entry expires ({@code edge.siteCacheMs}).
 */
public final class SiteInvalidations {

  private static final Logger LOG = LoggerFactory.getLogger(SiteInvalidations.class);
  static final String CHANNEL = "edgechat:site-invalidations";
  private static final long RESUBSCRIBE_DELAY_MS = 1000;

  /** A site and its new knowledge-base version. */
  public record Invalidation(String site, long version) {
  }

  private SiteInvalidations() {
  }

  /** Tells every edge; fails when Redis does (the caller decides whether that matters). */
  public static Future<Void> publish(RedisAPI redis, Invalidation invalidation) {
    JsonObject message = new JsonObject().put("site", invalidation.site()).put("version", invalidation.version());
    return redis.publish(CHANNEL, message.encode()).mapEmpty();
  }

  /**
   * Listens on a connection of its own (a subscribed connection can do nothing else), and
   * subscribes again whenever the connection is lost, until the returned handle is closed.
   */
  public static AutoCloseable listen(Vertx vertx, URI redisUrl, Handler<Invalidation> handler) {
    Redis client = Redis.createClient(vertx, RedisUrl.options(redisUrl));
    AtomicBoolean closed = new AtomicBoolean();
    subscribe(vertx, client, handler, closed);
    return () -> {
      closed.set(true);
      client.close();
    };
  }

  private static void subscribe(Vertx vertx, Redis client, Handler<Invalidation> handler, AtomicBoolean closed) {
    if (closed.get()) {
      return;
    }
    client.connect()
        .compose(connection -> {
          connection.handler(message -> onMessage(message, handler));
          Runnable again = () -> vertx.setTimer(RESUBSCRIBE_DELAY_MS, id -> subscribe(vertx, client, handler, closed));
          connection.exceptionHandler(e -> connection.close());
          connection.endHandler(v -> again.run());
          return connection.send(Request.cmd(Command.SUBSCRIBE).arg(CHANNEL));
        })
        .onSuccess(ok -> LOG.debug("listening for site invalidations [channel: {}]", CHANNEL))
        .onFailure(e -> {
          LOG.debug("cannot listen for site invalidations yet, retrying [reason: {}]", e.toString());
          if (!closed.get()) {
            vertx.setTimer(RESUBSCRIBE_DELAY_MS, id -> subscribe(vertx, client, handler, closed));
          }
        });
  }

  /** A pub/sub push is {@code ["message", channel, payload]}; anything else is ignored. */
  private static void onMessage(Response message, Handler<Invalidation> handler) {
    if (message.type() != ResponseType.PUSH && message.type() != ResponseType.MULTI || message.size() < 3
        || !"message".equals(message.get(0).toString())) {
      return;
    }
    try {
      JsonObject json = new JsonObject(message.get(2).toString());
      handler.handle(new Invalidation(json.getString("site"), json.getLong("version")));
    } catch (DecodeException | ClassCastException | NullPointerException e) {
      LOG.warn("malformed site invalidation ignored [message: {}]", message);
    }
  }
}
