package dev.edgechat.answer;

import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one API's questions through the edge's answer cache, sharing identical questions in
 * flight: the visitor chat and the OpenAI-compatible gateway each hold one, and supply only what
 * is theirs (the question's key, their upstream, the shape of their answers and their "may store"
 * rule, as {@link Question}, {@link AnswerSource} and {@link AnswerFormat}).
 *
 * <p>How a question is answered, in this order:
 * <ol>
 *   <li><b>whole hit</b> ({@link #hitHere}): an answer in this process's memory, at once, with no
 *       flight; the API writes it in one go;
 *   <li><b>join</b>: identical questions (same key, same {@link Question.Lookup}) share one
 *       {@link AnswerFlight}; the first creates it and goes on, the others follow it;
 *   <li><b>look up</b>: an exact match (memory, then the region's Redis), then, when the question
 *       asks for it, a cached question meaning the same; a match is replayed into the flight;
 *   <li><b>upstream</b>: otherwise the upstream answers into the flight, given the question's vector
 *       when the semantic lookup computed one (origin retrieves with it rather than embed the question
 *       again: {@link AnswerSource#answer(AnswerSink, Cancellation, float[])}); when every reader has
 *       left, it is cancelled on the event loop it was asked from (its request and
 *       {@link Cancellation} belong to that loop); an API may replace an upstream that cannot
 *       answer with the answer past its life ({@link AnswerFormat#fallsBackToStale});
 *   <li><b>store</b>: when the flight ends and the API's rule allows, its answer is cached and made
 *       findable by meaning;
 *   <li><b>land</b>: the flight leaves the in-flight table.
 * </ol>
 *
 * <p><b>The ordering rule: store, then land.</b> A question arriving while a flight ends must find
 * either the flight (and join it) or its answer in the cache; were the flight to leave the table
 * before its answer is stored, that question would find neither and ask the upstream again. A
 * flight runs its end handlers in the order they were registered, and before any reader hears of
 * the end. So the engine registers exactly one end handler of its own on a flight it creates, a
 * {@link Landing}, which stores and then lands; the in-flight table and the store step are this
 * class's alone, so no caller can order them otherwise. Handlers a caller adds (to record the
 * exchange, say) run after it.
 *
 * @param <A> the API's answer as the cache holds it
 */
public final class AnswerEngine<A> {

  /** How a caller's answer was found. */
  public enum Outcome {
    /** An exact match from the cache, replayed. */
    HIT,
    /** A cached answer to a question meaning the same, replayed. */
    SEMANTIC,
    /** The upstream was asked for this caller; its answer is stored if the API's rule allows. */
    MISS,
    /** The upstream was asked for this caller; the cache was neither read nor written. */
    UNCACHED,
    /** The caller follows an identical question's flight, which another caller started. */
    JOINED,
    /** Everyone left while the cache was asked: nothing more was done. */
    ABANDONED,
    /** The cache could not be asked (a bug: its levels fail open): the flight ended with an error. */
    FAILED;

    /** Whether the upstream was asked on this caller's behalf (so it knows of this request). */
    public boolean askedUpstream() {
      return this == MISS || this == UNCACHED;
    }

    /** The outcome as a header, event field or metric tag shows it: {@code hit}, {@code semantic}, … */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * A caller's answer: the flight to read, at once, and how it was found, once it was (the cache's
   * levels asked and the replay or the upstream under way). Success only.
   */
  public record Answer(AnswerFlight flight, Future<Outcome> resolved) {

    /** Runs {@code action} on {@code context} (the caller's) once the answer is resolved. */
    public void onResolved(Context context, Consumer<Outcome> action) {
      // a Redis lookup completes on the Redis client's event loop
      resolved.onSuccess(outcome -> AnswerFlight.runOn(context, () -> action.accept(outcome)));
    }
  }

  /** What identical questions in flight share: the key, and how the cache may answer it. */
  private record FlightKey(AnswerKey key, Question.Lookup lookup) {
  }

  private static final Logger LOG = LoggerFactory.getLogger(AnswerEngine.class);

  private final String api;
  private final LiveConfig config;
  private final AnswerCache cache;
  private final SemanticCache semantic;
  private final AnswerFormat<A> format;
  private final Consumer<Outcome> outcomes;
  private final InFlightAnswers<FlightKey> inFlight;
  private final Counter staleServed;

  /**
   * @param api which API this engine answers ({@code chat}, {@code gateway}): the tag of its metrics
   * @param outcomes told of each caller's outcome as it is decided, before the caller can see it
   *     (the API's own metrics)
   */
  public AnswerEngine(String api, LiveConfig config, AnswerCache cache, SemanticCache semantic,
      AnswerFormat<A> format, Consumer<Outcome> outcomes, MeterRegistry registry) {
    this.api = Objects.requireNonNull(api);
    this.config = Objects.requireNonNull(config);
    this.cache = Objects.requireNonNull(cache);
    this.semantic = Objects.requireNonNull(semantic);
    this.format = Objects.requireNonNull(format);
    this.outcomes = Objects.requireNonNull(outcomes);
    this.inFlight = new InFlightAnswers<>(registry, api);
    this.staleServed = Counter.builder("edgechat.cache.stale")
        .description("answers served stale from the cache because origin could not answer").register(registry);
  }

  /**
   * The answer this process holds in memory for {@code question}, at once (step 1), counted as a
   * {@link Outcome#HIT}; empty, having done nothing, when there is none or the question may not
   * read the cache. The caller then goes on with {@link #answer}.
   */
  public Optional<A> hitHere(Question question) {
    if (!question.readsCache()) {
      return Optional.empty();
    }
    Optional<A> found = cache.lookupHere(question.key()).flatMap(format::fromCache);
    if (found.isPresent()) {
      outcomes.accept(Outcome.HIT);
    }
    return found;
  }

  /**
   * Answers {@code question} (steps 2 to 6): its flight at once, to follow; how it was found once
   * the cache has been asked. Never fails: whatever goes wrong ends the flight with an error event.
   */
  public Answer answer(Question question, AnswerSource upstream) {
    Objects.requireNonNull(upstream);
    switch (question.lookup()) {
      case NONE -> {
        AnswerFlight flight = new AnswerFlight();
        return new Answer(flight, Future.succeededFuture(ask(flight, upstream, null, null)));
      }
      case WRITE_ONLY -> {
        AnswerFlight flight = new AnswerFlight();
        Landing landing = new Landing(question, () -> { });
        flight.onEnd(landing);
        return new Answer(flight, Future.succeededFuture(ask(flight, upstream, landing, null)));
      }
      default -> {
        if (!config.get().cache().coalescing()) {
          AnswerFlight flight = new AnswerFlight();
          return new Answer(flight, resolve(flight, question, upstream, () -> { }));
        }
        FlightKey key = new FlightKey(question.key(), question.lookup());
        InFlightAnswers.Join join = inFlight.join(key, AnswerFlight::new);
        AnswerFlight flight = join.flight();
        if (!join.created()) {
          Span following = Spans.flightJoin();
          flight.onEnd(log -> following.end());
          outcomes.accept(Outcome.JOINED);
          return new Answer(flight, Future.succeededFuture(Outcome.JOINED));
        }
        return new Answer(flight, resolve(flight, question, upstream, () -> inFlight.landed(key, flight)));
      }
    }
  }

  /**
   * Fills a new {@code flight} from the cache's levels in order (exact, then by meaning when the
   * question asks), else from the upstream. {@code land} takes the flight off the table once it
   * ended and its answer is stored.
   */
  private Future<Outcome> resolve(AnswerFlight flight, Question question, AnswerSource upstream, Runnable land) {
    Landing landing = new Landing(question, land);
    flight.onEnd(landing);
    return lookup(question).compose(cached -> {
      Optional<A> exact = cached.flatMap(format::fromCache);
      if (exact.isPresent()) {
        return Future.succeededFuture(replay(flight, exact.get(), Outcome.HIT));
      }
      if (flight.isEnded()) {
        return Future.succeededFuture(Outcome.ABANDONED); // everyone left while the cache was asked
      }
      if (question.lookup() != Question.Lookup.BY_MEANING || question.text() == null) {
        return Future.succeededFuture(ask(flight, upstream, landing, null));
      }
      return semantic.find(question.key(), question.text(), question.semantic()).map(probe -> {
        Optional<A> similar = probe.answer().flatMap(format::fromCache);
        return similar.isPresent()
            ? replayLent(flight, similar.get(), probe.matched())
            : ask(flight, upstream, landing, probe.vector());
      });
    }).recover(e -> {
      // the cache's levels fail open, so this is a bug; the readers must still hear the end
      LOG.error("answer lookup failed [api: {}, key: {}]", api, question.key(), e);
      flight.publish(format.unavailable("the answer could not be looked up"));
      return Future.succeededFuture(Outcome.FAILED);
    });
  }

  /** The exact match (memory, then Redis) as a span, under which the cache's levels are spans of their own. */
  private Future<Optional<CachedAnswer>> lookup(Question question) {
    Span span = Spans.cacheLookup();
    try (Scope ignored = Spans.inForce(span)) {
      return Spans.endWith(span, cache.lookup(question.key()));
    }
  }

  private Outcome replay(AnswerFlight flight, A answer, Outcome found) {
    return replay(flight, answer, found, format.replay(answer, found, false));
  }

  private Outcome replay(AnswerFlight flight, A answer, Outcome found, List<SseEvent> events) {
    outcomes.accept(found);
    flight.knowText(format.text(answer));
    flight.knowCost(format.cost(answer));
    flight.publishAll(events);
    return found;
  }

  /** {@link #replay} of an answer lent by the cached question {@code matched}, which the format may name. */
  private Outcome replayLent(AnswerFlight flight, A answer, String matched) {
    return replay(flight, answer, Outcome.SEMANTIC, format.replayLent(answer, matched));
  }

  /**
   * Asks the upstream to answer into {@code flight}, unless everyone left already, passing it
   * {@code vector}, the question's if the semantic lookup embedded it (origin then need not embed it
   * again). With a {@code landing}, its answer is stored when the flight ends (findable by meaning
   * through {@code vector}) and a stale answer may stand in for an upstream that cannot answer;
   * without, nothing is stored.
   */
  private Outcome ask(AnswerFlight flight, AnswerSource upstream, Landing landing, float[] vector) {
    Outcome outcome = landing == null ? Outcome.UNCACHED : Outcome.MISS;
    outcomes.accept(outcome);
    Cancellation everyoneLeft = new Cancellation();
    // the last reader may leave on another event loop than this one, where the upstream request
    // lives: its Cancellation and stream are this loop's only
    Context upstreamContext = Vertx.currentContext();
    flight.onCancelUpstream(() -> AnswerFlight.runOn(upstreamContext, everyoneLeft::cancel));
    if (flight.isEnded()) {
      return outcome;
    }
    AnswerSink sink = flight;
    if (landing != null) {
      landing.store(vector);
      sink = new StaleFallback(flight, landing.question.key());
    }
    upstream.answer(sink, everyoneLeft, vector);
    return outcome;
  }

  /**
   * The engine's one end handler on a flight it made: stores the answer (when the upstream was
   * asked and the API's rule allows), then takes the flight off the in-flight table. See the
   * ordering rule above.
   */
  private final class Landing implements Consumer<List<SseEvent>> {

    private final Question question;
    private final Runnable land;
    private volatile boolean storing;
    private volatile float[] vector;

    Landing(Question question, Runnable land) {
      this.question = question;
      this.land = land;
    }

    /** The upstream is asked: store its answer, findable by meaning through {@code vector} (or null). */
    void store(float[] vector) {
      this.vector = vector;
      this.storing = true;
    }

    @Override
    public void accept(List<SseEvent> log) {
      try {
        if (storing) {
          format.storable(log).ifPresent(this::keep);
        }
      } finally {
        land.run();
      }
    }

    private void keep(CachedAnswer answer) {
      long lifeMs = cache.store(question.key(), answer);
      if (question.rememberByMeaning() && question.text() != null) {
        semantic.remember(question.key(), question.text(), vector, lifeMs, question.semantic());
      }
    }
  }

  /**
   * Passes the upstream's events to the flight, except that an answer failing before its first
   * event in a way the API allows ({@link AnswerFormat#fallsBackToStale}) is replaced, when the
   * cache still has one, by the answer cached for the question, marked stale (within
   * {@code cache.staleMs}).
   */
  private final class StaleFallback implements AnswerSink {

    private final AnswerFlight flight;
    private final AnswerKey key;
    private boolean answering;

    StaleFallback(AnswerFlight flight, AnswerKey key) {
      this.flight = flight;
      this.key = key;
    }

    @Override
    public void publish(SseEvent event) {
      if (answering || !format.fallsBackToStale(event)) {
        answering = true;
        flight.publish(event);
        return;
      }
      cache.stale(key).onComplete(stale -> {
        Optional<A> found = stale.succeeded() ? stale.result().flatMap(format::fromCache) : Optional.empty();
        if (found.isPresent()) {
          staleServed.increment();
          flight.publishAll(format.replay(found.get(), Outcome.HIT, true));
        } else {
          flight.publish(event);
        }
      });
    }

    @Override
    public boolean isEnded() {
      return flight.isEnded();
    }
  }
}
