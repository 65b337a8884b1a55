package dev.edgechat.db;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.core.net.NetClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnectOptions;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Origin's two pools: the writer on the primary (at most 20 connections) and the reader, on the
 * replicas when there are any, else on the primary. Queries that may see slightly old data use
 * {@link #reader()}; writes and read-your-writes use {@link #writer()}.
 */
public final class Database implements AutoCloseable {

  private final Pool writer;
  private final Pool reader;
  private final boolean separateReader;

  private Database(Pool writer, Pool reader, boolean separateReader) {
    this.writer = writer;
    this.reader = reader;
    this.separateReader = separateReader;
  }

  /** Opens the pools lazily: no connection is made until the first query. */
  public static Database open(Vertx vertx, URI primary, EdgechatConfig.Postgres settings) {
    Objects.requireNonNull(primary);
    NetClientOptions net = new NetClientOptions().setConnectTimeout((int) settings.connectTimeoutMs());
    Pool writer = PgBuilder.pool()
        .with(poolOptions("edgechat-writer", settings.writerPoolSize(), settings))
        .with(net)
        .connectingTo(PostgresUrl.parse(primary).connectOptions())
        .using(vertx)
        .build();
    if (settings.replicaUrls().isEmpty()) {
      return new Database(writer, writer, false);
    }
    List<SqlConnectOptions> replicas = settings.replicaUrls().stream()
        .map(url -> (SqlConnectOptions) PostgresUrl.parse(url).connectOptions())
        .toList();
    Pool reader = PgBuilder.pool()
        .with(poolOptions("edgechat-reader", settings.readerPoolSize() * replicas.size(), settings))
        .with(net)
        .connectingTo(replicas)
        .using(vertx)
        .build();
    return new Database(writer, reader, true);
  }

  private static PoolOptions poolOptions(String name, int size, EdgechatConfig.Postgres settings) {
    return new PoolOptions()
        .setName(name)
        .setShared(true)
        .setMaxSize(size)
        .setMaxWaitQueueSize(10_000)
        .setConnectionTimeout((int) settings.connectTimeoutMs())
        .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public Pool writer() {
    return writer;
  }

  public Pool reader() {
    return reader;
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

  @Override
  public void close() {
    writer.close();
    if (separateReader) {
      reader.close();
    }
  }
}
