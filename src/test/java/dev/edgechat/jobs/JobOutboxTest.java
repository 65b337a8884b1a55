package dev.edgechat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job outbox (issue 17, defect 6) on a real Postgres and a real queue Redis that the test stops
 * and starts again: staged jobs wait while Redis is down, two relays (two origins) hand each over
 * exactly once when it is back, and a job handed over twice is one job on the queue.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class JobOutboxTest {

  private static final long POLL_MS = 100;
  private static Path redisDir;
  private static int redisPort;
  private static EmbeddedRedisServer redis;
  private static Pool pool;
  private static JobQueue queue;
  private static Redis probeClient;
  private static RedisAPI probe;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    redisDir = Files.createTempDirectory("outbox-redis");
    redis = EmbeddedRedisServer.start(redisDir, 0, "noeviction", "32mb");
    redisPort = redis.url().getPort();
    pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    EdgechatConfig.Queue settings = EdgechatConfig.Queue.builder().concurrency(Map.of()).maxAttempts(3).backoffMs(50)
        .maxBackoffMs(1000).stalledMs(5000).blockMs(200).keepCompleted(1000).completedTtlMs(600_000).keepFailed(10)
        .failedTtlMs(60_000).drainTimeoutMs(200).build();
    queue = JobQueue.create(vertx, redis.url(), settings, 1000, null);
    probeClient = Redis.createClient(vertx, redis.url().toString());
    probe = RedisAPI.api(probeClient);
  }

  @AfterAll
  static void stop() throws Exception {
    await(queue.close());
    probeClient.close();
    await(pool.close());
    redis.close();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private static JobOutbox outbox(Vertx vertx) {
    return new JobOutbox(pool, queue, Scheduler.of(vertx), POLL_MS);
  }

  private static Future<Void> stage(JobOutbox outbox, List<JobOutbox.Staged> jobs) {
    return pool.withTransaction(conn -> Future.all(jobs.stream().map(job -> outbox.stage(conn, job)).toList()))
        .mapEmpty();
  }

  private static Future<Long> outboxRows(String type) {
    return pool.preparedQuery("SELECT count(*) FROM job_outbox WHERE type = $1").execute(Tuple.of(type))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Entries on the type's stream: one per job that waits, however often it was handed over. */
  private static Future<Long> streamEntries(String type) {
    return probe.xlen(JobQueue.stream(type)).map(r -> r.toLong());
  }

  /**
   * Verifies that jobs staged while the queue Redis is down stay in the outbox through relays that
   * fail, are readable as waiting, and once Redis is back two relays racing hand each job over once.
   */
  @Test
  void relay_queueDownThenBack_twoRelaysHandEachJobOverOnce(Vertx vertx) throws Exception {
    String type = "outbox-" + Ids.next().substring(0, 8).toLowerCase().replace('_', 'x');
    JobOutbox first = outbox(vertx);
    JobOutbox second = outbox(vertx);
    List<JobOutbox.Staged> jobs = IntStream.range(0, 30)
        .mapToObj(i -> JobOutbox.Staged.of(type, new JsonObject().put("n", i))).toList();
    redis.close();
    await(stage(first, jobs));
    Thread.sleep(POLL_MS * 2);
    int whileDown = await(first.relay()) + await(second.relay());
    long waitingRows = await(outboxRows(type));
    JsonObject shown = await(first.find(jobs.get(7).id())).orElseThrow().toJson();

    redis = EmbeddedRedisServer.start(redisDir, redisPort, "noeviction", "32mb");
    // the failed relays claimed the rows for one period: let it pass, then race two relays
    Thread.sleep(POLL_MS * 2);
    List<Integer> handed = await(Future.all(first.relay(), second.relay())).list();
    long left = await(outboxRows(type));
    long entries = await(streamEntries(type));
    long found = 0;
    for (JobOutbox.Staged job : jobs) {
      found += await(queue.find(job.id())).isPresent() ? 1 : 0;
    }

    assertThat(whileDown).isZero();
    assertThat(waitingRows).isEqualTo(30);
    assertThat(shown.getString("state")).isEqualTo("waiting");
    assertThat(shown.getString("type")).isEqualTo(type);
    assertThat(shown.containsKey("payload")).isFalse();
    assertThat(handed.get(0) + handed.get(1)).isEqualTo(30);
    assertThat(left).isZero();
    assertThat(entries).isEqualTo(30);
    assertThat(found).isEqualTo(30);
  }

  /**
   * Verifies that a job handed over by its caller and then again by a relay (its row was left, as
   * when the delete after the enqueue failed) is one job on the queue, and that a running relay
   * started with {@link JobOutbox#start()} hands over a staged job by itself within a few periods.
   */
  @Test
  void handOver_twiceAndByTheRunningRelay_oneJobEach(Vertx vertx) throws Exception {
    String type = "twice-" + Ids.next().substring(0, 8).toLowerCase().replace('_', 'x');
    JobOutbox outbox = outbox(vertx);
    JobOutbox.Staged job = JobOutbox.Staged.of(type, new JsonObject().put("n", 1));
    await(stage(outbox, List.of(job)));
    boolean now = await(outbox.handOver(job));
    await(stage(outbox, List.of(job)));
    Thread.sleep(POLL_MS * 2);
    int again = await(outbox.relay());

    JobOutbox.Staged later = JobOutbox.Staged.of(type, new JsonObject().put("n", 2));
    await(stage(outbox, List.of(later)));
    outbox.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (await(outboxRows(type)) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    outbox.close();

    assertThat(now).isTrue();
    assertThat(again).isEqualTo(1);
    assertThat(await(outboxRows(type))).isZero();
    assertThat(await(streamEntries(type))).isEqualTo(2);
    assertThat(await(queue.find(later.id()))).isPresent();
  }
}
