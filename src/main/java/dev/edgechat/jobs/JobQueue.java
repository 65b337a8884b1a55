package dev.edgechat.jobs;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.ops.Readiness;
import dev.edgechat.protocol.Jobs;
import dev.edgechat.redis.RedisUrl;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Ids;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queue: Bull's semantics on Redis Streams with a consumer group.
 *
 * <p><b>Keys.</b> Each job type is a queue of its own: a stream {@code edgechat:jobs:<type>} with
 * the consumer group {@code workers}, a sorted set {@code …:delayed} of retries by due time, and
 * sorted sets {@code …:completed} and {@code …:failed} of finished job ids by finish time. Each job
 * is a hash {@code edgechat:job:<id>} (id, type, state, attempts, payload, result, error,
 * createdAt, updatedAt, and while it waits or runs the stream entry it runs under). A stream
 * entry carries only the job id. One stream per type, rather than one stream with a type field, so
 * that concurrency is per type (a read asks for as many entries as the type has free slots), a
 * backlog of one type never delays another, and a process reads only the types it has handlers
 * for instead of taking jobs it would have to hand back.
 *
 * <p><b>States.</b> {@link #enqueue} writes the hash and adds the entry in one script and answers
 * at once (state {@code waiting}). A worker reads entries with {@code XREADGROUP … BLOCK} on a
 * connection of its own per type (a blocked read holds its connection; the shared pool and the
 * event loop never wait), then a script marks the job {@code active} and counts the attempt. The
 * handler's success completes the job ({@code completed}, result kept); its failure moves the job
 * to the delayed set ({@code delayed}) until its backoff has passed (exponential, with jitter:
 * {@link Backoff}), when a timer's script puts it back into the stream ({@code waiting}); after
 * {@code queue.maxAttempts} tries it is {@code failed} with the last error. Finishing acks
 * ({@code XACK}) and deletes ({@code XDEL}) the entry in the same script, so a stream holds only
 * jobs that wait or run: it never needs trimming by length, which could drop waiting jobs.
 *
 * <p><b>Stalled jobs.</b> A worker that starts a job stamps its claim with the time
 * ({@code claimedAt} in the job's hash) and, while the job runs, renews the stamp every
 * {@code stalledMs/3} (and resets the entry's idle time with {@code XCLAIM … JUSTID}). A worker
 * that died (or stalled) stops renewing; every {@code stalledMs/2} each worker looks through the
 * group's pending entries for claims older than {@code stalledMs}, takes them over ({@code XCLAIM})
 * and runs them again. A job whose tries all ended that way fails. The first run may still be going
 * (a long pause rather than a death), which is why handlers must be idempotent; its outcome is
 * fenced out: finishing checks that the try is still the job's current one (same entry and attempt
 * number). An entry read but never started (its worker died in between) has no stamp; it is judged
 * by its idle time in Redis instead.
 *
 * <p><b>Time.</b> Every time the queue decides by (due retries, claim stamps, retention, the
 * renew, look and drain timers) comes from one injected {@link Scheduler}, so tests move time
 * instead of waiting. Stamps and due times are the workers' wall clocks, compared between
 * processes: their clocks must agree to well within {@code stalledMs} (NTP does). The look for
 * stalled jobs is a timer; when it falls due while the reader is blocked waiting for new jobs, the
 * read is woken ({@code CLIENT UNBLOCK}), and no read blocks longer than one look's period anyway.
 *
 * <p><b>Retention.</b> A finished job's hash gets a TTL ({@code completedTtlMs} / {@code
 * failedTtlMs}) and only the newest {@code keepCompleted} / {@code keepFailed} of a type are
 * kept; older ones are deleted when a job of the type finishes. A job id is its dedupe key while
 * the job is kept: enqueueing an id that exists returns the existing job.
 *
 * <p><b>Closing.</b> {@link #close()} stops reading (unblocking the blocked reads with {@code
 * CLIENT UNBLOCK}), lets running jobs finish for at most {@code drainTimeoutMs}, and leaves
 * the rest in the group's pending list, where another worker takes them over after {@code
 * stalledMs}: nothing accepted is lost.
 *
 * <p>Every state change that spans keys is a Lua script ({@link QueueScripts}), so a job is
 * always in exactly one place. The queue Redis should run with {@code maxmemory-policy noeviction}.
 */
