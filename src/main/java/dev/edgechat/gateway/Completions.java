package dev.edgechat.gateway;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.answer.InFlightAnswers;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers chat completions: from the edge's answer cache when it may, else from the upstream,
 * with identical requests in flight sharing one upstream call.
 *
 * <p>A request's answer is a flight ({@link AnswerFlight}, the same log the chat API's coalescing
 * uses) of events {@code head} (model, fingerprint, cache outcome), {@code delta}s and {@code done}
 * (finish reason, usage), or {@code error}; each caller reads it through its own {@link Reply},
 * as chunks or whole. Whether a request may use the cache: not with {@code bypass}; only with
 * temperature 0 unless its profile has {@code cacheTemperature}. A cached answer is stored when
 * the flight ended well, and made findable by meaning when the profile allows semantic matches.
 *
 * <p>The hit path of a whole stream found in this process's memory writes the whole response at
 * once, without a flight.
 */
final class Completions {

  private static final Logger LOG = LoggerFactory.getLogger(Completions.class);

  private final Vertx vertx;
  private final LiveConfig config;
  private final AnswerCache cache;
  private final SemanticCache semantic;
  private final Function<GatewayProfile, Upstream> upstreams;
  private final InFlightAnswers<FlightKey> inFlight;
  private final Counter hits;
  private final Counter semanticHits;
  private final Counter misses;
  private final Counter uncached;

  /**
   * What identical requests in flight share: the key, and whether a semantic match may answer, so
   * that a request that did not ask for one never reads an answer to a question meaning the same
   * (never semantic by default).
   */
  private record FlightKey(AnswerKey key, boolean semantic) {
  }

  Completions(Vertx vertx, LiveConfig config, AnswerCache cache, SemanticCache semantic,
      Function<GatewayProfile, Upstream> upstreams, MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.config = Objects.requireNonNull(config);
    this.cache = Objects.requireNonNull(cache);
    this.semantic = Objects.requireNonNull(semantic);
    this.upstreams = Objects.requireNonNull(upstreams);
    this.inFlight = new InFlightAnswers<>(registry, "gateway");
    this.hits = answers(registry, "hit");
    this.semanticHits = answers(registry, "semantic");
    this.misses = answers(registry, "miss");
    this.uncached = answers(registry, "uncached");
  }

  private static Counter answers(MeterRegistry registry, String result) {
    return Counter.builder("edgechat.gateway.completions").tag("cache", result)
        .description("chat completions of the gateway by cache outcome (uncached: bypassed or not cacheable)")
        .register(registry);
  }

  /**
   * Answers {@code request} on {@code response}.
   *
   * @throws GatewayError 400 when the request asks for a semantic match its profile does not allow
   */
  void answer(HttpServerResponse response, GatewayProfile profile, CompletionRequest request, CacheMode mode) {
    if (mode == CacheMode.SEMANTIC && !profile.semantic()) {
      throw GatewayError.invalidRequest("this key may not ask for semantic cache matches (gateway.profiles."
          + profile.name() + ".semantic)", null);
    }
    boolean cacheable = mode != CacheMode.BYPASS && (request.temperature() == 0 || profile.cacheTemperature());
    Reply reply = request.stream() ? new StreamReply(response, request.includeUsage()) : new WholeReply(response);
    Cancellation clientGone = new Cancellation();
    response.closeHandler(v -> clientGone.cancel());
    clientGone.onCancel(reply::clientLeft);
    Context context = vertx.getOrCreateContext();
    if (!cacheable) {
      uncached.increment();
      AnswerFlight flight = new AnswerFlight();
      start(flight, profile, request, false, null);
      reply.follow(flight, context);
      return;
    }
    if (mode != CacheMode.REFRESH && sendHitWhole(response, request)) {
      return;
    }
    if (mode == CacheMode.REFRESH || !config.get().cache().coalescing()) {
      AnswerFlight flight = new AnswerFlight();
      resolve(flight, profile, request, mode);
      reply.follow(flight, context);
      return;
    }
    FlightKey flightKey = new FlightKey(request.key(), mode == CacheMode.SEMANTIC);
    InFlightAnswers.Join seat = inFlight.join(flightKey, AnswerFlight::new);
    if (seat.created()) {
      AnswerFlight flight = seat.flight();
      resolve(flight, profile, request, mode).onComplete(r -> flight.onEnd(log -> inFlight.landed(flightKey,
          flight)));
    }
    // a Redis lookup completes on the Redis client's event loop: the reply runs on the caller's
    onContext(context, () -> reply.follow(seat.flight(), context));
  }

