package dev.edgechat.gateway;

import dev.edgechat.answer.AnswerEngine;
import dev.edgechat.answer.Question;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.web.Cancellation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Answers chat completions through the answer engine ({@link AnswerEngine}): from the edge's
 * answer cache when it may, else from the upstream, with identical requests in flight sharing one
 * upstream call. This class supplies what is the gateway's: the request's key and how it may use
 * the cache ({@link #question}), its upstream ({@link CompletionSource}), the shape of its answers
 * and its "may store" rule ({@link CompletionFormat}), and how each caller is answered from the
 * flight ({@link Reply}: as chunks or whole).
 *
 * <p>Whether a request may use the cache: not with {@code bypass}; only with temperature 0 unless
 * its profile has {@code cacheTemperature}. A semantic match answers only a request that asked
 * for one ({@code X-Edgechat-Cache: semantic}), and such requests never share a flight with exact
 * ones. A stored answer is made findable by meaning when the profile allows semantic matches.
 */
final class Completions {

  private final Vertx vertx;
  private final LiveConfig config;
  private final Function<GatewayProfile, Upstream> upstreams;
  private final Counter hits;
  private final Counter semanticHits;
  private final Counter misses;
  private final Counter uncached;
  private final AnswerEngine<CachedCompletion> answers;
  private final ModelMeters meters;

  /** @param meters the upstream calls' metrics ({@code api="gateway"}) */
  Completions(Vertx vertx, LiveConfig config, AnswerCache cache, SemanticCache semantic,
      Function<GatewayProfile, Upstream> upstreams, MeterRegistry registry, ModelMeters meters) {
    this.vertx = Objects.requireNonNull(vertx);
    this.meters = Objects.requireNonNull(meters);
    this.config = Objects.requireNonNull(config);
    this.upstreams = Objects.requireNonNull(upstreams);
    this.hits = answers(registry, AnswerEngine.Outcome.HIT);
    this.semanticHits = answers(registry, AnswerEngine.Outcome.SEMANTIC);
    this.misses = answers(registry, AnswerEngine.Outcome.MISS);
    this.uncached = answers(registry, AnswerEngine.Outcome.UNCACHED);
    this.answers = new AnswerEngine<>("gateway", config, cache, semantic, new CompletionFormat(), this::count,
        registry);
  }

  private static Counter answers(MeterRegistry registry, AnswerEngine.Outcome outcome) {
    return Counter.builder("edgechat.gateway.completions").tag("cache", outcome.tag())
        .description("chat completions of the gateway by cache outcome (uncached: bypassed or not cacheable)")
        .register(registry);
  }

  /** Counts a caller by its outcome; one who joined another's flight is not counted. */
  private void count(AnswerEngine.Outcome outcome) {
    switch (outcome) {
      case HIT -> hits.increment();
      case SEMANTIC -> semanticHits.increment();
      case MISS -> misses.increment();
      case UNCACHED -> uncached.increment();
      default -> {
      }
    }
  }

  /**
   * Answers {@code request} on the response of {@code ctx}.
   *
   * @throws GatewayError 400 when the request asks for a semantic match its profile does not allow
   */
  void answer(RoutingContext ctx, GatewayProfile profile, CompletionRequest request, CacheMode mode) {
    HttpServerResponse response = ctx.response();
    if (mode == CacheMode.SEMANTIC && !profile.semantic()) {
      throw GatewayError.invalidRequest("this key may not ask for semantic cache matches (gateway.profiles."
          + profile.name() + ".semantic)", null);
    }
    Question question = question(profile, request, mode);
    Reply reply = request.stream() ? new StreamReply(response, request.includeUsage()) : new WholeReply(response);
    Cancellation clientGone = Cancellation.whenClientLeaves(ctx);
    clientGone.onCancel(reply::clientLeft);
    Optional<CachedCompletion> here = answers.hitHere(question);
    if (here.isPresent()) {
      sendWhole(response, request, here.get());
      return;
    }
    CompletionSource upstream = new CompletionSource(upstreams.apply(profile), profile, request,
        config.get().gateway().maxAnswerBytes(), meters);
    reply.follow(answers.answer(question, upstream).flight(), vertx.getOrCreateContext());
  }

  /** How {@code request} may use the cache: its {@code X-Edgechat-Cache} mode, its temperature, its profile. */
  private static Question question(GatewayProfile profile, CompletionRequest request, CacheMode mode) {
    boolean cacheable = mode != CacheMode.BYPASS && (request.temperature() == 0 || profile.cacheTemperature());
    if (!cacheable) {
      return Question.uncached();
    }
    Question.Lookup lookup = switch (mode) {
      case REFRESH -> Question.Lookup.WRITE_ONLY;
      case SEMANTIC -> Question.Lookup.BY_MEANING;
      default -> Question.Lookup.EXACT;
    };
    return new Question(request.key(), request.question(), lookup, profile.semantic());
  }

  /** The hit path: a stream or whole answer this process holds in memory, sent in one write with no flight. */
  private static void sendWhole(HttpServerResponse response, CompletionRequest request, CachedCompletion answer) {
    ChunkFrames frames = new ChunkFrames(answer.model(), answer.fingerprint());
    response.putHeader(CacheMode.HEADER, "hit");
    if (!request.stream()) {
      response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(frames.completion(answer).encode());
      return;
    }
    Buffer out = Buffer.buffer(answer.deltas().size() * 240 + 512);
    answer.deltas().forEach(delta -> frames.appendDelta(out, delta));
    frames.appendEnd(out, answer.finishReason(), answer.usage(), request.includeUsage());
    response.putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(out);
  }
}
