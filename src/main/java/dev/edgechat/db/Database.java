package dev.edgechat.db;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.ops.Readiness;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Origin's Postgres: the writer pool on the primary (at most 20 connections), a reader pool per
 * read replica, and the {@link ReplicaRouter} that sends each read where it may go. Writes use
 * {@link #writer()}; reads go through {@link #reads()}, saying what they must see.
 */
public final class Database implements AutoCloseable {

  private final Pool writer;
  private final List<Pool> replicaPools;
  private final ReplicaRouter router;

  private Database(Pool writer, List<Pool> replicaPools, ReplicaRouter router) {
    this.writer = writer;
    this.replicaPools = List.copyOf(replicaPools);
    this.router = router;
  }

  /** {@link #open(Vertx, URI, EdgechatConfig.Postgres, MeterRegistry)} with metrics kept nowhere (tools, benches). */
  public static Database open(Vertx vertx, URI primary, EdgechatConfig.Postgres settings) {
    return open(vertx, primary, settings, new SimpleMeterRegistry());
  }

  /**
   * Opens the pools lazily (no connection is made until the first query) and, with replicas,
   * starts polling their positions.
   *
   * @param registry where reads by target and each replica's lag go
   */
  public static Database open(Vertx vertx, URI primary, EdgechatConfig.Postgres settings, MeterRegistry registry) {
    Objects.requireNonNull(primary);
    NetClientOptions net = new NetClientOptions().setConnectTimeout((int) settings.connectTimeoutMs());
    Pool writer = PgBuilder.pool()
        .with(poolOptions("edgechat-writer", settings.writerPoolSize(), settings))
        .with(net)
        .connectingTo(PostgresUrl.parse(primary).connectOptions())
        .using(vertx)
        .build();
    if (settings.replicaUrls().isEmpty()) {
      return new Database(writer, List.of(), ReplicaRouter.primaryOnly(writer, registry));
    }
    List<Pool> pools = new ArrayList<>();
    List<ReplicaRouter.Replica> replicas = new ArrayList<>();
    Map<String, io.vertx.sqlclient.SqlClient> pollers = new LinkedHashMap<>();
    for (URI url : settings.replicaUrls()) {
      PostgresUrl parsed = PostgresUrl.parse(url);
      String name = uniqueName(parsed.host() + ":" + parsed.port(), pollers.keySet());
      SqlConnectOptions connect = parsed.connectOptions();
      Pool reads = PgBuilder.pool()
          .with(poolOptions("edgechat-reader-" + name, settings.readerPoolSize(), settings))
          .with(net)
          .connectingTo(connect)
          .using(vertx)
          .build();
      // its own connection: a poll never queues behind the replica's reads
      Pool poll = PgBuilder.pool()
          .with(poolOptions("edgechat-replica-poll-" + name, 1, settings).setShared(false))
          .with(net)
          .connectingTo(connect)
          .using(vertx)
          .build();
      pools.add(reads);
      pools.add(poll);
      replicas.add(new ReplicaRouter.Replica(name, reads));
      pollers.put(name, poll);
    }
    ReplicaRouter router = new ReplicaRouter(writer, replicas, new WalPositions(writer, pollers),
        new ReplicaRouter.Settings(settings.maxReplicaLagMs(), settings.replicaWaitMs(), settings.replicaPollMs()),
        Scheduler.of(vertx), registry);
    router.start();
    return new Database(writer, pools, router);
  }

  private static String uniqueName(String name, java.util.Set<String> taken) {
    String unique = name;
    for (int i = 2; taken.contains(unique); i++) {
      unique = name + "#" + i;
    }
    return unique;
  }

  private static PoolOptions poolOptions(String name, int size, EdgechatConfig.Postgres settings) {
    return new PoolOptions()
        .setName(name)
        .setShared(true)
        .setMaxSize(size)
        .setMaxWaitQueueSize(10_000)
        .setConnectionTimeout((int) settings.connectTimeoutMs())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS);
  }

  /** The primary: writes, and reads inside a write's transaction. */
  public Pool writer() {
    return writer;
  }

  /** Where reads go: the primary or a replica, by what each read must see. */
  public ReplicaRouter reads() {
    return router;
  }

  /** {@code /readyz} check: the primary answers a query. */
  public Readiness readiness() {
    return new Readiness() {
      @Override
      public String name() {
        return "postgres";
      }

      @Override
      public Future<Void> check() {
        return writer.query("SELECT 1").execute().mapEmpty();
      }
    };
  }

  /** {@code /readyz} entries of the replicas, one each: never essential, {@code degraded} when out of rotation. */
  public List<Readiness> replicaReadiness() {
    return router.readiness();
  }

  @Override
  public void close() {
    router.close();
    writer.close();
    replicaPools.forEach(Pool::close);
  }
}