  /**
   * A stream or whole answer this process holds in memory, sent in one write with no flight;
   * false, having done nothing, when there is none.
   */
  private boolean sendHitWhole(HttpServerResponse response, CompletionRequest request) {
    Optional<CachedCompletion> found = cache.lookupHere(request.key()).flatMap(CachedCompletion::of);
    if (found.isEmpty()) {
      return false;
    }
    hits.increment();
    CachedCompletion answer = found.get();
    ChunkFrames frames = new ChunkFrames(answer.model(), answer.fingerprint());
    response.putHeader(CacheMode.HEADER, "hit");
    if (!request.stream()) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(frames.completion(answer).encode());
      return true;
    }
    Buffer out = Buffer.buffer(answer.deltas().size() * 240 + 512);
    answer.deltas().forEach(delta -> frames.appendDelta(out, delta));
    frames.appendEnd(out, answer.finishReason(), answer.usage(), request.includeUsage());
    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(out);
    return true;
  }

  /**
   * Fills {@code flight} from the cache (exact, then by meaning when asked), else from the
   * upstream, storing what it answers. Never fails: a failed lookup is a miss.
   */
  private Future<Void> resolve(AnswerFlight flight, GatewayProfile profile, CompletionRequest request,
      CacheMode mode) {
    if (mode == CacheMode.REFRESH) {
      misses.increment();
      start(flight, profile, request, true, null);
      return Future.succeededFuture();
    }
    return cache.lookup(request.key()).compose(cached -> {
      Optional<CachedCompletion> exact = cached.flatMap(CachedCompletion::of);
      if (exact.isPresent()) {
        hits.increment();
        flight.publishAll(replay(exact.get(), "hit"));
        return Future.succeededFuture();
      }
      if (flight.isEnded()) {
        return Future.succeededFuture(); // everyone left while the cache was asked
      }
      if (mode != CacheMode.SEMANTIC || request.question() == null) {
        misses.increment();
        start(flight, profile, request, true, null);
        return Future.succeededFuture();
      }
      return semantic.find(request.key(), request.question()).map(probe -> {
        Optional<CachedCompletion> similar = probe.answer().flatMap(CachedCompletion::of);
        if (similar.isPresent()) {
          semanticHits.increment();
          flight.publishAll(replay(similar.get(), "semantic"));
        } else {
          misses.increment();
          start(flight, profile, request, true, probe.vector());
        }
        return null;
      });
    }).recover(e -> {
      LOG.error("completion lookup failed [key: {}]", request.key(), e);
      flight.publish(errorEvent(GatewayError.upstream(502, "upstream_unavailable",
          "the answer could not be looked up", null)));
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private static List<SseEvent> replay(CachedCompletion answer, String cache) {
    List<SseEvent> events = new java.util.ArrayList<>(answer.events());
    JsonObject head = events.get(0).json().put("cache", cache);
    events.set(0, SseEvent.of(Events.HEAD, head));
    return events;
  }

  /**
   * Streams the upstream's answer into {@code flight}, unless everyone left already; stores it
   * when {@code store} and it ended well, findable by meaning through {@code vector} (the last
   * user message's, if it was embedded) when the profile allows semantic matches.
   */
  private void start(AnswerFlight flight, GatewayProfile profile, CompletionRequest request, boolean store,
      float[] vector) {
    Cancellation everyoneLeft = new Cancellation();
    // the last caller may leave on another event loop than this one, where the upstream request
    // lives: its Cancellation and stream are this loop's only
    Context upstreamContext = vertx.getOrCreateContext();
    flight.onCancelUpstream(() -> onContext(upstreamContext, everyoneLeft::cancel));
    if (flight.isEnded()) {
      return;
    }
    if (store) {
      flight.onEnd(log -> CachedCompletion.of(log).filter(CachedCompletion::cacheable).ifPresent(answer -> {
        long lifeMs = cache.store(request.key(), answer.toAnswer());
        if (profile.semantic() && request.question() != null) {
          semantic.remember(request.key(), request.question(), vector, lifeMs);
        }
      }));
    }
    long maxAnswerBytes = config.get().gateway().maxAnswerBytes();
    upstreams.apply(profile).stream(profile, request.upstreamBody(), everyoneLeft)
        .onSuccess(stream -> relay(stream, flight, maxAnswerBytes))
        .onFailure(e -> flight.publish(errorEvent(Upstream.transportError(e))));
  }

  /**
   * Publishes the upstream's chunks as flight events: the head with the first, the role on the first
   * delta. The flight holds the whole answer (late joiners read it from the start), so an answer
   * whose deltas pass {@code maxAnswerBytes} is cut there: an error event, the upstream reset.
   */
  private static void relay(UpstreamStream stream, AnswerFlight flight, long maxAnswerBytes) {
    String[] finishReason = {null};
    JsonObject[] usage = {null};
    boolean[] started = {false};
    long[] bytes = {0};
    stream.start(chunk -> {
      if (flight.isEnded()) {
        return;
      }
      if (!started[0]) {
        started[0] = true;
        flight.publish(SseEvent.of(Events.HEAD, new JsonObject()
            .put("model", chunk.getValue("model") instanceof String m ? m : null)
            .put("system_fingerprint", chunk.getValue("system_fingerprint") instanceof String f ? f : null)
            .put("cache", "miss")));
        String delta = firstDelta(chunk).encode();
        bytes[0] += delta.length();
        flight.publish(new SseEvent(null, Events.DELTA, delta));
        noteEnd(chunk, finishReason, usage);
        return;
      }
      noteEnd(chunk, finishReason, usage);
      JsonObject delta = delta(chunk);
      if (delta != null && carries(delta)) {
        String encoded = delta.encode();
        bytes[0] += encoded.length();
        if (bytes[0] > maxAnswerBytes) {
          stream.cancel();
          flight.publish(errorEvent(GatewayError.upstream(502, "answer_too_long", "the upstream's answer passed the "
              + maxAnswerBytes + " bytes this edge holds of one answer (gateway.maxAnswerBytes)", null)));
          return;
        }
        flight.publish(new SseEvent(null, Events.DELTA, encoded));
      }
    }, () -> flight.publish(CachedCompletion.done(finishReason[0], usage[0])),
        error -> flight.publish(errorEvent(error)));
  }

  /** The first chunk's delta with {@code role} first, whatever the upstream sent (OpenAI's first chunk has it). */
  private static JsonObject firstDelta(JsonObject chunk) {
    JsonObject delta = delta(chunk);
    JsonObject first = new JsonObject().put("role", delta != null && delta.getValue("role") instanceof String r
        ? r : "assistant");
    if (delta != null) {
      delta.forEach(field -> first.put(field.getKey(), field.getValue()));
    }
    if (!first.containsKey("content")) {
      first.put("content", "");
    }
    return first;
  }

  private static JsonObject delta(JsonObject chunk) {
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice && choice.getValue("delta") instanceof JsonObject delta) {
      return delta;
    }
    return null;
  }

  private static void noteEnd(JsonObject chunk, String[] finishReason, JsonObject[] usage) {
    if (chunk.getValue("usage") instanceof JsonObject reported) {
      usage[0] = reported;
    }
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice && choice.getValue("finish_reason") instanceof String f) {
      finishReason[0] = f;
    }
  }

  /** Whether a delta says anything: a field with a value other than null or the empty string. */
  private static boolean carries(JsonObject delta) {
    for (var field : delta) {
      Object value = field.getValue();
      if (value != null && !"".equals(value)) {
        return true;
      }
    }
    return false;
  }

  static SseEvent errorEvent(GatewayError error) {
    JsonObject data = error.toBody().getJsonObject("error").put("status", error.status());
    error.retryAfterSeconds().ifPresent(s -> data.put("retryAfter", s));
    return SseEvent.of(Events.ERROR, data);
  }

  /** The error an {@code error} event stands for. */
  static GatewayError error(SseEvent event) {
    JsonObject data = event.json();
    int status = data.getInteger("status", 502);
    return new GatewayError(status, data.getString("type", "server_error"), data.getString("code"),
        data.getString("param"), data.getString("message", "the upstream failed"),
        data.getLong("retryAfter"), status >= 500);
  }

  private static void onContext(Context context, Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