public final class JobQueue {

  private static final Logger LOG = LoggerFactory.getLogger(JobQueue.class);

  static final String JOB_PREFIX = "edgechat:job:";
  static final String QUEUE_PREFIX = "edgechat:jobs:";
  static final String GROUP = "workers";
  private static final Pattern JOB_TYPE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final int MAX_ERROR_CHARS = 2000;
  /** At most this long between two looks at a delayed set (another process may have added a retry). */
  private static final long PROMOTE_POLL_MS = 1000;
  private static final int PROMOTE_BATCH = 100;
  private static final long RECONNECT_MS = 1000;
  /**
   * How long a caller waits for the queue Redis to answer an enqueue or a read before taking it for
   * unreachable: a Redis that hangs (not refusing connections, just silent) must not hang an API call.
   */
  public static final long ANSWER_TIMEOUT_MS = 3000;
  /** The {@code Retry-After} of a call refused because the queue Redis did not answer. */
  public static final long RETRY_AFTER_SECONDS = 5;

  private final Vertx vertx;
  private final Redis client;
  private final RedisAPI redis;
  private final boolean ownsClient;
  private final EdgechatConfig.Queue settings;
  private final Scheduler scheduler;
  private final Clock clock;
  private final MeterRegistry registry;
  private final String consumer;
  private final QueueDepth depth;
  private final Map<String, JobHandler> handlers = new LinkedHashMap<>();
  private final List<TypeWorker> workers = new CopyOnWriteArrayList<>();
  private volatile boolean started;
  private volatile boolean closing;
  private volatile String deployment;
  private Future<Void> workersStopped;
  private Future<Void> closed;

  /**
   * @param client a RESP2 client of the queue Redis; it also lends each worker its connection for
   *     blocking reads
   * @param ownsClient whether {@link #close()} closes the client
   * @param registry where the job metrics go, or null for none
   * @param scheduler the clock and timers the queue runs by
   */
  JobQueue(Vertx vertx, Redis client, boolean ownsClient, EdgechatConfig.Queue settings, MeterRegistry registry,
      Scheduler scheduler) {
    this.vertx = Objects.requireNonNull(vertx);
    this.client = Objects.requireNonNull(client);
    this.redis = RedisAPI.api(client);
    this.ownsClient = ownsClient;
    this.settings = Objects.requireNonNull(settings);
    this.registry = registry != null ? registry : new CompositeMeterRegistry();
    this.scheduler = Objects.requireNonNull(scheduler);
    this.clock = scheduler.clock();
    this.depth = new QueueDepth(redis, scheduler, this.registry);
    this.consumer = System.getenv().getOrDefault("HOSTNAME", "worker") + "-" + ProcessHandle.current().pid() + "-"
        + Ids.next().substring(0, 8);
  }

  /**
   * A queue on the Redis at {@code url} (the queue Redis: {@code queue.redisUrl}, else {@code
   * redis.url}); its client connects on first use and is closed by {@link #close()}.
   *
   * @param registry where the job metrics go, or null for none
   */
  public static JobQueue create(Vertx vertx, URI url, EdgechatConfig.Queue settings, long connectTimeoutMs,
      MeterRegistry registry) {
    return create(vertx, url, settings, connectTimeoutMs, registry, Scheduler.of(vertx));
  }

  /**
   * A queue as {@link #create(Vertx, URI, EdgechatConfig.Queue, long, MeterRegistry)} makes it,
   * running by {@code scheduler}'s clock and timers.
   */
  public static JobQueue create(Vertx vertx, URI url, EdgechatConfig.Queue settings, long connectTimeoutMs,
      MeterRegistry registry, Scheduler scheduler) {
    int readers = settings.concurrency().size() + 1;
    RedisOptions options = RedisUrl.options(url)
        // replies keep one shape (arrays, not RESP3 maps): the scripts and reads below parse them
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        // a blocking reader per job type holds a connection; commands share the rest
        .setMaxPoolSize(8 + readers)
        .setMaxPoolWaiting(1024);
    options.getNetClientOptions().setConnectTimeout((int) connectTimeoutMs);
    return new JobQueue(vertx, Redis.createClient(vertx, options), true, settings, registry, scheduler);
  }

