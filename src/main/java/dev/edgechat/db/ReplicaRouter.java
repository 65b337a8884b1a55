package dev.edgechat.db;

import dev.edgechat.ops.Readiness;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.SqlClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each read to the primary or to a read replica, by what the read must see ({@link Freshness}).
 *
 * <p>Design note. Written by hand because nothing does this for the Vert.x Postgres client: a
 * pool spread over several hosts ({@code connectingTo(list)}) picks a host per connection and
 * knows nothing of replication, and the client has no replica routing (vertx-sql-client #1250);
 * JDBC's {@code targetServerType=preferSecondary} only tells a standby from a primary, not how far
 * behind it is. Middleware (pgpool-II, pgcat) would be one more process per region to run, and
 * still could not carry a position from one request to the next one landing elsewhere.
 *
 * <p>How it works. Every {@code postgres.replicaPollMs} the router asks the primary for its WAL
 * insert position and each replica for its replay position ({@code pg_last_wal_replay_lsn()}), on
 * a connection of their own so that busy read pools do not delay the poll; no read pays for a
 * position query. The primary's answers are kept as a short history of (position, first and last
 * time seen), so a replica's lag is a time: how long ago the primary was last seen at a position
 * the replica has replayed ({@code 0} when it has replayed the newest one). Unlike
 * {@code now() - pg_last_xact_replay_timestamp()}, that does not grow while the primary is idle,
 * and unlike a byte count it means the same under any write load. A replica lagging more than
 * {@code postgres.maxReplicaLagMs} is out of rotation until it catches up; one whose poll fails,
 * or that is not in recovery (promoted, or a primary by mistake), is down until a poll started
 * after the failure answers.
 *
 * <ul>
 *   <li>{@link Freshness#recent()}: a replica in rotation, in turn; none: the primary.</li>
 *   <li>{@link Freshness#after(Lsn)}: a replica in rotation whose polled replay position has
 *       passed the position; else the read waits for the next polls, at most
 *       {@code postgres.replicaWaitMs}, and then goes to the primary.</li>
 *   <li>{@link Freshness#primary()}: the primary.</li>
 * </ul>
 *
 * <p>A replica's answer that is not conclusive (a row not found: a replica's "no such site" is no
 * proof, the row may be newer than its replay) is asked again of the primary, which decides. A
 * replica that fails a read (connection refused or lost, a pool timeout, SQLSTATE class 08, 53,
 * 57P0x shutdown, 25006 read-only, 40001 and 57014 recovery conflicts) costs the read nothing: it
 * is asked again of the primary, and a replica that could not be reached is taken out of rotation
 * at once, before its next poll. Errors the primary would give too (bad data, SQL) are not retried.
 *
 * <p>Which position a write yields ({@link #positionAfterWrite()}): {@code pg_current_wal_insert_lsn()}
 * read after the commit has returned, not {@code pg_current_wal_lsn()}. The insert position is past
 * the end of every commit record inserted so far, so past ours, under any
 * {@code synchronous_commit}; the write position (what has reached the OS) can lag behind a
 * commit acknowledged with {@code synchronous_commit = off}, and then a replica could be taken as
 * caught up before it has our commit. The cost is a position a little ahead of ours (other
 * sessions' records), which a streaming replica replays a few milliseconds later. A position read
 * inside the transaction would be before its commit record, and so too early.
 *
 * <p>Thread-safe: reads come from every event loop; the router's state is guarded by its lock,
 * and a read that waited is resumed on its caller's context.
 */
public final class ReplicaRouter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaRouter.class);

  /** The primary's tag in metrics and in {@link #primaryTarget()}. */
  public static final String PRIMARY = "primary";

  /** A replica's place in rotation. */
  public enum Status {
    /** In rotation: answering its polls, lagging at most {@code postgres.maxReplicaLagMs}. */
    UP,
    /** Answering, but too far behind the primary (or not yet known to be close): out of rotation. */
    LAGGING,
    /** Not answering, or not a standby: out of rotation. */
    DOWN
  }

  /**
   * A replica as the router last saw it.
   *
   * @param replayed the replay position of its last answered poll, if any
   * @param lagMs how long ago the primary was last seen at a position the replica has replayed;
   *     empty when unknown (down, or behind all the primary's positions kept)
   * @param reason why it is out of rotation; empty when up
   */
  public record ReplicaState(String name, Status status, Optional<Lsn> replayed, OptionalLong lagMs, String reason) {
  }

  /** A replica to route to: its name in metrics and {@code /readyz} (host:port), and its read pool. */
  record Replica(String name, SqlClient client) {
  }

  /** The WAL positions the router polls (SQL in production, set by hand in tests). */
  interface Positions {

    /** The primary's current WAL insert position; fails when the primary cannot be asked. */
    Future<Lsn> primary();

    /** The replica's replay position; fails when it cannot be asked or is not in recovery. */
    Future<Lsn> replayed(Replica replica);
  }

  /**
   * @param maxLagMs a replica further behind is out of rotation
   * @param waitMs longest a read that must see a position waits for a replica to replay it
   * @param pollMs how often positions are polled
   */
  record Settings(long maxLagMs, long waitMs, long pollMs) {
  }

  /** Where a read goes: a replica, or the primary ({@code replica} null) and why. */
  private record Target(Node replica, String reason) {
  }

  /** A read waiting for a replica to replay {@code position}. */
  private static final class Waiter {
    final Lsn position;
    final Context context;
    final Promise<Target> target = Promise.promise();
    Scheduler.Timer timeout;

    Waiter(Lsn position, Context context) {
      this.position = position;
      this.context = context;
    }
  }

  /** The primary at one position, from when it was first seen there to when it was last seen there. */
  private static final class Sample {
    final Lsn position;
    final long firstSeenNanos;
    long lastSeenNanos;

    Sample(Lsn position, long seenNanos) {
      this.position = position;
      this.firstSeenNanos = seenNanos;
      this.lastSeenNanos = seenNanos;
    }
  }

  /** A replica and what the router knows of it; guarded by the router's lock. */
  private static final class Node {
    final Replica replica;
    Status status = Status.LAGGING;
    String reason = "not polled yet";
    Lsn replayed;
    long lagMs = -1;
    long pollSentNanos = -1;
    /** When a read found it unreachable: only a poll sent after that brings it back. */
    long failedAtNanos = Long.MIN_VALUE;
    final Counter served;
    final Counter inconclusive;
    final Counter failed;

    Node(Replica replica, MeterRegistry registry) {
      this.replica = replica;
      this.served = reads(registry, replica.name(), "served");
      this.inconclusive = reads(registry, replica.name(), "not_found");
      this.failed = reads(registry, replica.name(), "failed");
    }

    ReplicaState state() {
      return new ReplicaState(replica.name(), status, Optional.ofNullable(replayed),
          lagMs < 0 ? OptionalLong.empty() : OptionalLong.of(lagMs), status == Status.UP ? "" : reason);
    }
  }

  /** The time of a router without replicas, which sets no timer. */
  private static final Scheduler NO_TIMERS = new Scheduler() {
    @Override
    public java.time.Clock clock() {
      return java.time.Clock.systemUTC();
    }

    @Override
    public long nanoTime() {
      return System.nanoTime();
    }

    @Override
    public Timer after(long delayMs, Runnable task) {
      throw new IllegalStateException("a router without replicas sets no timer");
    }

    @Override
    public Timer every(long periodMs, Runnable task) {
      throw new IllegalStateException("a router without replicas sets no timer");
    }
  };

  private final SqlClient primary;
  private final List<Node> nodes;
  private final Positions positions;
  private final Settings settings;
  private final Scheduler time;
  private final MeterRegistry registry;
  // guarded by this
  private final Deque<Sample> history = new ArrayDeque<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private long primaryPollSentNanos = -1;
  private int nextReplica;
  private Scheduler.Timer poller;
  private boolean closed;

  ReplicaRouter(SqlClient primary, List<Replica> replicas, Positions positions, Settings settings, Scheduler time,
      MeterRegistry registry) {
    this.primary = Objects.requireNonNull(primary, "primary");
    this.positions = Objects.requireNonNull(positions, "positions");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.time = Objects.requireNonNull(time, "time");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.nodes = replicas.stream().map(r -> new Node(r, registry)).toList();
    for (Node node : nodes) {
      Gauge.builder("edgechat.db.replica.lag.ms", this, router -> router.lagOf(node))
          .description("how long ago the primary was last at a position this replica has replayed, ms"
              + " (NaN: unknown, the replica is down)")
          .tag("replica", node.replica.name())
          .register(registry);
      Gauge.builder("edgechat.db.replica.in.rotation", this, router -> router.statusOf(node) == Status.UP ? 1 : 0)
          .description("1 while the replica takes reads, 0 while it is down or lagging")
          .tag("replica", node.replica.name())
          .register(registry);
    }
  }

  /** A router with no replica: every read goes to the primary, and writes yield no position. */
  public static ReplicaRouter primaryOnly(SqlClient primary) {
    return primaryOnly(primary, new SimpleMeterRegistry());
  }

  /** {@link #primaryOnly(SqlClient)}, counting reads in {@code registry}. */
  public static ReplicaRouter primaryOnly(SqlClient primary, MeterRegistry registry) {
    return new ReplicaRouter(primary, List.of(), new Positions() {
      @Override
      public Future<Lsn> primary() {
        return Future.failedFuture(new IllegalStateException("no replicas"));
      }

      @Override
      public Future<Lsn> replayed(Replica replica) {
        return Future.failedFuture(new IllegalStateException("no replicas"));
      }
    }, new Settings(0, 0, 1), NO_TIMERS, registry);
  }

  /** Starts polling positions (at once, then every {@code pollMs}); nothing to do without replicas. */
  synchronized void start() {
    if (nodes.isEmpty() || poller != null || closed) {
      return;
    }
    poller = time.every(settings.pollMs(), this::poll);
    poll();
  }

  /** The primary, for writes and for reads that must not be routed. */
  public SqlClient primaryTarget() {
    return primary;
  }

  /** Whether there are replicas to route to (else writes need not yield positions). */
  public boolean hasReplicas() {
    return !nodes.isEmpty();
  }

  /** {@link #read(Freshness, Function, Predicate)} where every answer is conclusive. */
  public <T> Future<T> read(Freshness freshness, Function<SqlClient, Future<T>> query) {
    return read(freshness, query, result -> true);
  }

  /**
   * Runs {@code query} on the primary or a replica, by {@code freshness}. Succeeds with its result;
   * fails with the query's own failure when the primary gives it, never because a replica failed
   * or was behind.
   *
   * @param conclusive whether a replica's result may be taken; when not (a row not found), the
   *     primary is asked and decides
   */
  public <T> Future<T> read(Freshness freshness, Function<SqlClient, Future<T>> query,
      Predicate<? super T> conclusive) {
    Objects.requireNonNull(query, "query");
    Objects.requireNonNull(conclusive, "conclusive");
    return target(freshness).compose(target -> {
      if (target.replica() == null) {
        return onPrimary(target.reason(), query);
      }
      Node node = target.replica();
      Future<T> asked;
      try {
        asked = query.apply(node.replica.client());
      } catch (RuntimeException e) {
        asked = Future.failedFuture(e);
      }
      return asked.transform(ar -> {
        if (ar.succeeded()) {
          if (conclusive.test(ar.result())) {
            node.served.increment();
            return Future.succeededFuture(ar.result());
          }
          node.inconclusive.increment();
          return onPrimary("not_found", query);
        }
        if (!isReplicaFault(ar.cause())) {
          node.served.increment();
          return Future.failedFuture(ar.cause());
        }
        node.failed.increment();
        replicaFailed(node, ar.cause());
        return onPrimary("replica_failed", query);
      });
    });
  }

  /**
   * The primary's WAL position, read after a write has committed: a read that must see the write
   * goes {@link Freshness#after(Lsn)} it. Empty without replicas (there is nothing to wait for) and
   * when the primary could not be asked (the write stands; such reads then see it within the lag
   * bound). Never fails.
   */
  public Future<Optional<Lsn>> positionAfterWrite() {
    if (nodes.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return positions.primary().map(Optional::of).otherwise(e -> {
      LOG.warn("no WAL position after a write; reads of it may see a replica up to the lag bound behind [reason: {}]",
          e.toString());
      return Optional.empty();
    });
  }

  /** Each replica as last seen, in configuration order. */
  public synchronized List<ReplicaState> replicas() {
    return nodes.stream().map(Node::state).toList();
  }

  /**
   * One {@code /readyz} entry per replica, from its last poll: {@code up}, or {@code degraded} with
   * the reason (a replica out of rotation makes reads slower, not origin unready).
   */
  public List<Readiness> readiness() {
    List<Readiness> checks = new ArrayList<>();
    for (Node node : nodes) {
      checks.add(new Readiness() {
        @Override
        public String name() {
          return "postgres-replica " + node.replica.name();
        }

        @Override
        public Future<Void> check() {
          ReplicaState state = stateOf(node);
          return state.status() == Status.UP
              ? Future.succeededFuture()
              : Future.failedFuture(state.status().name().toLowerCase(Locale.ROOT) + ": " + state.reason());
        }

        @Override
        public boolean essential() {
          return false;
        }

        @Override
        public JsonObject details() {
          ReplicaState state = stateOf(node);
          JsonObject details = new JsonObject().put("rotation", state.status().name().toLowerCase(Locale.ROOT));
          state.lagMs().ifPresent(lag -> details.put("lagMs", lag));
          state.replayed().ifPresent(lsn -> details.put("replayed", lsn.toString()));
          return details;
        }
      });
    }
    return checks;
  }

  /** Stops polling; reads waiting for a replica go to the primary. */
  @Override
  public void close() {
    List<Waiter> released;
    synchronized (this) {
      closed = true;
      if (poller != null) {
        poller.cancel();
        poller = null;
      }
      released = new ArrayList<>(waiters);
      waiters.clear();
    }
    released.forEach(w -> resolve(w, new Target(null, "no_replica")));
  }

  // ---- choosing a target

  private Future<Target> target(Freshness freshness) {
    if (freshness.primaryOnly()) {
      return Future.succeededFuture(new Target(null, "asked"));
    }
    Waiter waiter;
    synchronized (this) {
      if (nodes.stream().noneMatch(n -> n.status == Status.UP)) {
        return Future.succeededFuture(new Target(null, "no_replica"));
      }
      Optional<Lsn> position = freshness.position();
      Node ready = pick(position.orElse(Lsn.ZERO));
      if (ready != null) {
        return Future.succeededFuture(new Target(ready, ""));
      }
      if (settings.waitMs() <= 0 || closed) {
        return Future.succeededFuture(new Target(null, "waited"));
      }
      waiter = new Waiter(position.get(), Vertx.currentContext());
      waiters.add(waiter);
      // set on the caller's context: the timeout fires there
      waiter.timeout = time.after(settings.waitMs(), () -> {
        boolean mine;
        synchronized (this) {
          mine = waiters.remove(waiter);
        }
        if (mine) {
          resolve(waiter, new Target(null, "waited"));
        }
      });
    }
    return waiter.target.future();
  }

  /** The next replica in rotation (round robin) that has replayed {@code position}; null if none. Holding the lock. */
  private Node pick(Lsn position) {
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get((nextReplica + i) % nodes.size());
      if (node.status == Status.UP && node.replayed != null && node.replayed.reached(position)) {
        nextReplica = (nextReplica + i + 1) % nodes.size();
        return node;
      }
    }
    return null;
  }

  /** Completes a waiter on its caller's context. */
  private static void resolve(Waiter waiter, Target target) {
    if (waiter.timeout != null) {
      waiter.timeout.cancel();
    }
    if (waiter.context == null || Vertx.currentContext() == waiter.context) {
      waiter.target.tryComplete(target);
    } else {
      waiter.context.runOnContext(v -> waiter.target.tryComplete(target));
    }
  }

  /** Hands waiters to replicas that have replayed their positions, or to the primary when none is in rotation. */
  private void wakeWaiters() {
    List<Waiter> woken = new ArrayList<>();
    List<Target> targets = new ArrayList<>();
    synchronized (this) {
      boolean anyUp = nodes.stream().anyMatch(n -> n.status == Status.UP);
      for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
        Waiter waiter = it.next();
        Node node = anyUp ? pick(waiter.position) : null;
        if (node != null || !anyUp) {
          it.remove();
          woken.add(waiter);
          targets.add(new Target(node, "no_replica"));
        }
      }
    }
    for (int i = 0; i < woken.size(); i++) {
      resolve(woken.get(i), targets.get(i));
    }
  }

  private <T> Future<T> onPrimary(String reason, Function<SqlClient, Future<T>> query) {
    reads(registry, PRIMARY, reason).increment();
    try {
      return query.apply(primary);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  // ---- failures

  /**
   * Whether a replica's failure may be retried on the primary: anything but an error the primary
   * would give as well (a PgException of another SQLSTATE: bad data, SQL, permissions).
   */
  static boolean isReplicaFault(Throwable e) {
    if (!(e instanceof PgException pg)) {
      return true; // connection refused or lost, pool timeout
    }
    String state = pg.getSqlState() == null ? "" : pg.getSqlState();
    return state.startsWith("08") // connection exception
        || state.startsWith("53") // insufficient resources: too many connections, out of memory
        || state.startsWith("57P") // shutdown, crash shutdown, cannot connect now, database dropped
        || state.startsWith("58") // system error
        || state.equals("25006") // read-only transaction: hot standby
        || state.equals("40001") // serialization failure: conflict with recovery
        || state.equals("57014"); // canceled: max_standby_streaming_delay
  }

  /** Whether the failure says the replica cannot take reads now (not just this one). */
  static boolean isUnreachable(Throwable e) {
    if (!(e instanceof PgException pg)) {
      return true;
    }
    String state = pg.getSqlState() == null ? "" : pg.getSqlState();
    return state.startsWith("08") || state.startsWith("53") || state.startsWith("57P") || state.startsWith("58");
  }

  private void replicaFailed(Node node, Throwable cause) {
    if (!isUnreachable(cause)) {
      LOG.debug("read retried on the primary [replica: {}, reason: {}]", node.replica.name(), cause.toString());
      return;
    }
    boolean wasUp;
    synchronized (this) {
      wasUp = node.status == Status.UP;
      node.status = Status.DOWN;
      node.reason = "a read failed: " + cause;
      node.lagMs = -1;
      node.failedAtNanos = time.nanoTime();
    }
    if (wasUp) {
      LOG.warn("replica out of rotation, reads go to the primary [replica: {}, reason: {}]", node.replica.name(),
          cause.toString());
    }
    wakeWaiters();
  }

  // ---- polling

  private void poll() {
    long sent = time.nanoTime();
    boolean askPrimary;
    List<Node> ask = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        return;
      }
      askPrimary = primaryPollSentNanos < 0;
      if (askPrimary) {
        primaryPollSentNanos = sent;
      }
      for (Node node : nodes) {
        if (node.pollSentNanos < 0) {
          node.pollSentNanos = sent;
          ask.add(node);
        } else if (sent - node.pollSentNanos > TimeUnit.MILLISECONDS.toNanos(settings.maxLagMs())) {
          // a poll this old will not be answered in time: the replica is hung or cut off
          markDown(node, "no answer to the position poll in "
              + TimeUnit.NANOSECONDS.toMillis(sent - node.pollSentNanos) + " ms");
        }
      }
    }
    if (askPrimary) {
      positions.primary().onComplete(ar -> {
        synchronized (this) {
          primaryPollSentNanos = -1;
          if (ar.succeeded()) {
            observe(ar.result(), sent);
          } else {
            LOG.debug("primary's WAL position not polled [reason: {}]", ar.cause().toString());
          }
          // a replica is judged against every position seen so far, this one included
          nodes.forEach(node -> {
            if (node.replayed != null && node.status != Status.DOWN) {
              judge(node, time.nanoTime());
            }
          });
        }
        wakeWaiters();
      });
    }
    for (Node node : ask) {
      positions.replayed(node.replica).onComplete(ar -> {
        synchronized (this) {
          node.pollSentNanos = -1;
          if (ar.failed()) {
            markDown(node, ar.cause().getMessage() == null ? ar.cause().toString() : ar.cause().getMessage());
          } else if (sent > node.failedAtNanos) {
            node.replayed = ar.result();
            judge(node, time.nanoTime());
          } else {
            node.replayed = ar.result(); // asked before a read failed there: wait for a newer poll
          }
        }
        wakeWaiters();
      });
    }
  }

  /** Records that the primary was at {@code position} when asked at {@code sentNanos}. Holding the lock. */
  private void observe(Lsn position, long sentNanos) {
    Sample newest = history.peekLast();
    if (newest != null && newest.position.equals(position)) {
      newest.lastSeenNanos = Math.max(newest.lastSeenNanos, sentNanos);
    } else if (newest == null || position.compareTo(newest.position) > 0) {
      history.addLast(new Sample(position, sentNanos));
    }
    // keep enough to tell any lag up to the limit; older samples only say "further behind than that"
    long keep = TimeUnit.MILLISECONDS.toNanos(settings.maxLagMs() + 4 * settings.pollMs());
    while (history.size() > 1) {
      Iterator<Sample> it = history.iterator();
      it.next();
      if (sentNanos - it.next().lastSeenNanos > keep) {
        history.removeFirst();
      } else {
        break;
      }
    }
  }

  /**
   * Sets a replica's lag and place in rotation from its replay position and the primary's history.
   * Holding the lock.
   */
  private void judge(Node node, long nowNanos) {
    Sample newest = history.peekLast();
    if (newest == null) {
      set(node, Status.LAGGING, -1, "the primary's position is not known yet");
      return;
    }
    if (node.replayed.reached(newest.position)) {
      set(node, Status.UP, 0, "");
      return;
    }
    Sample caughtUpTo = null;
    for (Iterator<Sample> it = history.descendingIterator(); it.hasNext(); ) {
      Sample sample = it.next();
      if (node.replayed.reached(sample.position)) {
        caughtUpTo = sample;
        break;
      }
    }
    if (caughtUpTo == null) {
      long atLeast = TimeUnit.NANOSECONDS.toMillis(nowNanos - history.peekFirst().firstSeenNanos);
      set(node, Status.LAGGING, atLeast, "behind every primary position of the last " + atLeast + " ms (replayed "
          + node.replayed + ", primary at " + newest.position + ")");
      return;
    }
    long lagMs = TimeUnit.NANOSECONDS.toMillis(Math.max(0, nowNanos - caughtUpTo.lastSeenNanos));
    if (lagMs > settings.maxLagMs()) {
      set(node, Status.LAGGING, lagMs, "lagging " + lagMs + " ms behind the primary, more than"
          + " postgres.maxReplicaLagMs (" + settings.maxLagMs() + "; replayed " + node.replayed + ", primary at " + newest.position + ")");
    } else {
      set(node, Status.UP, lagMs, "");
    }
  }

  private void markDown(Node node, String reason) {
    set(node, Status.DOWN, -1, reason);
  }

  /** Holding the lock. */
  private void set(Node node, Status status, long lagMs, String reason) {
    if (node.status != status) {
      if (status == Status.UP) {
        LOG.info("replica in rotation [replica: {}, lag: {} ms]", node.replica.name(), lagMs);
      } else {
        LOG.warn("replica out of rotation, reads go to the primary [replica: {}, status: {}, reason: {}]",
            node.replica.name(), status, reason);
      }
    }
    node.status = status;
    node.lagMs = lagMs;
    node.reason = reason;
  }

  private synchronized ReplicaState stateOf(Node node) {
    return node.state();
  }

  private synchronized double lagOf(Node node) {
    return node.lagMs < 0 ? Double.NaN : node.lagMs;
  }

  private synchronized Status statusOf(Node node) {
    return node.status;
  }

  /** {@code edgechat.db.reads{target, reason}}: reads by where they ran and why there. */
  private static Counter reads(MeterRegistry registry, String target, String reason) {
    return Counter.builder("edgechat.db.reads")
        .description("reads by where they ran (primary or a replica's host:port) and why: for a replica"
            + " served|not_found|failed, for the primary asked|no_replica|waited|not_found|replica_failed")
        .tag("target", target)
        .tag("reason", reason)
        .register(registry);
  }
}
