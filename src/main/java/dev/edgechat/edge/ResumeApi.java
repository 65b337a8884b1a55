package dev.edgechat.edge;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.protocol.Events;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/chat/{message}/events} (API.md §1): the events of a streamed answer after
 * {@code Last-Event-ID}, then, while it is still being answered, the live ones. A stream this edge
 * serves is resumed from memory, and its visitor may come back within {@code edge.resumeGraceMs}
 * without the answer being stopped; any other stream of the region from Redis
 * ({@link ResumeBuffer}), polled until it ends. A message id is a capability (128 random bits,
 * {@link dev.edgechat.web.Ids}): whoever holds it may read the answer, as whoever started it could.
 */
public final class ResumeApi {

  /** Streams kept in memory; older ones are resumed from Redis. */
  private static final int LOCAL_STREAMS = 10_000;
  private static final long POLL_MS = 200;

  private final Vertx vertx;
  private final Scheduler time;
  private final LiveConfig config;
  private final ResumeBuffer buffer;
  private final Cache<String, ResumableMessage> local;
  /** Cache hits, sent whole: about 66 bytes each, kept apart so that a burst of hits never pushes out streams. */
  private final ResumableHits hits;
  private final Counter resumed;

  /** @param redis the region's cache Redis, or null: streams then resume only on the edge that served them */
  public ResumeApi(Vertx vertx, LiveConfig config, RedisAPI redis, MeterRegistry registry) {
    this(vertx, config, redis, registry, Scheduler.of(vertx));
  }

  /**
   * @param redis the region's cache Redis, or null: streams then resume only on the edge that served them
   * @param time what kept streams age by, and what times a stream read from Redis (its polls, its silence)
   */
  public ResumeApi(Vertx vertx, LiveConfig config, RedisAPI redis, MeterRegistry registry, Scheduler time) {
    this.vertx = Objects.requireNonNull(vertx);
    this.time = Objects.requireNonNull(time);
    this.config = Objects.requireNonNull(config);
    this.buffer = new ResumeBuffer(redis, () -> config.get().edge().resumeTtlMs(), registry);
    this.local = Caffeine.newBuilder()
        .maximumSize(LOCAL_STREAMS)
        .expireAfterWrite(Duration.ofMillis(config.get().edge().resumeTtlMs()))
        .ticker(time::nanoTime)
        .executor(Runnable::run)
        .build();
    this.hits = new ResumableHits(config.get().edge().resumableHits(),
        TimeUnit.MILLISECONDS.toNanos(config.get().edge().resumeTtlMs()), time::nanoTime);
    this.resumed = Counter.builder("edgechat.resume.requests")
        .description("requests that resumed a streamed answer after Last-Event-ID").register(registry);
  }

  public void mount(Router router) {
    router.get("/v1/chat/:message/events").handler(this::resume);
  }

  /** A new resumable stream for {@code message}, starting with its {@code ready} event. */
  MessageStream open(String message, SseEvent ready, long startedNanos) {
    MessageStream stream = new MessageStream(vertx, config, buffer.writer(message), ready, startedNanos);
    local.put(message, stream);
    return stream;
  }

  /** Keeps a message answered whole at once (a cache hit) for resuming, at the cost of about 66 bytes. */
  void keep(ReplayedMessage replayed) {
    hits.keep(replayed);
  }

  private void resume(RoutingContext ctx) {
    String message = ctx.pathParam("message");
    if (!RequestBodies.isId(message)) {
      ctx.fail(ApiError.invalidRequest("'" + message + "' is not a valid message id"));
      return;
    }
    long after = lastEventId(ctx);
    EdgechatConfig settings = config.get();
    ResumableMessage stream = local.getIfPresent(message);
    if (stream == null) {
      stream = hits.find(message);
    }
    if (stream != null) {
      resumed.increment();
      AnswerFlight log = stream.log();
      if (after > log.size()) {
        ctx.fail(ApiError.invalidRequest("Last-Event-ID " + after + " is beyond the stream's last event"));
        return;
      }
      SseRelay relay = relay(ctx, settings, after);
      Cancellation.whenClientLeaves(ctx).onCancel(relay::visitorLeft);
      relay.follow(log, (int) after, vertx.getOrCreateContext());
      return;
    }
    buffer.eventsAfter(message, after).onSuccess(found -> {
      if (found.isEmpty()) {
        ctx.fail(ApiError.notFound("no resumable stream for message '" + message + "'"));
        return;
      }
      resumed.increment();
      SseStream sse = new SseStream(ctx.response()).continuingAfter(after).open();
      new RemoteStream(message, sse, after, settings).deliver(found.get());
    }).onFailure(ctx::fail);
  }

  private SseRelay relay(RoutingContext ctx, EdgechatConfig settings, long after) {
    SseStream sse = new SseStream(ctx.response()).continuingAfter(after).open();
    return new SseRelay(vertx, sse, settings.edge().heartbeatMs(), true);
  }

  /** {@code Last-Event-ID} (header, or {@code lastEventId} query parameter for a fresh EventSource); 0 if absent. */
  private static long lastEventId(RoutingContext ctx) {
    String value = ctx.request().getHeader("Last-Event-ID");
    if (value == null) {
      value = ctx.request().getParam("lastEventId");
    }
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      long id = Long.parseLong(value.strip());
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.invalidRequest("Last-Event-ID must be a whole number of at least 0, was '" + value + "'");
  }

  /**
   * A stream another edge of the region is serving (or served): its events are read from Redis,
   * and polled until the last one arrives, or until it stays silent for {@code edge.originIdleTimeoutMs}.
   */
  private final class RemoteStream {

    private final String message;
    private final SseStream sse;
    private final long idleLimitMs;
    private final Scheduler.Timer heartbeat;
    private long delivered;
    private long lastNewsAt = time.clock().millis();

    RemoteStream(String message, SseStream sse, long after, EdgechatConfig settings) {
      this.message = message;
      this.sse = sse;
      this.delivered = after;
      this.idleLimitMs = settings.edge().originIdleTimeoutMs();
      this.heartbeat = time.every(settings.edge().heartbeatMs(), sse::ping);
    }

    void deliver(List<SseEvent> events) {
      if (sse.isClosed()) {
        heartbeat.cancel();
        return;
      }
      if (!events.isEmpty()) {
        lastNewsAt = time.clock().millis();
      }
      for (SseEvent event : events) {
        sse.send(event);
        delivered++;
        if (Events.isTerminal(event)) {
          heartbeat.cancel();
          sse.end();
          return;
        }
      }
      if (time.clock().millis() - lastNewsAt > idleLimitMs) {
        sse.send(SseEvent.of(Events.ERROR, new JsonObject().put("code", "timeout")
            .put("message", "the answer went silent for " + idleLimitMs + " ms")));
        heartbeat.cancel();
        sse.end();
        return;
      }
      if (sse.writeQueueFull()) {
        sse.drainHandler(v -> poll());
      } else {
        time.after(POLL_MS, this::poll);
      }
    }

    private void poll() {
      buffer.eventsAfter(message, delivered).onSuccess(more -> deliver(more.orElse(List.of())));
    }
  }
}
