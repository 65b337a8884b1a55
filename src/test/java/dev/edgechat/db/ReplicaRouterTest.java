package dev.edgechat.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.ops.Readiness;
import dev.edgechat.support.ManualTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import java.net.ConnectException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The router's choices, by injected time: positions are set by the test (a primary and replicas
 * whose replay the test moves), time moves only when the test advances it, and a query only says
 * which client it was given. Real Postgres (replay paused, a replica killed) is
 * {@code ReadReplicaTopologyTest}'s.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ReplicaRouterTest {

  private static final long MAX_LAG_MS = 1000;
  private static final long WAIT_MS = 200;
  private static final long POLL_MS = 50;

  private final ManualTime time = new ManualTime();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Positions positions = new Positions();
  private Pool primary;
  private Pool east;
  private Pool west;
  private ReplicaRouter router;

  /** Positions as the test sets them: a WAL position, a failure, or no answer yet. */
  private static final class Positions implements ReplicaRouter.Positions {
    Lsn primary = lsn(100);
    final Map<String, Lsn> replayed = new HashMap<>();
    final Map<String, Throwable> failing = new HashMap<>();
    final Map<String, Promise<Lsn>> hanging = new HashMap<>();
    boolean hang;

    @Override
    public Future<Lsn> primary() {
      return Future.succeededFuture(primary);
    }

    @Override
    public Future<Lsn> replayed(ReplicaRouter.Replica replica) {
      if (hang) {
        Promise<Lsn> never = Promise.promise();
        hanging.put(replica.name(), never);
        return never.future();
      }
      Throwable failure = failing.get(replica.name());
      return failure != null ? Future.failedFuture(failure) : Future.succeededFuture(replayed.get(replica.name()));
    }
  }

  @BeforeEach
  void pools(Vertx vertx) {
    // never connected: a query here only says which client it was given
    primary = PgBuilder.pool().connectingTo("postgres://nobody@127.0.0.1:1/primary").using(vertx).build();
    east = PgBuilder.pool().connectingTo("postgres://nobody@127.0.0.1:1/east").using(vertx).build();
    west = PgBuilder.pool().connectingTo("postgres://nobody@127.0.0.1:1/west").using(vertx).build();
  }

  @AfterEach
  void close() {
    if (router != null) {
      router.close();
    }
    primary.close();
    east.close();
    west.close();
  }

  private static Lsn lsn(long value) {
    return new Lsn(value);
  }

  private ReplicaRouter start(Pool... replicas) {
    List<ReplicaRouter.Replica> list = new java.util.ArrayList<>();
    for (Pool pool : replicas) {
      String name = pool == east ? "east" : "west";
      list.add(new ReplicaRouter.Replica(name, pool));
      positions.replayed.put(name, positions.primary);
    }
    router = new ReplicaRouter(primary, list, positions,
        new ReplicaRouter.Settings(MAX_LAG_MS, WAIT_MS, POLL_MS), time, registry);
    router.start();
    return router;
  }

  private void advance(long ms) {
    time.advanceMs(ms).await();
  }

  /** A read that answers with the client it ran on. */
  private static Function<SqlClient, Future<SqlClient>> where() {
    return Future::succeededFuture;
  }

  private SqlClient ranOn(Future<SqlClient> read) {
    assertThat(read.isComplete()).as("the read is done").isTrue();
    assertThat(read.succeeded()).as("read failed: %s", read.cause()).isTrue();
    return read.result();
  }

  private double reads(String target, String reason) {
    var counter = registry.find("edgechat.db.reads").tag("target", target).tag("reason", reason).counter();
    return counter == null ? 0 : counter.count();
  }

  private ReplicaRouter.ReplicaState state(String name) {
    return router.replicas().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  /** Verifies that a read that may be slightly old goes to a replica that is caught up, and is counted there. */
  @Test
  void read_recent_goesToReplicaInRotation() {
    start(east);

    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(east);
    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.UP);
    assertThat(state("east").lagMs()).hasValue(0);
    assertThat(reads("east", "served")).isEqualTo(1);
    assertThat(reads("primary", "no_replica")).isZero();
  }

  /** Verifies that reads asked of the primary go there even with a replica in rotation. */
  @Test
  void read_primary_goesToPrimary() {
    start(east);

    assertThat(ranOn(router.read(Freshness.primary(), where()))).isSameAs(primary);
    assertThat(reads("primary", "asked")).isEqualTo(1);
  }

  /** Verifies that replicas in rotation take reads in turn. */
  @Test
  void read_twoReplicas_inTurn() {
    start(east, west);

    assertThat(List.of(ranOn(router.read(Freshness.recent(), where())), ranOn(router.read(Freshness.recent(), where())),
        ranOn(router.read(Freshness.recent(), where())))).containsExactly(east, west, east);
  }

  /** Verifies that a read that must see a position goes to a replica that has replayed it, not to one behind. */
  @Test
  void read_after_goesToAReplicaThatReplayedIt() {
    start(east, west);
    positions.primary = lsn(200);
    positions.replayed.put("east", lsn(150));
    positions.replayed.put("west", lsn(200));
    advance(POLL_MS);

    assertThat(ranOn(router.read(Freshness.after(lsn(180)), where()))).isSameAs(west);
    assertThat(ranOn(router.read(Freshness.after(lsn(180)), where()))).isSameAs(west);
    assertThat(ranOn(router.read(Freshness.after(lsn(150)), where()))).isIn(east, west);
  }

  /** Verifies that a read waits for the poll that shows a replica has replayed its position, and goes there. */
  @Test
  void read_afterAPositionNotYetReplayed_waitsForTheReplica() {
    start(east);
    positions.primary = lsn(300);
    Future<SqlClient> read = router.read(Freshness.after(lsn(300)), where());
    assertThat(read.isComplete()).as("waits for the replica").isFalse();

    positions.replayed.put("east", lsn(300));
    advance(POLL_MS);

    assertThat(ranOn(read)).isSameAs(east);
    assertThat(reads("primary", "waited")).isZero();
    assertThat(time.pending()).as("only the poller left, the wait's timer cancelled").isEqualTo(1);
  }

  /** Verifies that a read whose position no replica replays within replicaWaitMs reads the primary then, not before. */
  @Test
  void read_afterAPositionNeverReplayed_readsPrimaryAfterTheWait() {
    start(east);
    positions.primary = lsn(300);
    Future<SqlClient> read = router.read(Freshness.after(lsn(300)), where());

    advance(WAIT_MS - 1);
    assertThat(read.isComplete()).as("still waiting at %d ms", WAIT_MS - 1).isFalse();
    advance(1);

    assertThat(ranOn(read)).isSameAs(primary);
    assertThat(reads("primary", "waited")).isEqualTo(1);
  }

  /** Verifies that with replicaWaitMs 0 a read whose position is not replayed goes to the primary at once. */
  @Test
  void read_afterWithoutWait_readsPrimaryAtOnce() {
    List<ReplicaRouter.Replica> list = List.of(new ReplicaRouter.Replica("east", east));
    positions.replayed.put("east", positions.primary);
    router = new ReplicaRouter(primary, list, positions, new ReplicaRouter.Settings(MAX_LAG_MS, 0, POLL_MS), time,
        registry);
    router.start();

    assertThat(ranOn(router.read(Freshness.after(lsn(101)), where()))).isSameAs(primary);
  }

  /**
   * Verifies that a replica whose replay stopped while the primary moved on stays in rotation while
   * its lag is within maxReplicaLagMs, is out of rotation past it (reads go to the primary), and is
   * back once it has caught up.
   */
  @Test
  void poll_replayPausedWhileThePrimaryWrites_outOfRotationPastTheLagBound() {
    start(east);
    advance(POLL_MS); // the primary last seen at 100, which the replica has replayed
    positions.primary = lsn(120); // a write; the replica's replay is paused at 100

    advance(MAX_LAG_MS - POLL_MS);
    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.UP);
    assertThat(state("east").lagMs()).hasValue(MAX_LAG_MS - POLL_MS);
    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(east);

    advance(2 * POLL_MS);
    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.LAGGING);
    assertThat(state("east").reason()).contains("postgres.maxReplicaLagMs");
    assertThat(registry.find("edgechat.db.replica.lag.ms").tag("replica", "east").gauge().value())
        .isGreaterThan(MAX_LAG_MS);
    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(primary);
    assertThat(reads("primary", "no_replica")).isEqualTo(1);

    positions.replayed.put("east", lsn(120));
    advance(POLL_MS);
    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.UP);
    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(east);
  }

  /**
   * Verifies that a replica that has replayed everything stays at lag 0 however long the primary is
   * idle (a lag taken from pg_last_xact_replay_timestamp() would grow).
   */
  @Test
  void poll_idlePrimary_caughtUpReplicaKeepsLagZero() {
    start(east);

    advance(10 * MAX_LAG_MS);

    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.UP);
    assertThat(state("east").lagMs()).hasValue(0);
  }

  /** Verifies that a replica behind every position the router kept is out of rotation. */
  @Test
  void poll_replicaBehindEverythingKept_lagging() {
    positions.replayed.put("east", lsn(50));
    List<ReplicaRouter.Replica> list = List.of(new ReplicaRouter.Replica("east", east));
    router = new ReplicaRouter(primary, list, positions, new ReplicaRouter.Settings(MAX_LAG_MS, WAIT_MS, POLL_MS),
        time, registry);
    router.start();
    advance(POLL_MS);

    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.LAGGING);
    assertThat(state("east").reason()).contains("behind every primary position");
    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(primary);
  }

  /** Verifies that a replica's answer that is not conclusive (a row not found) is asked again of the primary. */
  @Test
  void read_notFoundOnAReplica_primaryDecides() {
    start(east);

    Future<Optional<String>> read = router.read(Freshness.recent(),
        db -> Future.succeededFuture(db == east ? Optional.<String>empty() : Optional.of("found on the primary")),
        Optional::isPresent);

    assertThat(read.result()).contains("found on the primary");
    assertThat(reads("east", "not_found")).isEqualTo(1);
    assertThat(reads("primary", "not_found")).isEqualTo(1);
  }

  /**
   * Verifies that a replica that refuses a connection costs the read nothing (it is read from the
   * primary) and is out of rotation at once, until a poll sent after the failure answers.
   */
  @Test
  void read_replicaUnreachable_retriedOnPrimaryAndOutOfRotation() {
    start(east);

    Future<SqlClient> read = router.read(Freshness.recent(), db -> db == east
        ? Future.failedFuture(new ConnectException("Connection refused")) : Future.succeededFuture(db));

    assertThat(ranOn(read)).isSameAs(primary);
    assertThat(reads("primary", "replica_failed")).isEqualTo(1);
    assertThat(reads("east", "failed")).isEqualTo(1);
    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.DOWN);
    assertThat(ranOn(router.read(Freshness.recent(), where()))).as("no replica tried meanwhile").isSameAs(primary);

    advance(POLL_MS);
    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.UP);
    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(east);
  }

  /** Verifies which Postgres errors of a replica are retried on the primary and which take it out of rotation. */
  @Test
  void read_replicaSqlStates_retriedOrNot() {
    start(east);
    Map<String, Boolean> outOfRotation = Map.of("25006", false, "40001", false, "57014", false, "57P01", true,
        "57P03", true, "08006", true, "53300", true);
    for (Map.Entry<String, Boolean> state : outOfRotation.entrySet()) {
      advance(POLL_MS); // back in rotation
      Future<SqlClient> read = router.read(Freshness.recent(), db -> db == east
          ? Future.failedFuture(new PgException("refused", "ERROR", state.getKey(), null))
          : Future.succeededFuture(db));

      assertThat(ranOn(read)).as("SQLSTATE %s", state.getKey()).isSameAs(primary);
      assertThat(state("east").status()).as("SQLSTATE %s", state.getKey())
          .isEqualTo(state.getValue() ? ReplicaRouter.Status.DOWN : ReplicaRouter.Status.UP);
    }

    advance(POLL_MS);
    Future<SqlClient> bad = router.read(Freshness.recent(),
        db -> Future.failedFuture(new PgException("invalid input syntax", "ERROR", "22P02", null)));
    assertThat(bad.failed()).isTrue();
    assertThat(((PgException) bad.cause()).getSqlState()).isEqualTo("22P02");
    assertThat(reads("primary", "replica_failed")).as("a data error is not retried").isEqualTo(outOfRotation.size());
  }

  /** Verifies that a replica whose poll fails is down, reported degraded with the reason, and back when it answers. */
  @Test
  void poll_replicaDown_degradedThenBack() {
    start(east);
    Readiness check = router.readiness().get(0);
    assertThat(check.essential()).isFalse();
    assertThat(check.check().succeeded()).isTrue();

    positions.failing.put("east", new ConnectException("Connection refused"));
    advance(POLL_MS);

    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.DOWN);
    assertThat(check.name()).isEqualTo("postgres-replica east");
    assertThat(check.check().cause()).hasMessageContaining("down").hasMessageContaining("Connection refused");
    assertThat(check.details().getString("rotation")).isEqualTo("down");
    assertThat(registry.find("edgechat.db.replica.in.rotation").tag("replica", "east").gauge().value()).isZero();
    assertThat(ranOn(router.read(Freshness.recent(), where()))).isSameAs(primary);

    positions.failing.clear();
    advance(POLL_MS);
    assertThat(check.check().succeeded()).isTrue();
    assertThat(check.details().getLong("lagMs")).isZero();
  }

  /** Verifies that a replica that stops answering its polls is down once one went unanswered for maxReplicaLagMs. */
  @Test
  void poll_replicaHangs_downAfterTheLagBound() {
    start(east);
    positions.hang = true; // from the poll at POLL_MS on

    advance(POLL_MS + MAX_LAG_MS);
    assertThat(state("east").status()).as("unanswered for exactly the bound").isEqualTo(ReplicaRouter.Status.UP);
    advance(POLL_MS);

    assertThat(state("east").status()).isEqualTo(ReplicaRouter.Status.DOWN);
    assertThat(state("east").reason()).contains("no answer to the position poll");
  }

  /** Verifies that reads waiting for a replica go to the primary at once when the last replica leaves rotation. */
  @Test
  void read_waitingWhenTheReplicaGoesDown_readsPrimaryAtOnce() {
    start(east);
    positions.primary = lsn(300);
    Future<SqlClient> read = router.read(Freshness.after(lsn(300)), where());

    positions.failing.put("east", new ConnectException("Connection refused"));
    advance(POLL_MS);

    assertThat(ranOn(read)).isSameAs(primary);
    assertThat(reads("primary", "no_replica")).isEqualTo(1);
  }

  /** Verifies that writes yield the primary's position with replicas, and none without. */
  @Test
  void positionAfterWrite_withAndWithoutReplicas() {
    start(east);
    positions.primary = lsn(0x1_0000_00A0L);

    assertThat(router.positionAfterWrite().result()).contains(Lsn.parse("1/A0"));
    assertThat(ReplicaRouter.primaryOnly(primary).positionAfterWrite().result()).isEmpty();
    assertThat(ranOn(ReplicaRouter.primaryOnly(primary).read(Freshness.after(lsn(1)), where()))).isSameAs(primary);
  }
}