  /** Whether {@code id} could be a job id (URL-safe, 1 to 128 characters). */
  public static boolean isJobId(String id) {
    return Jobs.isJobId(id);
  }

  /** Enqueues a job under a new random id; succeeds at once with the job in state {@code waiting}. */
  public Future<Job> enqueue(String type, JsonObject payload) {
    return enqueue(type, payload, Ids.next());
  }

  /**
   * Enqueues a job under {@code jobId} unless a job with that id is still kept, in which case
   * that job is the answer (whatever its type and state): enqueueing the same id twice makes one job.
   * The id is also what reads the job from the public {@code GET /v1/jobs/{id}}, so a dedupe id
   * should not be guessable by visitors (derive it from an id that is, or use {@link Ids}).
   *
   * @param jobId 1 to 128 of {@code A-Z a-z 0-9 _ - . :}
   */
  public Future<Job> enqueue(String type, JsonObject payload, String jobId) {
    if (!JOB_TYPE.matcher(type).matches()) {
      return Future.failedFuture(new IllegalArgumentException("job type '" + type
          + "' is not 1 to 32 lower-case letters, digits or '-', starting with a letter"));
    }
    if (!isJobId(jobId)) {
      return Future.failedFuture(new IllegalArgumentException("job id '" + jobId
          + "' is not 1 to 128 of A-Z a-z 0-9 _ - . :"));
    }
    Objects.requireNonNull(payload);
    depth.watch(type);
    String now = Long.toString(clock.millis());
    return QueueScripts.ENQUEUE.run(redis,
            List.of(JOB_PREFIX + jobId, stream(type), completedSet(type), failedSet(type)),
            List.of(jobId, type, payload.encode(), now))
        .map(r -> {
          boolean created = r.get(0).toInteger() == 1;
          Job job = toJob(r.get(1));
          if (created) {
            LOG.debug("job enqueued [id: {}, type: {}]", jobId, type);
          } else {
            LOG.debug("job already enqueued, not repeated [id: {}, type: {}, state: {}]", jobId, job.type(),
                job.state().wire());
          }
          return job;
        });
  }

  /** The job with {@code id}; empty when there is none (never was, or no longer kept) or the id is malformed. */
  public Future<Optional<Job>> find(String id) {
    if (!isJobId(id)) {
      return Future.succeededFuture(Optional.empty());
    }
    return redis.hgetall(JOB_PREFIX + id).map(r -> r == null || r.size() == 0 ? Optional.empty() : Optional.of(toJob(r)));
  }

  /** Runs the jobs of {@code type} with {@code handler} once {@link #startWorker()} is called. Register before that. */
  public void handle(String type, JobHandler handler) {
    if (started) {
      throw new IllegalStateException("register handlers before startWorker(); job type '" + type + "' came late");
    }
    if (!JOB_TYPE.matcher(type).matches()) {
      throw new IllegalArgumentException("job type '" + type
          + "' is not 1 to 32 lower-case letters, digits or '-', starting with a letter");
    }
    if (handlers.putIfAbsent(type, Objects.requireNonNull(handler)) != null) {
      throw new IllegalStateException("job type '" + type + "' has a handler already");
    }
    depth.watch(type);
  }

