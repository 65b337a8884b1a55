package dev.edgechat.topology;

import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Postgres 15 primary and one hot-standby replica streaming from it through a physical
 * replication slot, on loopback, in a folder of their own: {@code initdb}, then {@code pg_basebackup
 * -R -C -S} (which writes the replica's {@code primary_conninfo}, {@code primary_slot_name} and
 * {@code standby.signal}). Loopback connections are trusted; the roles use database {@code edgechat}.
 * For fault tests the replica's replay can be paused and the replica stopped, killed and started again.
 * Blocking throughout: a launcher's code, never an event loop's.
 */
public final class PostgresCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresCluster.class);
  static final String DATABASE = "edgechat";
  static final String SLOT = "edgechat_replica";
  private static final Duration BOOT = Duration.ofMinutes(2);

  private final PostgresNode primary;
  private final PostgresNode replica;

  private PostgresCluster(PostgresNode primary, PostgresNode replica) {
    this.primary = primary;
    this.replica = replica;
  }

  /** What the primary knows of a standby (a row of {@code pg_stat_replication}). */
  public record Standby(String name, String state, String replayLsn, long replayLagBytes) {
  }

  /**
   * Creates and starts the primary and the replica in {@code dir} and waits until the replica streams.
   *
   * @throws TopologyException naming the step that failed, with its log's last lines
   */
  static PostgresCluster start(Path dir, ServiceBinaries binaries) {
    long begin = System.nanoTime();
    binaries.giveToPostgres(dir);
    Path commands = dir.resolve("commands.log");
    PostgresNode primary = new PostgresNode("primary", dir.resolve("primary"), LoopbackPorts.free(),
        dir.resolve("primary.log"), commands, binaries);
    PostgresNode replica = new PostgresNode("replica", dir.resolve("replica"), LoopbackPorts.free(),
        dir.resolve("replica.log"), commands, binaries);
    PostgresCluster cluster = new PostgresCluster(primary, replica);
    try {
      OsCommand.run(binaries.postgres("initdb", "-D", primary.dataDir().toString(), "-U", "postgres", "--auth=trust",
          "-E", "UTF8", "--locale=C", "--no-sync"), commands, BOOT);
      primary.configure(List.of(
          "listen_addresses = '127.0.0.1'",
          "port = " + primary.port(),
          "unix_socket_directories = ''",
          "cluster_name = 'primary'",
          "wal_level = replica",
          "max_wal_senders = 10",
          "max_replication_slots = 10",
          "hot_standby = on",
          "hot_standby_feedback = on",
          "max_connections = 200",
          "shared_buffers = '64MB'",
          // a throwaway cluster on one machine: no flush to disk on commit
          "fsync = off"));
      primary.start();
      cluster.execute(primary, "postgres", "CREATE DATABASE " + DATABASE);
      OsCommand.run(binaries.postgres("pg_basebackup", "-h", "127.0.0.1", "-p", String.valueOf(primary.port()),
          "-U", "postgres", "-D", replica.dataDir().toString(), "-R", "-X", "stream", "-C", "-S", SLOT,
          "-c", "fast", "--no-sync"), commands, BOOT);
      replica.configure(List.of("port = " + replica.port(), "cluster_name = 'replica'"));
      replica.start();
      cluster.awaitStreaming(Duration.ofSeconds(60));
      LOG.info("Postgres primary and streaming replica ready in {} ms [primary: {}, replica: {}, data: {}]",
          Duration.ofNanos(System.nanoTime() - begin).toMillis(), primary.port(), replica.port(), dir);
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The primary, as {@code EDGECHAT_POSTGRES_URL} reads it. */
  public URI primaryUrl() {
    return primary.url(DATABASE);
  }

  /** The replica, as {@code EDGECHAT_POSTGRES_REPLICA_URLS} reads it. */
  public URI replicaUrl() {
    return replica.url(DATABASE);
  }

  public Path primaryLog() {
    return primary.serverLog();
  }

  public Path replicaLog() {
    return replica.serverLog();
  }

  /** The standbys the primary streams to, from {@code pg_stat_replication}. */
  public List<Standby> standbys() {
    return query(primary, "SELECT application_name, state, replay_lsn::text,"
        + " coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint FROM pg_stat_replication", rs -> {
          List<Standby> rows = new ArrayList<>();
          while (rs.next()) {
            rows.add(new Standby(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)));
          }
          return rows;
        });
  }

  /** Whether the replica is in recovery (a standby): {@code pg_is_in_recovery()}. */
  public boolean replicaInRecovery() {
    return query(replica, "SELECT pg_is_in_recovery()", rs -> rs.next() && rs.getBoolean(1));
  }

  /**
   * Stops replaying WAL on the replica: it still receives, but its data stays as it is. Postgres reports
   * {@code pause requested} until the next WAL record arrives, then {@code paused}; either way nothing
   * written after this call is replayed until {@link #resumeReplay()}.
   */
  public void pauseReplay() {
    execute(replica, DATABASE, "SELECT pg_wal_replay_pause()");
  }

  /** Replays again what arrived while paused, and goes on. */
  public void resumeReplay() {
    execute(replica, DATABASE, "SELECT pg_wal_replay_resume()");
  }

  /** {@code not paused}, {@code pause requested} or {@code paused}: {@code pg_get_wal_replay_pause_state()}. */
  public String replayPauseState() {
    return query(replica, "SELECT pg_get_wal_replay_pause_state()", rs -> rs.next() ? rs.getString(1) : "");
  }

  /** Stops the replica cleanly (fast shutdown). */
  public void stopReplica() {
    replica.stop();
  }

  /** Kills the replica's server (SIGKILL), as a crash would. */
  public void killReplica() {
    replica.kill();
  }

  /** Starts the replica again after a stop or a kill; it resumes streaming from its slot. */
  public void startReplica() {
    replica.start();
  }

  public boolean replicaRunning() {
    return replica.running();
  }

  /** Waits until the primary reports the replica {@code streaming}. */
  public void awaitStreaming(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (standbys().stream().noneMatch(s -> "replica".equals(s.name()) && "streaming".equals(s.state()))) {
      pause(deadline, "the replica is not streaming from the primary after " + timeout.toSeconds() + " s"
          + OsCommand.tail(replica.serverLog()));
    }
  }

  /** The primary's current WAL position ({@code pg_current_wal_lsn()}), e.g. {@code 0/3000148}. */
  public String primaryLsn() {
    return query(primary, "SELECT pg_current_wal_lsn()::text", rs -> {
      rs.next();
      return rs.getString(1);
    });
  }

  /** How far the replica has replayed ({@code pg_last_wal_replay_lsn()}). */
  public String replicaReplayLsn() {
    return query(replica, "SELECT pg_last_wal_replay_lsn()::text", rs -> {
      rs.next();
      return rs.getString(1);
    });
  }

  /** Waits until the replica has replayed everything the primary had written when this was called. */
  public void awaitReplicaCaughtUp(Duration timeout) {
    String target = primaryLsn();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!replayed(target)) {
      pause(deadline, "the replica has not replayed the primary's WAL up to " + target + " after "
          + timeout.toSeconds() + " s");
    }
  }

  private boolean replayed(String lsn) {
    try (Connection c = replica.connect(DATABASE);
        PreparedStatement s = c.prepareStatement("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
      s.setString(1, lsn);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      return false;
    }
  }

  private static void pause(long deadline, String failure) {
    if (System.nanoTime() > deadline) {
      throw new TopologyException(failure);
    }
    OsCommand.sleep(50);
  }

  /** Stops the replica, then the primary; a server that will not stop is logged, not thrown. */
  @Override
  public void close() {
    for (PostgresNode node : List.of(replica, primary)) {
      try {
        node.stop();
      } catch (RuntimeException e) {
        LOG.warn("Postgres {} did not stop cleanly; killing it [reason: {}]", node.name(), e.getMessage());
        node.kill();
      }
    }
  }

  private interface Rows<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> T query(PostgresNode node, String sql, Rows<T> rows) {
    try (Connection c = node.connect(DATABASE); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rows.read(rs);
    } catch (SQLException e) {
      throw new TopologyException("Postgres " + node.name() + ": " + sql + " failed: " + e.getMessage(), e);
    }
  }

  private void execute(PostgresNode node, String database, String sql) {
    try (Connection c = node.connect(database); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new TopologyException("Postgres " + node.name() + ": " + sql + " failed: " + e.getMessage(), e);
    }
  }
}
