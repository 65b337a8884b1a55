package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.db.Lsn;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.ReadAfter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import dev.edgechat.support.ManualTime;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The recorder's settling: a conversation that began with a cache hit exists at origin only once
 * the edge's record of it arrived, so a follow-up must wait for it (issue 6's plan run saw
 * {@code not_found} follow-ups right after hits). Origin's {@code /internal/records} is played by
 * a server that holds each batch until the test answers it, to order the steps exactly.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ConversationRecorderTest {

  private final Queue<HttpServerRequest> heldBatches = new ConcurrentLinkedQueue<>();
  /** The conversations of each held batch's records, in order, as origin received them. */
  private final Map<HttpServerRequest, List<String>> conversationsOf = new ConcurrentHashMap<>();
  private ConversationRecorder recorder;
  /** The recorder's pauses between tries: they end only when a test moves this time on. */
  private ManualTime time;
  private SimpleMeterRegistry registry;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    HttpServer origin = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(b -> {
      conversationsOf.put(request, b.toJsonObject().getJsonArray("records").stream()
          .map(r -> ((JsonObject) r).getString("conversation")).toList());
      heldBatches.add(request);
    }));
    origin.listen(0, "127.0.0.1").onComplete(ctx.succeeding(server -> {
      URI url = URI.create("http://127.0.0.1:" + server.actualPort());
      OriginClient client = new OriginClient(vertx, () -> url, "token",
          EdgechatConfig.Edge.builder().heartbeatMs(15_000).maxMessageChars(4_000).siteCacheMs(60_000)
              .originConnectTimeoutMs(2_000).originIdleTimeoutMs(30_000).resumeTtlMs(300_000).resumeGraceMs(5_000)
              .resumableHits(1_000).changesTimeoutMs(4_000).primaryRegion("").flyReplay(false).build());
      registry = new SimpleMeterRegistry();
      time = new ManualTime();
      recorder = new ConversationRecorder(client, registry, time);
      ctx.completeNow();
    }));
  }

  /** Verifies that a conversation with nothing recorded is settled at once. */
  @Test
  void settled_nothingRecorded_completesAtOnce() {
    assertThat(recorder.settled("c-none").isComplete()).isTrue();
  }

  /** Verifies that a recorded conversation settles only when origin took its batch, and others stay settled. */
  @Test
  void settled_recordInFlight_waitsForOrigin(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-1"), "answer one");
    Future<Void> settled = recorder.settled("c-1");
    assertThat(recorder.settled("c-other").isComplete()).isTrue();
    nextBatch(vertx).onComplete(ctx.succeeding(batch -> {
      ctx.verify(() -> {
        assertThat(batch.getHeader("Content-Type")).startsWith("application/json");
        assertThat(settled.isComplete()).as("settled before origin answered").isFalse();
      });
      batch.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("saved", 1).encode());
      settled.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(recorder.settled("c-1").isComplete()).isTrue();
        ctx.completeNow();
      })));
    }));
  }

  /**
   * Verifies that an exchange waiting behind a batch in flight keeps its conversation unsettled
   * through both batches: the case of a follow-up racing its conversation's first record.
   */
  @Test
  void settled_recordQueuedBehindBatch_waitsForItsOwnBatch(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-first"), "a");
    recorder.record(exchange("c-second"), "b");
    Future<Void> second = recorder.settled("c-second");
    nextBatch(vertx).compose(first -> {
      first.response().end(new JsonObject().put("saved", 1).encode());
      return nextBatch(vertx);
    }).onComplete(ctx.succeeding(secondBatch -> {
      ctx.verify(() -> assertThat(second.isComplete()).as("settled before its own batch").isFalse());
      secondBatch.response().end(new JsonObject().put("saved", 1).encode());
      second.onComplete(ctx.succeedingThenComplete());
    }));
  }

  /**
   * Verifies that exchanges origin cannot take for now are not lost: their conversation settles at
   * the first failure (a follow-up does not wait out an outage), one recorded meanwhile settles at
   * once, and the same exchanges are tried again after a doubling pause, first and in order ahead
   * of those recorded since, until origin takes them.
   */
  @Test
  void record_originAwayForAWhile_triesAgainUntilSavedAndDropsNothing(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-early"), "answer");
    Future<Void> settled = recorder.settled("c-early");
    nextBatch(vertx).compose(first -> {
      first.response().setStatusCode(503).end();
      return settled;
    }).compose(v -> pauseSet(vertx)).compose(v -> {
      recorder.record(exchange("c-later"), "answer");
      ctx.verify(() -> {
        assertThat(recorder.settled("c-later").isComplete()).as("settled while origin is failing").isTrue();
        assertThat(time.lastDelayMs()).isEqualTo(ConversationRecorder.FIRST_PAUSE_MS);
        assertThat(heldBatches).as("nothing sent during the pause").isEmpty();
      });
      return time.advanceMs(ConversationRecorder.FIRST_PAUSE_MS).compose(x -> nextBatch(vertx));
    }).compose(retry -> {
      ctx.verify(() -> assertThat(conversationsOf.get(retry)).containsExactly("c-early", "c-later"));
      retry.response().setStatusCode(503).end(); // origin still away: a longer pause, then again
      return pauseSet(vertx).compose(v -> {
        ctx.verify(() -> assertThat(time.lastDelayMs()).isEqualTo(2 * ConversationRecorder.FIRST_PAUSE_MS));
        return time.advanceMs(2 * ConversationRecorder.FIRST_PAUSE_MS);
      }).compose(v -> nextBatch(vertx));
    }).onComplete(ctx.succeeding(third -> {
      ctx.verify(() -> assertThat(conversationsOf.get(third)).containsExactly("c-early", "c-later"));
      third.response().end(new JsonObject().put("saved", 2).encode());
      recorder.flush().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(registry.counter("edgechat.records.dropped").count()).isZero();
        ctx.completeNow();
      })));
    }));
  }

  /**
   * Verifies that after {@value ConversationRecorder#ISOLATE_AFTER} failures in a row the oldest
   * exchange goes alone (one origin cannot save does not hold the others up for good), and that a
   * success brings whole batches back.
   */
  @Test
  void record_failingAgainAndAgain_sendsTheOldestAloneUntilOneIsSaved(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-a"), "a");
    recorder.record(exchange("c-b"), "b");
    Future<HttpServerRequest> fourth = nextBatch(vertx);
    for (int n = 0; n < ConversationRecorder.ISOLATE_AFTER; n++) {
      fourth = fourth.compose(batch -> {
        batch.response().setStatusCode(503).end();
        return pauseSet(vertx).compose(v -> time.advanceMs(ConversationRecorder.LONGEST_PAUSE_MS))
            .compose(v -> nextBatch(vertx));
      });
    }
    fourth.compose(alone -> {
      ctx.verify(() -> assertThat(conversationsOf.get(alone)).containsExactly("c-a"));
      alone.response().end(new JsonObject().put("saved", 1).encode());
      return nextBatch(vertx);
    }).onComplete(ctx.succeeding(rest -> {
      ctx.verify(() -> assertThat(conversationsOf.get(rest)).containsExactly("c-b"));
      rest.response().end(new JsonObject().put("saved", 1).encode());
      ctx.completeNow();
    }));
  }

  /** Verifies that an exchange still failing {@value ConversationRecorder#RETRY_FOR_MS} ms after its first failure is given up. */
  @Test
  void record_originAwayTooLong_givesTheExchangeUpAndCountsIt(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-old"), "answer");
    nextBatch(vertx).compose(first -> {
      first.response().setStatusCode(503).end();
      return pauseSet(vertx);
    }).compose(v -> time.advanceMs(ConversationRecorder.RETRY_FOR_MS)).compose(v -> nextBatch(vertx))
        .onComplete(ctx.succeeding(last -> {
          last.response().setStatusCode(503).end();
          recorder.flush().onComplete(ctx.succeeding(v -> ctx.verify(() -> {
            assertThat(registry.counter("edgechat.records.dropped").count()).isEqualTo(1.0);
            assertThat(time.pending()).as("no further try").isZero();
            ctx.completeNow();
          })));
        }));
  }

  /** Verifies that a batch origin refuses as such (a 4xx) is given up at once: settled, counted, not sent again. */
  @Test
  void record_originRefusesTheBatch_givesItUpAtOnce(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-refused"), "answer");
    Future<Void> settled = recorder.settled("c-refused");
    nextBatch(vertx).compose(first -> {
      first.response().setStatusCode(400).putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("error", new JsonObject().put("code", "invalid_request")
              .put("message", "records must be an array of at most 200")).encode());
      return settled;
    }).compose(v -> {
      recorder.record(exchange("c-next"), "answer");
      return nextBatch(vertx);
    }).onComplete(ctx.succeeding(next -> {
      ctx.verify(() -> {
        assertThat(conversationsOf.get(next)).containsExactly("c-next");
        assertThat(registry.counter("edgechat.records.dropped").count()).isEqualTo(1.0);
        assertThat(time.pending()).as("no pause after a refusal").isZero();
      });
      next.response().end(new JsonObject().put("saved", 1).encode());
      ctx.completeNow();
    }));
  }

  /**
   * Verifies that a stop does not wait out an outage: a flush during the pause after a failure
   * tries once more at once (this test's time never ends the pause by itself), and what fails
   * again is given up and counted.
   */
  @Test
  void flush_originAway_triesOnceMoreThenGivesUp(Vertx vertx, VertxTestContext ctx) {
    recorder.record(exchange("c-stop"), "answer");
    nextBatch(vertx).compose(first -> {
      first.response().setStatusCode(503).end();
      return pauseSet(vertx);
    }).compose(v -> {
      Future<Void> flushed = recorder.flush();
      return nextBatch(vertx).compose(retry -> {
        ctx.verify(() -> assertThat(flushed.isComplete()).as("flushed before the last try").isFalse());
        retry.response().setStatusCode(503).end();
        return flushed;
      });
    }).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(registry.counter("edgechat.records.dropped").count()).isEqualTo(1.0);
      assertThat(time.pending()).as("the pause called off").isZero();
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that the WAL position origin answers a batch with is kept for each of its
   * conversations by the time they settle, and that an earlier position never replaces a later one.
   */
  @Test
  void settled_originSaysWhereItWrote_positionKeptForTheNextRead(Vertx vertx, VertxTestContext ctx) {
    recorder.wrote("c-a", Lsn.parse("0/500"));
    recorder.record(exchange("c-a"), "a");
    recorder.record(exchange("c-b"), "b");
    Future<Void> settled = Future.all(recorder.settled("c-a"), recorder.settled("c-b")).mapEmpty();
    // c-a goes at once; c-b gathers behind it
    nextBatch(vertx).compose(first -> {
      first.response().end(new JsonObject().put("saved", 1).put(ReadAfter.FIELD, "0/300").encode());
      return nextBatch(vertx);
    }).onComplete(ctx.succeeding(second -> {
      second.response().end(new JsonObject().put("saved", 1).put(ReadAfter.FIELD, "0/400").encode());
      settled.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(recorder.position("c-a")).as("the later position stays").contains(Lsn.parse("0/500"));
        assertThat(recorder.position("c-b")).contains(Lsn.parse("0/400"));
        assertThat(recorder.position("c-none")).isEmpty();
        ctx.completeNow();
      })));
    }));
  }

  /**
   * Verifies that a flush (a stop) completes only once every exchange recorded before it was
   * taken by origin, through both batches, and at once when nothing waits.
   */
  @Test
  void flush_recordsWaiting_completesOnceOriginTookEveryBatch(Vertx vertx, VertxTestContext ctx) {
    assertThat(recorder.flush().isComplete()).as("nothing recorded").isTrue();
    recorder.record(exchange("c-a"), "a");
    recorder.record(exchange("c-b"), "b");
    Future<Void> flushed = recorder.flush();
    nextBatch(vertx).compose(first -> {
      ctx.verify(() -> assertThat(flushed.isComplete()).as("flushed before the first batch").isFalse());
      first.response().end(new JsonObject().put("saved", 1).encode());
      return nextBatch(vertx);
    }).onComplete(ctx.succeeding(second -> {
      ctx.verify(() -> assertThat(flushed.isComplete()).as("flushed before the second batch").isFalse());
      second.response().end(new JsonObject().put("saved", 1).encode());
      flushed.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(recorder.settled("c-a").isComplete()).isTrue();
        assertThat(recorder.settled("c-b").isComplete()).isTrue();
        ctx.completeNow();
      })));
    }));
  }

  private static AnswerRequest exchange(String conversation) {
    return new AnswerRequest("demo", conversation, true, "m-" + conversation, "a question", null);
  }

  /** Completes once the recorder set its pause after a failed batch (polled on the event loop). */
  private Future<Void> pauseSet(Vertx vertx) {
    if (time.pending() > 0) {
      return Future.succeededFuture();
    }
    return Future.<Void>future(p -> vertx.setTimer(5, t -> p.complete())).compose(v -> pauseSet(vertx));
  }

  /** The next batch origin received, once it arrived (polled on the event loop, no sleeping thread). */
  private Future<HttpServerRequest> nextBatch(Vertx vertx) {
    HttpServerRequest batch = heldBatches.poll();
    if (batch != null) {
      return Future.succeededFuture(batch);
    }
    return Future.<Void>future(p -> vertx.setTimer(5, t -> p.complete())).compose(v -> nextBatch(vertx));
  }
}