  /**
   * Starts a worker for each registered type: it joins the type's consumer group (creating it),
   * opens its reading connection and starts taking jobs. Fails when Redis cannot be reached.
   */
  public Future<Void> startWorker() {
    if (started) {
      return Future.failedFuture(new IllegalStateException("the worker has started already"));
    }
    started = true;
    if (handlers.isEmpty()) {
      LOG.warn("job worker started with no handlers: it runs no jobs");
      return Future.succeededFuture();
    }
    // a context of its own (an event loop), whatever thread starts the worker: every worker's state lives there
    return vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        handlers.forEach((type, handler) -> workers.add(new TypeWorker(context, type, handler)));
        return Future.all(workers.stream().map(TypeWorker::start).toList()).recover(e -> {
          // one type could not start (Redis unreachable): stop the others, and this queue with them
          closing = true;
          return Future.join(workers.stream().map(TypeWorker::stop).toList()).transform(v -> Future.failedFuture(e));
        });
      }
    }).<Void>map(id -> {
      deployment = id;
      LOG.info("job worker started [consumer: {}, types: {}]", consumer,
          workers.stream().map(w -> w.type + "×" + w.concurrency).toList());
      return null;
    });
  }

  /**
   * Stops taking jobs and lets running ones finish for at most {@code queue.drainTimeoutMs} (the
   * rest are taken over by another worker after {@code queue.stalledMs}); the connections stay
   * open, so jobs can still be enqueued and read (a draining origin still serves the admin API).
   * Succeeds once no job of this process runs; never fails.
   */
  public synchronized Future<Void> drain() {
    if (workersStopped == null) {
      closing = true;
      workersStopped = Future.join(workers.stream().map(TypeWorker::stop).toList())
          .transform(v -> deployment != null ? vertx.undeploy(deployment) : Future.succeededFuture())
          .<Void>mapEmpty()
          .otherwiseEmpty();
    }
    return workersStopped;
  }

  /** {@link #drain() Drains}, then closes the connections. */
  public synchronized Future<Void> close() {
    if (closed == null) {
      depth.stop();
      closed = drain().transform(v -> ownsClient ? client.close() : Future.<Void>succeededFuture());
    }
    return closed;
  }

  /**
   * The error of an API call that needed the queue Redis and could store nothing without it (an
   * asynchronous chat, a job's state): {@code 503 overloaded} with {@code Retry-After} (API.md §5).
   * Writes that Postgres keeps answer 202 instead and hand their job over later ({@link JobOutbox}).
   */
  public static ApiError unreachable(String what) {
    return ApiError.overloaded("the job queue does not answer: " + what + "; try again shortly", RETRY_AFTER_SECONDS);
  }

  /** For {@code /readyz}: the queue Redis answers; without it the process is unready (a worker). */
  public Readiness readiness() {
    return readiness(true);
  }

  /**
   * For {@code /readyz}: the queue Redis answers.
   *
   * @param essential whether the process is unready without it; origin is not (its writes wait in
   *     the {@link JobOutbox}), so it reports the queue {@code degraded} instead of going unready
   */
  public Readiness readiness(boolean essential) {
    return new Readiness() {
      @Override
      public String name() {
        return "queue-redis";
      }

      @Override
      public boolean essential() {
        return essential;
      }

      @Override
      public Future<Void> check() {
        return redis.ping(List.of()).mapEmpty();
      }
    };
  }

  /** This process's name in the consumer groups. */
  String consumer() {
    return consumer;
  }

  /** Looks for stalled jobs this queue's workers have finished so far, all types: for tests. */
  long looksForStalledJobs() {
    return workers.stream().mapToLong(w -> w.looks.get()).sum();
  }

  /** Readings of the queues' depth finished so far: for tests. */
  long depthReadings() {
    return depth.readings();
  }

  static String stream(String type) {
    return QUEUE_PREFIX + type;
  }

  static String delayedSet(String type) {
    return QUEUE_PREFIX + type + ":delayed";
  }

  static String completedSet(String type) {
    return QUEUE_PREFIX + type + ":completed";
  }

  static String failedSet(String type) {
    return QUEUE_PREFIX + type + ":failed";
  }

  /** A job from its hash's fields, as HGETALL answers them (field, value, field, value…). */
  private static Job toJob(Response fields) {
    Map<String, String> hash = new LinkedHashMap<>();
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      hash.put(fields.get(i).toString(), fields.get(i + 1).toString());
    }
    String result = hash.get("result");
    return new Job(
        hash.get("id"),
        hash.get("type"),
        JobState.fromWire(hash.get("state")).orElseThrow(() -> new IllegalStateException(
            "job " + hash.get("id") + " has an unknown state '" + hash.get("state") + "'")),
        Integer.parseInt(hash.getOrDefault("attempts", "0")),
        new JsonObject(hash.getOrDefault("payload", "{}")),
        result != null ? new JsonObject(result) : null,
        hash.get("error"),
        Instant.ofEpochMilli(Long.parseLong(hash.get("createdAt"))),
        Instant.ofEpochMilli(Long.parseLong(hash.get("updatedAt"))));
  }

  private static String describe(Throwable e) {
    String text = e.getMessage() != null && !e.getMessage().isBlank()
        ? e.getMessage()
        : e.getClass().getSimpleName();
    return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) : text;
  }

  /** A stream entry delivered to this worker, and the job it names (null when the entry is gone). */
  private record Entry(String id, String jobId) {
  }

  /** One try of a job that this worker runs. */
  private record Run(Job job, long startedMillis) {
  }

  /**
   * The worker of one job type. All its state lives on one context (an event loop): reads, claims,
   * handler outcomes and timers all run there, so it needs no locks.
   */
  private final class TypeWorker {

    private final Context context;
    private final String type;
    private final JobHandler handler;
    private final int concurrency;
    private final String stream;
    private final AtomicInteger active = new AtomicInteger();
    /** Tries under way, by stream entry. */
    private final Map<String, Run> running = new LinkedHashMap<>();
    private final Promise<Void> readerStopped = Promise.promise();
    private final Promise<Void> drained = Promise.promise();
    private final Counter completed;
    private final Counter failed;
    private final Counter retried;
    private final Counter reclaimed;
    private RedisConnection readerConnection;
    private RedisAPI reader;
    private long readerClientId = -1;
    private boolean reading;
    /** Whether the reader waits in {@code XREADGROUP … BLOCK} (a look falling due wakes it). */
    private boolean blocked;
    private boolean waitingForSlot;
    private boolean lookDue = true;
    private final AtomicLong looks = new AtomicLong();
    private String reclaimCursor = "0-0";
    private Scheduler.Timer renewTimer;
    private Scheduler.Timer lookTimer;
    private Scheduler.Timer promoteTimer;
    private long promoteAt = Long.MAX_VALUE;

    TypeWorker(Context context, String type, JobHandler handler) {
      this.context = context;
      this.type = type;
      this.handler = handler;
      this.concurrency = settings.concurrencyOf(type);
      this.stream = stream(type);
      this.completed = counter("edgechat.jobs.completed", "jobs completed");
      this.failed = counter("edgechat.jobs.failed", "jobs failed after their last try");
      this.retried = counter("edgechat.jobs.retried", "failed tries followed by a retry");
      this.reclaimed = counter("edgechat.jobs.reclaimed", "jobs taken over from a worker that died or stalled");
      Gauge.builder("edgechat.jobs.active", active, AtomicInteger::get)
          .description("jobs running in this process").tag("type", type).register(registry);
      this.age = Timer.builder("edgechat.jobs.age").tag("type", type)
          .description("a job's age when a worker starts a try of it: from its creation (retries and waits included)")
          .register(registry);
    }

    private final Timer age;

    private Counter counter(String name, String description) {
      return Counter.builder(name).description(description).tag("type", type).register(registry);
    }

    private long reclaimEveryMs() {
      return Math.max(10, settings.stalledMs() / 2);
    }

    Future<Void> start() {
      return createGroup()
          .compose(v -> connectReader())
          .onSuccess(v -> {
            renewTimer = scheduler.every(Math.max(10, settings.stalledMs() / 3), this::renew);
            lookTimer = scheduler.every(reclaimEveryMs(), this::lookFallsDue);
            promote();
            readLoop();
          });
    }

    /** The consumer group, reading the stream from its start, so jobs enqueued before any worker ran are read. */
    private Future<Void> createGroup() {
      return redis.xgroup(List.of("CREATE", stream, GROUP, "0", "MKSTREAM"))
          .<Void>mapEmpty()
          .recover(e -> e.getMessage() != null && e.getMessage().startsWith("BUSYGROUP")
              ? Future.succeededFuture()
              : Future.failedFuture(e));
    }

    private Future<Void> connectReader() {
      return client.connect().compose(connection -> {
        readerConnection = connection;
        reader = RedisAPI.api(connection);
        connection.exceptionHandler(e -> LOG.debug("job reader connection failed [type: {}, reason: {}]", type,
            e.toString()));
        return reader.client(List.of("ID")).map(id -> {
          readerClientId = id.toLong();
          return null;
        });
      });
    }

    /**
     * Takes as many jobs as there are free slots: first stalled ones when a look for them is due,
     * else new ones, waiting for them at most {@code blockMs} (and never longer than a look's period).
     */
    private void readLoop() {
      if (closing) {
        readerStopped.tryComplete();
        return;
      }
      int free = concurrency - active.get();
      if (free <= 0) {
        waitingForSlot = true;
        return;
      }
      reading = true;
      if (lookDue) {
        lookDue = false;
        QueueScripts.RECLAIM.run(redis, List.of(stream), List.of(GROUP, consumer, Long.toString(clock.millis()),
                Long.toString(settings.stalledMs()), reclaimCursor, Integer.toString(free), JOB_PREFIX))
            .onComplete(ar -> {
              reading = false;
              if (ar.succeeded()) {
                reclaimCursor = ar.result().get(0).toString();
                entries(ar.result().get(1)).forEach(entry -> begin(entry, true));
              } else if (!closing) {
                LOG.warn("looking for stalled jobs failed [type: {}, reason: {}]", type, ar.cause().toString());
              }
              looks.incrementAndGet();
              readLoop();
            });
        return;
      }
      long blockMs = Math.max(1, Math.min(settings.blockMs(), reclaimEveryMs()));
      blocked = true;
      reader.xreadgroup(List.of("GROUP", GROUP, consumer, "COUNT", Integer.toString(free),
              "BLOCK", Long.toString(blockMs), "STREAMS", stream, ">"))
          .onComplete(ar -> {
            reading = false;
            blocked = false;
            if (ar.succeeded()) {
              // entries delivered are this worker's even when it is closing: they run, and close waits for them
              Response streams = ar.result();
              if (streams != null && streams.size() > 0) {
                entries(streams.get(0).get(1)).forEach(entry -> begin(entry, false));
              }
              readLoop();
            } else {
              readFailed(ar.cause());
            }
          });
    }

    /** The look timer: a look for stalled jobs is due; a read blocked waiting for new jobs is woken for it. */
    private void lookFallsDue() {
      lookDue = true;
      if (blocked && readerClientId >= 0) {
        redis.client(List.of("UNBLOCK", Long.toString(readerClientId)));
      }
    }

    private void readFailed(Throwable e) {
      if (closing) {
        readerStopped.tryComplete();
        return;
      }
      String message = String.valueOf(e.getMessage());
      if (message.startsWith("NOGROUP")) {
        // the stream or its group was deleted under us (a flushed Redis): make them again
        LOG.warn("job stream had no consumer group; creating it [type: {}]", type);
        createGroup().onComplete(v -> scheduler.after(RECONNECT_MS, this::readLoop));
        return;
      }
      LOG.warn("reading jobs failed; reconnecting [type: {}, reason: {}]", type, e.toString());
      if (readerConnection != null) {
        readerConnection.close();
        readerConnection = null;
      }
      scheduler.after(RECONNECT_MS, () -> {
        if (closing) {
          readerStopped.tryComplete();
          return;
        }
        connectReader().onComplete(ar -> {
          if (ar.succeeded()) {
            readLoop();
          } else {
            readFailed(ar.cause());
          }
        });
      });
    }

    /** The entries of an XREADGROUP or XAUTOCLAIM reply: [[id, [field, value…]] or [id, nil]…]. */
    private List<Entry> entries(Response list) {
      List<Entry> out = new ArrayList<>();
      if (list == null) {
        return out;
      }
      for (Response item : list) {
        if (item == null) {
          continue;
        }
        String id = item.get(0).toString();
        Response fields = item.size() > 1 ? item.get(1) : null;
        String jobId = null;
        if (fields != null) {
          for (int i = 0; i + 1 < fields.size(); i += 2) {
            if ("job".equals(fields.get(i).toString())) {
              jobId = fields.get(i + 1).toString();
            }
          }
        }
        out.add(new Entry(id, jobId));
      }
      return out;
    }

    /** Marks the entry's job active (taking a slot) and runs it, or drops an entry that no longer names a runnable job. */
    private void begin(Entry entry, boolean wasStalled) {
      active.incrementAndGet();
      String jobKey = JOB_PREFIX + (entry.jobId() != null ? entry.jobId() : "");
      QueueScripts.START.run(redis, List.of(jobKey, stream, failedSet(type)),
              List.of(entry.id(), GROUP, Long.toString(clock.millis()), Integer.toString(settings.maxAttempts()),
                  consumer, Integer.toString(settings.keepFailed()), Long.toString(settings.failedTtlMs()),
                  JOB_PREFIX))
          .onComplete(ar -> {
            if (ar.failed()) {
              // the entry stays pending under this worker: it is looked at again once stalled
              LOG.warn("a job could not be started [type: {}, entry: {}, reason: {}]", type, entry.id(),
                  ar.cause().toString());
              release();
              return;
            }
            Response outcome = ar.result();
            switch (outcome.get(0).toString()) {
              case "run" -> run(entry.id(), toJob(outcome.get(1)), wasStalled);
              case "failed" -> {
                failed.increment();
                LOG.warn("job failed: its workers kept stopping during its tries [id: {}, type: {}]", entry.jobId(),
                    type);
                release();
              }
              default -> release();
            }
          });
    }

    private void run(String entry, Job job, boolean wasStalled) {
      if (wasStalled) {
        reclaimed.increment();
        LOG.info("job taken over from a stalled worker [id: {}, type: {}, attempt: {}]", job.id(), type,
            job.attempts());
      }
      running.put(entry, new Run(job, clock.millis()));
      if (job.createdAt() != null) {
        age.record(Math.max(0, clock.millis() - job.createdAt().toEpochMilli()), TimeUnit.MILLISECONDS);
      }
      Future<JsonObject> outcome;
      try {
        outcome = handler.handle(job);
        if (outcome == null) {
          outcome = Future.failedFuture(new IllegalStateException("the handler of type " + type + " returned null"));
        }
      } catch (RuntimeException e) {
        outcome = Future.failedFuture(e);
      }
      outcome.onComplete(ar -> context.runOnContext(v -> finish(entry, job, ar)));
    }

    private void finish(String entry, Job job, AsyncResult<JsonObject> outcome) {
      if (running.remove(entry) == null) {
        // abandoned at close: the entry waits for another worker to take it over
        return;
      }
      String now = Long.toString(clock.millis());
      String attempt = Integer.toString(job.attempts());
      Future<Void> written;
      if (outcome.succeeded()) {
        JsonObject result = outcome.result() != null ? outcome.result() : new JsonObject();
        written = QueueScripts.COMPLETE.run(redis, List.of(JOB_PREFIX + job.id(), stream, completedSet(type)),
                List.of(entry, GROUP, now, attempt, result.encode(), Integer.toString(settings.keepCompleted()),
                    Long.toString(settings.completedTtlMs()), JOB_PREFIX, job.id()))
            .map(r -> {
              if (r.toInteger() == 1) {
                completed.increment();
                LOG.debug("job completed [id: {}, type: {}, attempt: {}]", job.id(), type, attempt);
              } else {
                LOG.info("job outcome dropped: another worker took the job over [id: {}, type: {}, attempt: {}]",
                    job.id(), type, attempt);
              }
              return null;
            });
      } else {
        String error = describe(outcome.cause());
        long delayMs = Backoff.delayMs(job.attempts(), settings.backoffMs(), settings.maxBackoffMs(),
            ThreadLocalRandom.current().nextDouble());
        long dueAt = clock.millis() + delayMs;
        written = QueueScripts.FAIL.run(redis,
                List.of(JOB_PREFIX + job.id(), stream, delayedSet(type), failedSet(type)),
                List.of(entry, GROUP, now, attempt, error, Integer.toString(settings.maxAttempts()),
                    Long.toString(dueAt), Integer.toString(settings.keepFailed()),
                    Long.toString(settings.failedTtlMs()), JOB_PREFIX, job.id()))
            .map(r -> {
              switch (r.toString()) {
                case "delayed" -> {
                  retried.increment();
                  LOG.info("job try failed; retrying [id: {}, type: {}, attempt: {}, inMs: {}, error: {}]", job.id(),
                      type, attempt, delayMs, error);
                  promoteBy(dueAt);
                }
                case "failed" -> {
                  failed.increment();
                  LOG.warn("job failed after its last try [id: {}, type: {}, attempts: {}, error: {}]", job.id(), type,
                      attempt, error);
                }
                default -> LOG.info("job outcome dropped: another worker took the job over [id: {}, type: {}]",
                    job.id(), type);
              }
              return null;
            });
      }
      written.onComplete(ar -> {
        if (ar.failed()) {
          // the entry stays pending: once stalled, a worker takes the job over and runs it again
          LOG.warn("a job's outcome could not be saved; it will run again [id: {}, type: {}, reason: {}]", job.id(),
              type, ar.cause().toString());
        }
        release();
      });
    }

    /** Frees a slot; a reader that waited for one goes on. */
    private void release() {
      int now = active.decrementAndGet();
      if (closing) {
        if (now == 0) {
          drained.tryComplete();
        }
        return;
      }
      if (waitingForSlot) {
        waitingForSlot = false;
        readLoop();
      }
    }

    /** Keeps the claims on the entries this worker runs fresh, so no other worker takes them over. */
    private void renew() {
      if (running.isEmpty()) {
        return;
      }
      int tries = running.size();
      List<String> args = new ArrayList<>(4 + 2 * tries);
      args.add(GROUP);
      args.add(consumer);
      args.add(Long.toString(clock.millis()));
      args.add(JOB_PREFIX);
      running.forEach((entry, run) -> {
        args.add(entry);
        args.add(run.job().id());
      });
      QueueScripts.RENEW.run(redis, List.of(stream), args).onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("renewing running jobs failed [type: {}, reason: {}]", type, ar.cause().toString());
        } else if (ar.result().toInteger() < tries) {
          LOG.info("some running jobs were taken over by other workers [type: {}, running: {}, still ours: {}]", type,
              tries, ar.result().toInteger());
        }
      });
    }

    /** Looks at the delayed set by {@code dueAt} at the latest. */
    private void promoteBy(long dueAt) {
      if (closing || dueAt >= promoteAt) {
        return;
      }
      cancel(promoteTimer);
      promoteAt = dueAt;
      promoteTimer = scheduler.after(Math.max(1, dueAt - clock.millis()), () -> {
        promoteTimer = null;
        promoteAt = Long.MAX_VALUE;
        promote();
      });
    }

    /** Moves due retries into the stream, then looks again when the next one is due (or in a second at most). */
    private void promote() {
      if (closing) {
        return;
      }
      long now = clock.millis();
      QueueScripts.PROMOTE.run(redis, List.of(delayedSet(type), stream),
              List.of(Long.toString(now), Integer.toString(PROMOTE_BATCH), JOB_PREFIX))
          .onComplete(ar -> {
            long next = now + PROMOTE_POLL_MS;
            if (ar.succeeded()) {
              int moved = ar.result().get(0).toInteger();
              long due = Long.parseLong(ar.result().get(1).toString());
              if (moved == PROMOTE_BATCH) {
                next = now;
              } else if (due >= 0) {
                next = Math.min(next, due);
              }
            } else {
              LOG.warn("moving due retries failed [type: {}, reason: {}]", type, ar.cause().toString());
            }
            promoteBy(next);
          });
    }

    /** Stops reading, waits for running jobs (bounded), then leaves the group if it holds nothing. */
    Future<Void> stop() {
      Promise<Void> stopped = Promise.promise();
      // the drain deadline is set before close() returns, so that it runs from then on by the scheduler's time
      Scheduler.Timer drainTimer = scheduler.after(Math.max(1, settings.drainTimeoutMs()),
          () -> context.runOnContext(v -> {
            if (!running.isEmpty()) {
              LOG.warn("jobs still running at close are left to other workers [type: {}, jobs: {}]", type,
                  running.values().stream().map(r -> r.job().id()).toList());
            }
            drained.tryComplete();
          }));
      context.runOnContext(v -> {
        cancel(promoteTimer);
        cancel(lookTimer);
        if (reading && readerClientId >= 0) {
          redis.client(List.of("UNBLOCK", Long.toString(readerClientId)));
        } else if (!reading) {
          readerStopped.tryComplete();
        }
        if (active.get() == 0) {
          drained.tryComplete();
        }
        readerStopped.future()
            .compose(r -> drained.future())
            .compose(d -> {
              drainTimer.cancel();
              cancel(renewTimer);
              boolean abandoned = !running.isEmpty();
              running.clear();
              Future<?> left = abandoned
                  ? Future.succeededFuture()
                  : QueueScripts.LEAVE.run(redis, List.of(stream), List.of(GROUP, consumer))
                      .otherwiseEmpty();
              return left.eventually(() -> readerConnection != null ? readerConnection.close()
                  : Future.succeededFuture());
            })
            .<Void>mapEmpty()
            .onComplete(stopped);
      });
      return stopped.future();
    }

    private static void cancel(Scheduler.Timer timer) {
      if (timer != null) {
        timer.cancel();
      }
    }
  }
}
