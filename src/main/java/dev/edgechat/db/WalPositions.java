package dev.edgechat.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import java.util.Map;
import java.util.Objects;

/**
 * The positions {@link ReplicaRouter} polls, read from Postgres: the primary's WAL insert position
 * (on the writer pool, also after each write) and each replica's replay position (on a
 * one-connection pool of its own, so that a replica's busy read pool does not hold up its poll).
 */
final class WalPositions implements ReplicaRouter.Positions {

  static final String PRIMARY_POSITION = "SELECT pg_current_wal_insert_lsn()::text";
  static final String REPLAY_POSITION = "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text";

  private final SqlClient primary;
  private final Map<String, SqlClient> pollers;

  /** @param pollers by replica name, the client its polls go through */
  WalPositions(SqlClient primary, Map<String, SqlClient> pollers) {
    this.primary = Objects.requireNonNull(primary);
    this.pollers = Map.copyOf(pollers);
  }

  @Override
  public Future<Lsn> primary() {
    return primary.query(PRIMARY_POSITION).execute().map(rows -> Lsn.parse(rows.iterator().next().getString(0)));
  }

  @Override
  public Future<Lsn> replayed(ReplicaRouter.Replica replica) {
    SqlClient poller = pollers.get(replica.name());
    if (poller == null) {
      return Future.failedFuture(new IllegalStateException("no poll connection for replica " + replica.name()));
    }
    return poller.query(REPLAY_POSITION).execute().compose(rows -> {
      Row row = rows.iterator().next();
      if (!Boolean.TRUE.equals(row.getBoolean(0))) {
        return Future.failedFuture(new IllegalStateException(
            "not a standby: pg_is_in_recovery() is false (promoted, or postgres.replicaUrls names a primary)"));
      }
      String replayed = row.getString(1);
      return replayed == null
          ? Future.failedFuture(new IllegalStateException("no WAL replayed yet"))
          : Future.succeededFuture(Lsn.parse(replayed));
    });
  }
}
