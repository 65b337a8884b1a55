package dev.edgechat.jobs;

import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The depth of each job type's queue as gauges, read from the queue Redis every
 * {@value #EVERY_MS} ms: the stream's length ({@code XLEN}: jobs waiting plus those a worker has
 * taken and not finished), how many of those a worker has taken ({@code XPENDING}'s count for the
 * group), and the retries waiting for their backoff ({@code ZCARD} of the delayed set). Jobs
 * waiting for a worker are the length less the pending.
 *
 * <p>The types are those this process handles or has enqueued (origin knows the ones it sends, so
 * the depth shows even when no worker runs). The reads are three commands per type, sent without
 * waiting for each other, and a read still under way when the next falls due skips that turn, so a
 * slow Redis never piles reads up; none blocks a thread. A read that fails sets its gauges to NaN
 * (unknown, a gap on a graph, rather than a stale figure) and is logged at debug only: the queue
 * Redis's own failures show in {@code /readyz} and in the enqueues that fail.
 *
 * <p>Design note: polled rather than counted on enqueue and completion, because the queue is
 * shared by every process (a count of one process's own would be wrong) and Redis answers these
 * in O(1).
 */
final class QueueDepth {

  private static final Logger LOG = LoggerFactory.getLogger(QueueDepth.class);
  /** How often the depth is read. */
  static final long EVERY_MS = 5000;

  private final RedisAPI redis;
  private final Scheduler scheduler;
  private final MeterRegistry registry;
  private final Map<String, Depth> types = new ConcurrentHashMap<>();
  private final AtomicBoolean reading = new AtomicBoolean();
  private final AtomicLong readings = new AtomicLong();
  private Scheduler.Timer timer;
  private boolean stopped;

  /** One type's last reading; NaN before the first and after a failed one. */
  private static final class Depth {
    volatile double length = Double.NaN;
    volatile double pending = Double.NaN;
    volatile double delayed = Double.NaN;
  }

  QueueDepth(RedisAPI redis, Scheduler scheduler, MeterRegistry registry) {
    this.redis = Objects.requireNonNull(redis);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.registry = Objects.requireNonNull(registry);
  }

  /** Reads the depth of {@code type} from now on (the first type starts the timer). */
  void watch(String type) {
    if (types.containsKey(type)) {
      return;
    }
    Depth depth = new Depth();
    if (types.putIfAbsent(type, depth) != null) {
      return;
    }
    Gauge.builder("edgechat.jobs.stream.length", depth, d -> d.length).tag("type", type)
        .description("entries of a job type's stream: jobs waiting plus those a worker has taken (XLEN)")
        .register(registry);
    Gauge.builder("edgechat.jobs.stream.pending", depth, d -> d.pending).tag("type", type)
        .description("jobs of the stream a worker has taken and not finished (XPENDING)").register(registry);
    Gauge.builder("edgechat.jobs.delayed", depth, d -> d.delayed).tag("type", type)
        .description("failed tries waiting for their backoff before going back into the stream").register(registry);
    synchronized (this) {
      if (timer == null && !stopped) {
        timer = scheduler.every(EVERY_MS, this::read);
      }
    }
  }

  /** Stops reading. */
  synchronized void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** Reads every type's depth, unless the last reading is still under way. */
  void read() {
    if (!reading.compareAndSet(false, true)) {
      return;
    }
    List<Future<Void>> reads = types.entrySet().stream().map(e -> read(e.getKey(), e.getValue())).toList();
    Future.join(reads).onComplete(done -> {
      readings.incrementAndGet();
      reading.set(false);
    });
  }

  /** Readings finished so far (succeeded or not): for tests. */
  long readings() {
    return readings.get();
  }

  private Future<Void> read(String type, Depth depth) {
    String stream = JobQueue.stream(type);
    Future<Response> length = redis.xlen(stream);
    // no group yet (no worker ever ran this type): nothing was taken
    Future<Long> pending = redis.xpending(List.of(stream, JobQueue.GROUP))
        .map(r -> r == null || r.size() == 0 ? 0L : r.get(0).toLong())
        .recover(e -> e.getMessage() != null && e.getMessage().startsWith("NOGROUP")
            ? Future.succeededFuture(0L) : Future.failedFuture(e));
    Future<Response> delayed = redis.zcard(JobQueue.delayedSet(type));
    return Future.all(length, pending, delayed)
        .onSuccess(all -> {
          depth.length = length.result() == null ? 0 : length.result().toLong();
          depth.pending = pending.result();
          depth.delayed = delayed.result() == null ? 0 : delayed.result().toLong();
        })
        .onFailure(e -> {
          depth.length = Double.NaN;
          depth.pending = Double.NaN;
          depth.delayed = Double.NaN;
          LOG.debug("job queue depth not read [type: {}, reason: {}]", type, e.toString());
        })
        .<Void>mapEmpty();
  }
}
