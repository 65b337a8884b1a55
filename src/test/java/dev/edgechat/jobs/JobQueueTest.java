package dev.edgechat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.RedisConnection;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.support.Await;
import dev.edgechat.support.ManualTime;
import dev.edgechat.support.TestDatabases;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The job queue on real Redis: runs, dedupe, retries with backoff, takeover of stalled jobs, retention, close.
 * The queues run by a {@link ManualTime}: backoff, stalling and draining take no real time; tests move
 * time on and wait only for Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class JobQueueTest {

  private static final long WAIT_MS = 20_000;
  /** The longest queue.drainTimeoutMs these tests set. */
  private static final long LONGEST_DRAIN_MS = 10_000;

  private final ManualTime time = new ManualTime();
  /** Held until the test ends (Vert.x 5 closes clients nobody references), then closed. */
  private final List<JobQueue> queues = new ArrayList<>();
  private final List<RedisConnection> connections = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    List<Future<Void>> closed = queues.stream().map(JobQueue::close).toList();
    // a job still running holds its queue's close for queue.drainTimeoutMs at most: let that pass
    time.advanceMs(LONGEST_DRAIN_MS).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    Future.join(closed).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    connections.forEach(RedisConnection::close);
  }

  /** A job type of this test alone, so tests never see each other's jobs. */
  private static String freshType() {
    return "t-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
  }

  private static EdgechatConfig.Queue settings(String type, int concurrency, int maxAttempts, long backoffMs,
      long stalledMs, int keepCompleted) {
    return EdgechatConfig.Queue.builder().concurrency(Map.of(type, concurrency)).maxAttempts(maxAttempts)
        .backoffMs(backoffMs).maxBackoffMs(60_000).stalledMs(stalledMs).blockMs(200).keepCompleted(keepCompleted)
        .completedTtlMs(60_000).keepFailed(100).failedTtlMs(120_000).drainTimeoutMs(200).build();
  }

  private JobQueue queue(Vertx vertx, EdgechatConfig.Queue settings, SimpleMeterRegistry registry) {
    JobQueue queue = JobQueue.create(vertx, TestDatabases.redis(), settings, 1000, registry, time);
    queues.add(queue);
    return queue;
  }

  private RedisAPI redis(Vertx vertx) {
    RedisConnection connection = RedisConnection.open(vertx, "redis", TestDatabases.redis(), 1000);
    connections.add(connection);
    return connection.api();
  }

  private static Future<Void> awaitState(Vertx vertx, JobQueue queue, String id, JobState state) {
    return Await.until(vertx, () -> queue.find(id).map(job -> job.map(j -> j.state() == state).orElse(false)),
        WAIT_MS);
  }

  /**
   * Waits for the job to reach {@code state}, moving time on to each of its retries as it falls due
   * (to the due time the delayed set holds; a millisecond more when the retry's timer was set late).
   */
  private Future<Void> awaitStateThroughRetries(Vertx vertx, JobQueue queue, String type, String id,
      JobState state) {
    RedisAPI redis = redis(vertx);
    return Await.until(vertx, () -> queue.find(id).compose(job -> {
      JobState now = job.map(Job::state).orElse(null);
      if (now == state || now != JobState.DELAYED) {
        return Future.succeededFuture(now == state);
      }
      return redis.zscore(JobQueue.delayedSet(type), id).compose(due -> due == null
          ? Future.succeededFuture(false)
          : time.advanceMs(Math.max(1, due.toLong() - time.millis())).map(false));
    }), WAIT_MS);
  }

  /**
   * Moves time on by one period of {@code looker}'s looks for stalled jobs (stalledMs/2) at a time,
   * each time waiting until it has looked, until {@code done}. Time never runs ahead of the looks,
   * so a look sees every claim as a worker that kept time would have left it.
   */
  private Future<Void> lookUntil(Vertx vertx, JobQueue looker, long stalledMs, BooleanSupplier done) {
    if (done.getAsBoolean()) {
      return Future.succeededFuture();
    }
    long before = looker.looksForStalledJobs();
    return time.advanceMs(stalledMs / 2)
        .compose(v -> Await.until(vertx, () -> Future.succeededFuture(looker.looksForStalledJobs() > before),
            WAIT_MS))
        .compose(v -> lookUntil(vertx, looker, stalledMs, done));
  }

  private static double count(SimpleMeterRegistry registry, String name) {
    return registry.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** Verifies that an enqueued job answers at once as waiting, then runs and ends completed with its result. */
  @Test
  void enqueue_workerRuns_completedWithResult(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobQueue queue = queue(vertx, settings(type, 2, 3, 50, 5000, 100), registry);
    queue.handle(type, job -> Future.succeededFuture(new JsonObject()
        .put("doubled", job.payload().getInteger("n") * 2)));
    queue.enqueue(type, new JsonObject().put("n", 21))
        .compose(job -> {
          ctx.verify(() -> {
            assertThat(job.state()).isEqualTo(JobState.WAITING);
            assertThat(job.attempts()).isZero();
            assertThat(JobQueue.isJobId(job.id())).isTrue();
          });
          return queue.startWorker()
              .compose(v -> awaitState(vertx, queue, job.id(), JobState.COMPLETED))
              .compose(v -> queue.find(job.id()));
        })
        .compose(found -> redis(vertx).xlen(JobQueue.stream(type)).map(len -> {
          ctx.verify(() -> {
            Job job = found.orElseThrow();
            assertThat(job.result()).isEqualTo(new JsonObject().put("doubled", 42));
            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.error()).isNull();
            assertThat(job.updatedAt()).isAfterOrEqualTo(job.createdAt());
            JsonObject wire = job.toJson();
            assertThat(wire.fieldNames()).containsExactlyInAnyOrder("id", "type", "state", "attempts", "result",
                "createdAt", "updatedAt");
            assertThat(wire.getString("state")).isEqualTo("completed");
            // a finished job's entry is acked and deleted: the stream holds only jobs that wait or run
            assertThat(len.toLong()).isZero();
            assertThat(count(registry, "edgechat.jobs.completed")).isEqualTo(1);
          });
          return null;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Verifies that enqueueing one job id twice (even at once) makes one job, run once. */
  @Test
  void enqueue_sameIdTwice_oneJob(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    JobQueue queue = queue(vertx, settings(type, 4, 3, 50, 5000, 100), new SimpleMeterRegistry());
    AtomicInteger runs = new AtomicInteger();
    queue.handle(type, job -> {
      runs.incrementAndGet();
      return Future.succeededFuture(new JsonObject().put("payload", job.payload()));
    });
    String id = "doc-42.v3";
    Future<Job> first = queue.enqueue(type, new JsonObject().put("v", 1), id);
    Future<Job> second = queue.enqueue(type, new JsonObject().put("v", 2), id);
    Future.all(first, second)
        .compose(v -> {
          ctx.verify(() -> {
            assertThat(first.result().id()).isEqualTo(id);
            // the two calls may reach Redis in either order: whichever came first made the job, the other got it
            assertThat(second.result().id()).isEqualTo(id);
            assertThat(second.result().createdAt()).isEqualTo(first.result().createdAt());
            assertThat(second.result().payload()).isEqualTo(first.result().payload());
          });
          return queue.startWorker();
        })
        .compose(v -> awaitState(vertx, queue, id, JobState.COMPLETED))
        .compose(v -> queue.enqueue(type, new JsonObject().put("v", 3), id))
        .compose(again -> redis(vertx).xlen(JobQueue.stream(type)).map(len -> {
          ctx.verify(() -> {
            assertThat(again.state()).isEqualTo(JobState.COMPLETED);
            assertThat(again.result()).isEqualTo(new JsonObject().put("payload", first.result().payload()));
            assertThat(len.toLong()).isZero();
            assertThat(runs.get()).isEqualTo(1);
          });
          return null;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Verifies that a failing job is retried with growing delays (exponential backoff, jitter taking
   * at most a fifth off) and, after its last try, is failed with its error.
   */
  @Test
  void failingHandler_retriesWithGrowingDelays_thenFailed(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    long backoffMs = 100;
    int maxAttempts = 4;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobQueue queue = queue(vertx, settings(type, 1, maxAttempts, backoffMs, 5000, 100), registry);
    List<Long> triedAtMs = Collections.synchronizedList(new ArrayList<>());
    queue.handle(type, job -> {
      triedAtMs.add(time.millis());
      return Future.failedFuture(new IllegalStateException("upstream said no, try " + job.attempts()));
    });
    queue.startWorker()
        .compose(v -> queue.enqueue(type, new JsonObject()))
        .compose(job -> awaitStateThroughRetries(vertx, queue, type, job.id(), JobState.FAILED)
            .compose(v -> queue.find(job.id())))
        .compose(found -> redis(vertx).pttl(JobQueue.JOB_PREFIX + found.orElseThrow().id()).map(ttl -> {
          ctx.verify(() -> {
            Job job = found.orElseThrow();
            assertThat(job.attempts()).isEqualTo(maxAttempts);
            assertThat(job.error()).isEqualTo("upstream said no, try " + maxAttempts);
            assertThat(job.toJson().getString("error")).isEqualTo(job.error());
            assertThat(triedAtMs).hasSize(maxAttempts);
            List<Long> gapsMs = IntStream.range(1, triedAtMs.size())
                .mapToObj(i -> triedAtMs.get(i) - triedAtMs.get(i - 1))
                .toList();
            for (int i = 0; i < gapsMs.size(); i++) {
              long leastDelay = (long) (backoffMs * Math.pow(2, i) * (1 - Backoff.JITTER));
              assertThat(gapsMs.get(i)).as("gap before try %d, all gaps %s", i + 2, gapsMs)
                  .isGreaterThanOrEqualTo(leastDelay);
            }
            assertThat(gapsMs).as("gaps between tries grow").isSorted().doesNotHaveDuplicates();
            assertThat(count(registry, "edgechat.jobs.retried")).isEqualTo(maxAttempts - 1);
            assertThat(count(registry, "edgechat.jobs.failed")).isEqualTo(1);
            // failed jobs are kept for queue.failedTtlMs
            assertThat(ttl.toLong()).isBetween(1L, 120_000L);
          });
          return null;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Verifies that a failed try leaves the job delayed, with its error, in the delayed set until its retry is due. */
  @Test
  void failedTry_delayedWithErrorUntilDue(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    long backoffMs = 60_000;
    JobQueue queue = queue(vertx, settings(type, 1, 3, backoffMs, 5000, 100), new SimpleMeterRegistry());
    queue.handle(type, job -> Future.failedFuture(new RuntimeException("not yet")));
    long before = time.millis();
    queue.startWorker()
        .compose(v -> queue.enqueue(type, new JsonObject()))
        .compose(job -> awaitState(vertx, queue, job.id(), JobState.DELAYED).compose(v -> queue.find(job.id())))
        .compose(found -> redis(vertx).zscore(JobQueue.delayedSet(type), found.orElseThrow().id()).map(due -> {
          ctx.verify(() -> {
            Job job = found.orElseThrow();
            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.error()).isEqualTo("not yet");
            assertThat(due.toLong()).isBetween(before + (long) (backoffMs * (1 - Backoff.JITTER)),
                time.millis() + backoffMs);
          });
          return null;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Verifies that a job whose worker stopped mid-job (closed without finishing it) is taken over by
   * another worker once stalled, and completes once: its effect is applied once.
   */
  @Test
  void workerStoppedMidJob_jobTakenOverAndCompletedOnce(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    long stalledMs = 300;
    EdgechatConfig.Queue settings = settings(type, 2, 3, 50, stalledMs, 100);
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    JobQueue doomed = queue(vertx, settings, registryB);
    JobQueue survivor = queue(vertx, settings, registryA);
    Promise<Job> doomedTook = Promise.promise();
    long[] doomedTookAt = new long[1];
    long[] survivorRanAt = new long[1];
    doomed.handle(type, job -> {
      doomedTookAt[0] = time.millis();
      doomedTook.tryComplete(job);
      return Promise.<JsonObject>promise().future(); // hangs: its worker goes before finishing it
    });
    Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();
    AtomicInteger survivorRuns = new AtomicInteger();
    survivor.handle(type, job -> {
      survivorRuns.incrementAndGet();
      survivorRanAt[0] = time.millis();
      // idempotent effect: the document is stored once, however often the job runs
      effects.computeIfAbsent(job.id(), id -> new AtomicInteger()).compareAndSet(0, 1);
      return Future.succeededFuture(new JsonObject().put("by", "survivor"));
    });
    doomed.startWorker()
        .compose(v -> doomed.enqueue(type, new JsonObject().put("doc", "d1")))
        .compose(job -> doomedTook.future()
            .compose(taken -> {
              Future<Void> closed = doomed.close();
              // the hung job holds the close for queue.drainTimeoutMs (200 ms), then is left behind
              return time.advanceMs(200).compose(v -> closed);
            })
            // started from a plain thread: called back on the doomed queue's context, whose deployment has
            // just been undeployed, Vert.x would refuse the survivor's verticle as its child
            .compose(v -> Future.fromCompletionStage(CompletableFuture.supplyAsync(survivor::startWorker)
                .thenCompose(Future::toCompletionStage), vertx.getOrCreateContext()))
            .compose(v -> lookUntil(vertx, survivor, stalledMs, () -> count(registryA, "edgechat.jobs.reclaimed") > 0))
            .compose(v -> awaitState(vertx, survivor, job.id(), JobState.COMPLETED))
            .compose(v -> survivor.find(job.id())))
        .compose(found -> redis(vertx).xpending(List.of(JobQueue.stream(type), JobQueue.GROUP)).map(pending -> {
          ctx.verify(() -> {
            Job job = found.orElseThrow();
            assertThat(job.result()).isEqualTo(new JsonObject().put("by", "survivor"));
            assertThat(job.attempts()).isEqualTo(2);
            assertThat(survivorRuns.get()).isEqualTo(1);
            assertThat(effects.get(job.id()).get()).isEqualTo(1);
            assertThat(count(registryA, "edgechat.jobs.reclaimed")).isEqualTo(1);
            assertThat(count(registryA, "edgechat.jobs.completed")).isEqualTo(1);
            assertThat(count(registryB, "edgechat.jobs.completed")).isZero();
            // taken over only once its claim went unrenewed for stalledMs
            assertThat(survivorRanAt[0] - doomedTookAt[0]).isGreaterThanOrEqualTo(stalledMs);
            // nothing is left pending in the group
            assertThat(pending.get(0).toLong()).isZero();
          });
          return null;
        }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Verifies that when a job is taken over from a worker that was only paused (not dead), the
   * paused try's late outcome is dropped, even while the try that took it over still runs: the job
   * ends with the outcome of the try that took it over.
   */
  @Test
  void pausedWorker_lateOutcomeAfterTakeover_dropped(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    long takerStalledMs = 200;
    // the paused worker renews its claim only every 20 s: to a worker with stalledMs 200 it looks dead
    SimpleMeterRegistry pausedRegistry = new SimpleMeterRegistry();
    JobQueue paused = queue(vertx, settings(type, 1, 3, 50, 60_000, 100), pausedRegistry);
    JobQueue taker = queue(vertx, settings(type, 1, 3, 50, 200, 100), new SimpleMeterRegistry());
    Promise<JsonObject> pausedOutcome = Promise.promise();
    Promise<Void> pausedTook = Promise.promise();
    paused.handle(type, job -> {
      pausedTook.tryComplete();
      return pausedOutcome.future();
    });
    Promise<JsonObject> takerOutcome = Promise.promise();
    Promise<Void> takerTook = Promise.promise();
    taker.handle(type, job -> {
      takerTook.tryComplete();
      return takerOutcome.future();
    });
    paused.startWorker()
        .compose(v -> paused.enqueue(type, new JsonObject()))
        .compose(job -> pausedTook.future()
            .compose(v -> taker.startWorker())
            .compose(v -> lookUntil(vertx, taker, takerStalledMs, () -> takerTook.future().isComplete()))
            .compose(v -> takerTook.future())
            .compose(v -> {
              // the paused try ends while the taker's try runs
              pausedOutcome.complete(new JsonObject().put("by", "paused"));
              // once its slot is free, the paused worker has written, or refused to write, its outcome
              return Await.until(vertx, () -> Future.succeededFuture(
                  pausedRegistry.get("edgechat.jobs.active").gauge().value() == 0), WAIT_MS);
            })
            .compose(v -> paused.find(job.id()))
            .compose(midway -> {
              ctx.verify(() -> {
                assertThat(midway.orElseThrow().state()).isEqualTo(JobState.ACTIVE);
                assertThat(midway.orElseThrow().attempts()).isEqualTo(2);
              });
              takerOutcome.complete(new JsonObject().put("by", "taker"));
              return awaitState(vertx, taker, job.id(), JobState.COMPLETED);
            })
            .compose(v -> paused.find(job.id())))
        .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
          Job job = found.orElseThrow();
          assertThat(job.result()).isEqualTo(new JsonObject().put("by", "taker"));
          assertThat(job.attempts()).isEqualTo(2);
          assertThat(count(pausedRegistry, "edgechat.jobs.completed")).isZero();
          ctx.completeNow();
        })));
  }

  /** Verifies that a worker running a job longer than stalledMs renews its claim, so no other worker takes it over. */
  @Test
  void longJob_claimRenewed_notTakenOver(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    long stalledMs = 200;
    EdgechatConfig.Queue settings = settings(type, 1, 3, 50, stalledMs, 100);
    SimpleMeterRegistry registryOther = new SimpleMeterRegistry();
    JobQueue runner = queue(vertx, settings, new SimpleMeterRegistry());
    JobQueue other = queue(vertx, settings, registryOther);
    Promise<Void> started = Promise.promise();
    Promise<Void> ranLong = Promise.promise();
    runner.handle(type, job -> {
      // five times stalledMs: long enough for the other worker to look for stalled jobs several times
      Future<JsonObject> slow = time.timer(5 * stalledMs).onComplete(ranLong).map(new JsonObject().put("slow", true));
      started.tryComplete();
      return slow;
    });
    AtomicInteger otherRuns = new AtomicInteger();
    other.handle(type, job -> {
      otherRuns.incrementAndGet();
      return Future.succeededFuture(new JsonObject());
    });
    runner.startWorker()
        .compose(v -> runner.enqueue(type, new JsonObject()))
        .compose(job -> started.future()
            .compose(v -> other.startWorker())
            .compose(v -> lookUntil(vertx, other, stalledMs, () -> ranLong.future().isComplete()))
            .compose(v -> awaitState(vertx, runner, job.id(), JobState.COMPLETED))
            .compose(v -> runner.find(job.id())))
        .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
          Job job = found.orElseThrow();
          assertThat(job.attempts()).isEqualTo(1);
          assertThat(job.result()).isEqualTo(new JsonObject().put("slow", true));
          assertThat(otherRuns.get()).isZero();
          assertThat(count(registryOther, "edgechat.jobs.reclaimed")).isZero();
          ctx.completeNow();
        })));
  }

  /** Verifies the retention bound: only the newest keepCompleted finished jobs of a type are kept, each with a TTL. */
  @Test
  void completedJobs_beyondKeepCompleted_removed(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    int keep = 3;
    int jobs = 7;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobQueue queue = queue(vertx, settings(type, 1, 3, 50, 5000, keep), registry);
    queue.handle(type, job -> Future.succeededFuture(new JsonObject()));
    List<String> ids = new ArrayList<>();
    Future<Void> enqueued = Future.succeededFuture();
    for (int i = 0; i < jobs; i++) {
      // one after another, so that with concurrency 1 they finish in order
      enqueued = enqueued.compose(v -> queue.enqueue(type, new JsonObject()).map(job -> {
        ids.add(job.id());
        return null;
      }));
    }
    RedisAPI redis = redis(vertx);
    enqueued
        .compose(v -> queue.startWorker())
        .compose(v -> Await.until(vertx,
            () -> Future.succeededFuture(count(registry, "edgechat.jobs.completed") == jobs), WAIT_MS))
        .compose(v -> Future.join(ids.stream().map(queue::find).toList()))
        .compose(found -> Future.all(redis.zcard(JobQueue.completedSet(type)),
                redis.pttl(JobQueue.JOB_PREFIX + ids.get(jobs - 1)), redis.xlen(JobQueue.stream(type)))
            .map(counts -> {
              ctx.verify(() -> {
                List<Optional<Job>> kept = found.<Optional<Job>>list();
                assertThat(kept.subList(0, jobs - keep)).allMatch(Optional::isEmpty);
                assertThat(kept.subList(jobs - keep, jobs))
                    .allMatch(job -> job.isPresent() && job.get().state() == JobState.COMPLETED);
                assertThat(counts.<io.vertx.redis.client.Response>resultAt(0).toLong()).isEqualTo(keep);
                assertThat(counts.<io.vertx.redis.client.Response>resultAt(1).toLong()).isBetween(1L, 60_000L);
                assertThat(counts.<io.vertx.redis.client.Response>resultAt(2).toLong()).isZero();
              });
              return null;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /** Verifies that close lets a running job finish (within drainTimeoutMs) instead of dropping it. */
  @Test
  void close_runningJob_finishesFirst(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    EdgechatConfig.Queue base = settings(type, 1, 3, 50, 5000, 100);
    EdgechatConfig.Queue settings = base.toBuilder().drainTimeoutMs(10_000).build();
    JobQueue queue = queue(vertx, settings, new SimpleMeterRegistry());
    Promise<Void> started = Promise.promise();
    queue.handle(type, job -> {
      Future<JsonObject> finished = time.timer(300).map(new JsonObject().put("finished", true));
      started.tryComplete();
      return finished;
    });
    RedisAPI redis = redis(vertx);
    queue.startWorker()
        .compose(v -> queue.enqueue(type, new JsonObject()))
        .compose(job -> started.future()
            .compose(v -> {
              Future<Void> closed = queue.close();
              // the job runs 300 ms more, well within drainTimeoutMs: close waits for it
              return time.advanceMs(300).compose(x -> closed);
            })
            .compose(v -> redis.hget(JobQueue.JOB_PREFIX + job.id(), "state")))
        .onComplete(ctx.succeeding(state -> ctx.verify(() -> {
          assertThat(state.toString()).isEqualTo("completed");
          ctx.completeNow();
        })));
  }

  /** Verifies that a malformed job id or type is refused and an unknown id is simply not found. */
  @Test
  void badIdsAndTypes_refusedOrNotFound(Vertx vertx, VertxTestContext ctx) {
    JobQueue queue = queue(vertx, settings(freshType(), 1, 3, 50, 5000, 100), new SimpleMeterRegistry());
    Future<Job> badId = queue.enqueue("ingest", new JsonObject(), "no spaces/allowed");
    Future<Job> badType = queue.enqueue("Ingest!", new JsonObject());
    Future<Optional<Job>> unknown = queue.find("AAAAAAAAAAAAAAAAAAAAAA");
    Future<Optional<Job>> malformed = queue.find("../etc/passwd");
    Future.join(badId, badType, unknown, malformed).onComplete(v -> ctx.verify(() -> {
      assertThat(badId.cause()).isInstanceOf(IllegalArgumentException.class);
      assertThat(badType.cause()).isInstanceOf(IllegalArgumentException.class);
      assertThat(unknown.result()).isEmpty();
      assertThat(malformed.result()).isEmpty();
      ctx.completeNow();
    }));
  }

  private static double gauge(SimpleMeterRegistry registry, String name, String type) {
    return registry.get(name).tag("type", type).gauge().value();
  }

  /**
   * Verifies that the depth of a type this process enqueued is read on the scheduler's timer, with
   * no worker running: the stream's length, then a job a worker took counted as pending.
   */
  @Test
  void depth_enqueuedThenTaken_gaugesReadOnTheTimer(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobQueue sender = queue(vertx, settings(type, 1, 3, 50, 60_000, 100), registry);
    JobQueue worker = queue(vertx, settings(type, 1, 3, 50, 60_000, 100), new SimpleMeterRegistry());
    Promise<JsonObject> held = Promise.promise();
    worker.handle(type, job -> held.future());
    Future.all(List.of(sender.enqueue(type, new JsonObject()), sender.enqueue(type, new JsonObject()),
            sender.enqueue(type, new JsonObject())))
        .compose(v -> {
          ctx.verify(() -> assertThat(gauge(registry, "edgechat.jobs.stream.length", type))
              .as("unknown before the first reading").isNaN());
          return readDepth(vertx, sender);
        })
        .compose(v -> {
          ctx.verify(() -> {
            assertThat(gauge(registry, "edgechat.jobs.stream.length", type)).isEqualTo(3);
            assertThat(gauge(registry, "edgechat.jobs.stream.pending", type)).isZero();
            assertThat(gauge(registry, "edgechat.jobs.delayed", type)).isZero();
          });
          return worker.startWorker();
        })
        .compose(v -> Await.until(vertx, () -> readDepth(vertx, sender)
            .map(r -> gauge(registry, "edgechat.jobs.stream.pending", type) == 1), WAIT_MS))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(gauge(registry, "edgechat.jobs.stream.length", type)).isEqualTo(3);
          held.complete(new JsonObject());
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that while the queue Redis cannot be reached the depth readings still run on the
   * timer, fail quietly and leave the gauges unknown (NaN), never a stale figure.
   */
  @Test
  void depth_redisDown_readingsFailQuietlyAsUnknown(Vertx vertx, VertxTestContext ctx) {
    String type = freshType();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    JobQueue queue = JobQueue.create(vertx, java.net.URI.create("redis://127.0.0.1:1"),
        settings(type, 1, 3, 50, 5000, 100), 200, registry, time);
    queues.add(queue);
    queue.enqueue(type, new JsonObject())
        .transform(enqueued -> {
          ctx.verify(() -> assertThat(enqueued.failed()).as("no Redis: the enqueue fails").isTrue());
          return readDepth(vertx, queue).compose(v -> readDepth(vertx, queue));
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(queue.depthReadings()).isGreaterThanOrEqualTo(2);
          assertThat(gauge(registry, "edgechat.jobs.stream.length", type)).isNaN();
          assertThat(gauge(registry, "edgechat.jobs.stream.pending", type)).isNaN();
          assertThat(gauge(registry, "edgechat.jobs.delayed", type)).isNaN();
          ctx.completeNow();
        })));
  }

  /** Moves time on by one period of the depth readings and waits until {@code queue} has finished one more. */
  private Future<Void> readDepth(Vertx vertx, JobQueue queue) {
    long before = queue.depthReadings();
    return time.advanceMs(QueueDepth.EVERY_MS)
        .compose(v -> Await.until(vertx, () -> Future.succeededFuture(queue.depthReadings() > before), WAIT_MS));
  }
}
