package dev.edgechat.answer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.embedding.QuestionEmbedder;
import dev.edgechat.protocol.Events;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The answer engine's sequence and rules, with an in-memory cache and an upstream the test drives. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class AnswerEngineTest {

  private static final String QUESTION = "what are your opening hours?";
  private static final AnswerKey KEY = AnswerKey.of("shop", 1, QUESTION);

  private final MemoryCache cache = new MemoryCache();
  private final List<Upstream> upstreamCalls = new ArrayList<>();
  private final List<AnswerEngine.Outcome> outcomes = new ArrayList<>();
  private AnswerEngine<CachedAnswer> engine;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    new ConfigLoader(vertx, dir.resolve("none"), Map.of("EDGECHAT_CACHE_SEMANTIC", "false")).load().onComplete(ctx.succeeding(config -> {
      engine = engine(vertx, config);
      ctx.completeNow();
    }));
  }

  private AnswerEngine<CachedAnswer> engine(Vertx vertx, LiveConfig config) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SemanticCache semantic = new SemanticCache(vertx, config, new NoEmbedder(), cache, () -> {
      throw new AssertionError("no meaning guard in these tests");
    }, registry, Scheduler.of(vertx));
    return new AnswerEngine<>("test", config, cache, semantic, new TokenFormat(), outcomes::add, registry);
  }

  /** Verifies that identical questions in flight share one upstream call and one flight. */
  @Test
  void answer_identicalQuestionsInFlight_shareOneUpstreamCall(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      AnswerEngine.Answer first = engine.answer(exact(), this::upstream);
      first.resolved().onComplete(ctx.succeeding(found -> {
        AnswerEngine.Answer second = engine.answer(exact(), this::upstream);
        ctx.verify(() -> {
          assertThat(found).isEqualTo(AnswerEngine.Outcome.MISS);
          assertThat(second.flight()).isSameAs(first.flight());
          assertThat(second.resolved().result()).isEqualTo(AnswerEngine.Outcome.JOINED);
          assertThat(upstreamCalls).hasSize(1);
        });
        ctx.completeNow();
      }));
    });
  }

  /**
   * Verifies the ordering rule: the answer is stored before anyone hears the flight end, and a
   * question asked once it has ended is answered from the cache, not by the upstream again.
   */
  @Test
  void answer_flightEnded_storedBeforeReadersHearAndReplayedAfter(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      AnswerEngine.Answer first = engine.answer(exact(), this::upstream);
      first.resolved().onComplete(ctx.succeeding(found -> {
        boolean[] storedAtEnd = {false};
        first.flight().onEnd(log -> storedAtEnd[0] = cache.entries.containsKey(KEY));
        upstreamCalls.get(0).answer("Nine", " to five.");
        AnswerEngine.Answer again = engine.answer(exact(), this::upstream);
        again.resolved().onComplete(ctx.succeeding(replayed -> {
          ctx.verify(() -> {
            assertThat(storedAtEnd[0]).isTrue();
            assertThat(replayed).isEqualTo(AnswerEngine.Outcome.HIT);
            assertThat(again.flight()).isNotSameAs(first.flight());
            assertThat(again.flight().knownText()).isEqualTo("Nine to five.");
            assertThat(upstreamCalls).hasSize(1);
          });
          ctx.completeNow();
        }));
      }));
    });
  }

  /** Verifies that a question that asked for an exact match never joins one that may be answered by meaning. */
  @Test
  void answer_exactQuestion_neverJoinsFlightByMeaning(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      AnswerEngine.Answer byMeaning = engine.answer(new Question(KEY, QUESTION, Question.Lookup.BY_MEANING,
          true), this::upstream);
      AnswerEngine.Answer exact = engine.answer(exact(), this::upstream);
      Future.all(byMeaning.resolved(), exact.resolved()).onComplete(ctx.succeeding(both -> {
        ctx.verify(() -> {
          assertThat(exact.flight()).isNotSameAs(byMeaning.flight());
          assertThat(outcomes).doesNotContain(AnswerEngine.Outcome.JOINED);
          assertThat(upstreamCalls).hasSize(2);
        });
        ctx.completeNow();
      }));
    });
  }

  /** Verifies that the upstream is cancelled when every reader has left, and nothing is stored. */
  @Test
  void answer_everyoneLeft_cancelsUpstream(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      AnswerEngine.Answer answer = engine.answer(exact(), this::upstream);
      answer.resolved().onComplete(ctx.succeeding(found -> {
        answer.flight().follow(vertx.getOrCreateContext(), () -> { }).leave();
        ctx.verify(() -> {
          assertThat(upstreamCalls.get(0).everyoneLeft.isCancelled()).isTrue();
          assertThat(answer.flight().isAbandoned()).isTrue();
          assertThat(cache.entries).isEmpty();
        });
        ctx.completeNow();
      }));
    });
  }

  /** Verifies that an uncached question neither reads nor writes the cache, nor shares its flight. */
  @Test
  void answer_uncached_neverTouchesCache(Vertx vertx, VertxTestContext ctx) {
    cache.entries.put(KEY, new CachedAnswer(List.of("cached"), new JsonArray(), "dynamic"));
    vertx.runOnContext(v -> {
      AnswerEngine.Answer first = engine.answer(Question.uncached(), this::upstream);
      AnswerEngine.Answer second = engine.answer(Question.uncached(), this::upstream);
      upstreamCalls.get(0).answer("fresh");
      ctx.verify(() -> {
        assertThat(engine.hitHere(Question.uncached())).isEmpty();
        assertThat(second.flight()).isNotSameAs(first.flight());
        assertThat(outcomes).containsExactly(AnswerEngine.Outcome.UNCACHED, AnswerEngine.Outcome.UNCACHED);
        assertThat(cache.entries.get(KEY).text()).isEqualTo("cached");
        assertThat(cache.stores).isZero();
      });
      ctx.completeNow();
    });
  }

  /** Verifies that a refresh asks the upstream without looking up, and stores what it answers. */
  @Test
  void answer_refresh_storesWithoutLookingUp(Vertx vertx, VertxTestContext ctx) {
    cache.entries.put(KEY, new CachedAnswer(List.of("old"), new JsonArray(), "dynamic"));
    vertx.runOnContext(v -> {
      AnswerEngine.Answer answer = engine.answer(new Question(KEY, null, Question.Lookup.WRITE_ONLY, false),
          this::upstream);
      upstreamCalls.get(0).answer("new");
      ctx.verify(() -> {
        assertThat(answer.resolved().result()).isEqualTo(AnswerEngine.Outcome.MISS);
        assertThat(cache.lookups).isZero();
        assertThat(cache.entries.get(KEY).text()).isEqualTo("new");
      });
      ctx.completeNow();
    });
  }

  private static Question exact() {
    return new Question(KEY, null, Question.Lookup.EXACT, false);
  }

  private void upstream(AnswerSink sink, Cancellation everyoneLeft) {
    upstreamCalls.add(new Upstream(sink, everyoneLeft));
  }

  /** One call of the upstream, answered when the test says. */
  private record Upstream(AnswerSink sink, Cancellation everyoneLeft) {

    void answer(String... tokens) {
      for (String token : tokens) {
        sink.publish(SseEvent.of(Events.TOKEN, new JsonObject().put("text", token)));
      }
      sink.publish(SseEvent.of(Events.DONE, new JsonObject().put("cache", "miss")));
    }
  }

  /** Answers as tokens and a done; a done of the upstream's (a miss) may be stored. */
  private static final class TokenFormat implements AnswerFormat<CachedAnswer> {

    @Override
    public Optional<CachedAnswer> fromCache(CachedAnswer entry) {
      return Optional.of(entry);
    }

    @Override
    public List<SseEvent> replay(CachedAnswer answer, AnswerEngine.Outcome found, boolean stale) {
      List<SseEvent> events = new ArrayList<>(answer.replay());
      events.add(SseEvent.of(Events.DONE, new JsonObject().put("cache", found.tag()).put("stale", stale)));
      return events;
    }

    @Override
    public Optional<CachedAnswer> storable(List<SseEvent> log) {
      SseEvent last = log.isEmpty() ? null : log.get(log.size() - 1);
      if (last == null || !Events.DONE.equals(last.event()) || !"miss".equals(last.json().getString("cache"))) {
        return Optional.empty();
      }
      List<String> tokens = log.stream().filter(e -> Events.TOKEN.equals(e.event()))
          .map(e -> e.json().getString("text")).toList();
      return Optional.of(new CachedAnswer(tokens, new JsonArray(), "dynamic"));
    }

    @Override
    public SseEvent unavailable(String message) {
      return SseEvent.of(Events.ERROR, new JsonObject().put("code", "upstream_unavailable").put("message", message));
    }

    @Override
    public String text(CachedAnswer answer) {
      return answer.text();
    }
  }

  /** The cache's exact levels as one map. */
  private static final class MemoryCache implements AnswerCache {

    final Map<AnswerKey, CachedAnswer> entries = new HashMap<>();
    int lookups;
    int stores;

    @Override
    public Future<Optional<CachedAnswer>> lookup(AnswerKey key) {
      lookups++;
      return Future.succeededFuture(Optional.ofNullable(entries.get(key)));
    }

    @Override
    public Optional<CachedAnswer> lookupHere(AnswerKey key) {
      return Optional.ofNullable(entries.get(key));
    }

    @Override
    public Future<Optional<CachedAnswer>> find(AnswerKey key) {
      return Future.succeededFuture(Optional.ofNullable(entries.get(key)));
    }

    @Override
    public Future<Optional<CachedAnswer>> stale(AnswerKey key) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public long store(AnswerKey key, CachedAnswer answer) {
      stores++;
      entries.put(key, answer);
      return 60_000;
    }

    @Override
    public void forgetSite(String site) {
      entries.clear();
    }

    @Override
    public List<AnswerKey> forgetRetired(String site) {
      return List.of();
    }
  }

  /** The semantic level is off in these tests' settings; nothing is embedded. */
  private static final class NoEmbedder implements QuestionEmbedder {

    @Override
    public Future<float[]> embed(String question) {
      return Future.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public float[] embedNow(String question) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int dimensions() {
      return 384;
    }
  }
}
