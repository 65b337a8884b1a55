package dev.edgechat.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.net.URI;

/** Postgres {@code LISTEN}/{@code NOTIFY} on the primary (a standby delivers no notices). */
public final class Notifications {

  private Notifications() {
  }

  /**
   * A subscriber to notices on the primary at {@code primary}, on a connection of its own (a
   * listening connection holds no pool's connection); not connected until its {@code connect()}.
   */
  public static PgSubscriber subscriber(Vertx vertx, URI primary) {
    return PgSubscriber.subscriber(vertx, PostgresUrl.parse(primary).connectOptions());
  }
}
