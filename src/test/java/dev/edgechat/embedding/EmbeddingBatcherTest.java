package dev.edgechat.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.edgechat.sim.SimVectors;
import dev.edgechat.support.ManualTime;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The batcher in front of the real simulator, its windows ended by moving its time by hand. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EmbeddingBatcherTest {

  private static SimServer sim;

  private static final long WINDOW_MS = 5;

  private final ManualTime time = new ManualTime();
  private Context context;
  private RecordingModel upstream;
  private EmbeddingBatcher batcher;

  @BeforeAll
  static void startSim(Vertx vertx, VertxTestContext ctx) {
    SimServer.start(vertx).onComplete(ctx.succeeding(started -> {
      sim = started;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stopSim(VertxTestContext ctx) {
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  @BeforeEach
  void batcher(Vertx vertx, VertxTestContext ctx) {
    sim.api().stats().reset();
    upstream = new RecordingModel(sim.model(vertx, 10_000));
    newContext(vertx).onComplete(ctx.succeeding(created -> {
      context = created;
      batcher = new EmbeddingBatcher(context, upstream, 20, WINDOW_MS, time, null);
      ctx.completeNow();
    }));
  }

  /** Verifies that a batch below maxBatch is not sent until its window ends, then answers in order. */
  @Test
  void embed_belowMaxBatch_waitsForTheWindow(VertxTestContext ctx) {
    List<String> texts = texts("below", 5);
    Future<List<float[]>> result = batcher.embed(texts);
    drained()
        .compose(v -> {
          ctx.verify(() -> {
            assertThat(upstream.calls()).isEmpty();
            assertThat(time.pending()).isEqualTo(1);
            assertThat(time.lastDelayMs()).isEqualTo(5);
            assertThat(result.isComplete()).isFalse();
          });
          time.advanceMs(WINDOW_MS);
          return result;
        })
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          assertThat(upstream.calls()).containsExactly(texts);
          assertSimVectors(texts, vectors);
          assertThat(sim.api().stats().embeddingCalls()).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a batch is sent the moment it holds maxBatch distinct texts, without waiting for
   * its window, and that the texts left over wait for a window of their own.
   */
  @Test
  void embed_fullBatch_sentAtOnce(VertxTestContext ctx) {
    List<String> first = texts("fullA", 15);
    List<String> second = texts("fullB", 10);
    Future<List<float[]>> a = batcher.embed(first);
    Future<List<float[]>> b = batcher.embed(second);
    a.compose(vectors -> drained().map(vectors))
        .compose(vectors -> {
          ctx.verify(() -> {
            List<String> full = new ArrayList<>(first);
            full.addAll(second.subList(0, 5));
            assertThat(upstream.calls()).containsExactly(full);
            assertSimVectors(first, vectors);
            assertThat(b.isComplete()).isFalse();
            assertThat(time.pending()).as("the first window is cancelled, the rest has its own").isEqualTo(1);
          });
          time.advanceMs(WINDOW_MS);
          return b;
        })
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          assertThat(upstream.calls()).hasSize(2);
          assertThat(upstream.calls().get(1)).isEqualTo(second.subList(5, 10));
          assertSimVectors(second, vectors);
          ctx.completeNow();
        })));
  }

  /** Verifies that identical texts asked in one window go upstream once and each caller gets its own copy. */
  @Test
  void embed_identicalInputsInOneWindow_sentOnce(VertxTestContext ctx) {
    String same = "Returns are free within 30 days of delivery.";
    String other = "Gift cards never expire.";
    Future<List<float[]>> a = batcher.embed(List.of(same));
    Future<List<float[]>> b = batcher.embed(List.of(same));
    Future<List<float[]>> c = batcher.embed(List.of(same, other, same));
    drained()
        .compose(v -> {
          time.advanceMs(WINDOW_MS);
          return Future.all(a, b, c);
        })
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(upstream.calls()).containsExactly(List.of(same, other));
          assertThat(sim.api().stats().embeddingCalls()).isEqualTo(1);
          assertThat(sim.api().stats().embeddingInputs()).isEqualTo(2);
          assertSimVectors(List.of(same), a.result());
          assertSimVectors(List.of(same), b.result());
          assertSimVectors(List.of(same, other, same), c.result());
          assertThat(a.result().get(0)).isNotSameAs(b.result().get(0)).isNotSameAs(c.result().get(0));
          assertThat(c.result().get(0)).isNotSameAs(c.result().get(2));
          ctx.completeNow();
        })));
  }

  /** Verifies that one call of more texts than maxBatch is spread over several batches and answered in order. */
  @Test
  void embed_moreTextsThanMaxBatch_splitAndReassembled(VertxTestContext ctx) {
    List<String> texts = texts("many", 45);
    Future<List<float[]>> result = batcher.embed(texts);
    drained()
        .compose(v -> {
          time.advanceMs(WINDOW_MS);
          return result;
        })
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          assertThat(upstream.calls()).extracting(List::size).containsExactly(20, 20, 5);
          assertSimVectors(texts, vectors);
          ctx.completeNow();
        })));
  }

  /** Verifies that an upstream error fails exactly the callers whose texts were in that batch. */
  @Test
  void embed_upstreamRejectsBatch_failsOnlyItsCallers(VertxTestContext ctx) {
    Future<List<float[]>> innocent = batcher.embed(List.of("Shipping to Norway takes five days."));
    Future<List<float[]>> bad = batcher.embed(List.of(""));
    drained()
        .compose(v -> {
          time.advanceMs(WINDOW_MS);
          return Future.join(innocent, bad).otherwiseEmpty();
        })
        .compose(v -> {
          Future<List<float[]>> later = batcher.embed(List.of("We ship to Norway."));
          return drained().compose(w -> {
            time.advanceMs(WINDOW_MS);
            return later;
          });
        })
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          for (Future<List<float[]>> failed : List.of(innocent, bad)) {
            assertThat(failed.cause()).isInstanceOf(EmbeddingException.class)
                .hasMessageContaining("HTTP 400").hasMessageContaining("'input' cannot be an empty string");
            assertThat(((EmbeddingException) failed.cause()).retryable()).isFalse();
          }
          assertSimVectors(List.of("We ship to Norway."), vectors);
          ctx.completeNow();
        })));
  }

  /** Verifies that a caller on another context gets its answer on its own context. */
  @Test
  void embed_callerOnOtherContext_completesOnCallersContext(Vertx vertx, VertxTestContext ctx) {
    newContext(vertx).onComplete(ctx.succeeding(caller -> caller.runOnContext(v -> {
      batcher.embed(List.of("Opening hours are 9 to 5."))
          .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
            assertThat(caller).isNotSameAs(context);
            assertThat(Vertx.currentContext()).isSameAs(caller);
            ctx.completeNow();
          })));
      drained().onSuccess(w -> time.advanceMs(WINDOW_MS));
    })));
  }

  /** An event-loop context of its own: that of a verticle deployed for the purpose. */
  static Future<Context> newContext(Vertx vertx) {
    Promise<Context> created = Promise.promise();
    return vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        created.complete(context);
        return Future.succeededFuture();
      }
    }).compose(id -> created.future());
  }

  /** Succeeds once every task handed to the batcher's context before it has run. */
  private Future<Void> drained() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> done.complete());
    return done.future();
  }

  static List<String> texts(String prefix, int count) {
    return IntStream.range(0, count).mapToObj(i -> prefix + " chunk " + i + ": the widget ships in " + i + " days")
        .toList();
  }

  static void assertSimVectors(List<String> texts, List<float[]> vectors) {
    assertThat(vectors).hasSameSizeAs(texts);
    for (int i = 0; i < texts.size(); i++) {
      assertThat(vectors.get(i)).as("vector of text %d", i)
          .containsExactly(SimVectors.of(texts.get(i), SimServer.DIMENSIONS), within(1e-6f));
    }
  }
}
