package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.Ids;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Resuming a dropped answer stream with Last-Event-ID (API.md §1), through edge, origin and the simulator. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ResumeTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    // answers take about a second: long enough to drop the stream half way and come back
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "100",
            "EDGECHAT_SIM_TOKENS_PER_SECOND", "30", "EDGECHAT_SIM_ANSWER_TOKENS", "30"),
            Map.of("EDGECHAT_EDGE_RESUME_GRACE_MS", "10000"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  private static JsonObject ask(String question) {
    return new JsonObject().put("site", "demo").put("message", question + " (" + Ids.next() + ")");
  }

  /**
   * Verifies that a stream dropped after its fifth event, resumed with Last-Event-ID 5, delivers
   * events 6 to the end: none lost, none repeated, the whole answer, and the model was not cancelled.
   */
  @Test
  void resume_droppedMidAnswer_continuesWithNoEventLostOrRepeated(Vertx vertx, VertxTestContext ctx) {
    system.simStats().compose(before -> system.sse().chat(ask("How do I reset my password?"),
            e -> "5".equals(e.id()))
        .compose(open -> {
          open.response().request().connection().close();
          String message = open.answer().first("ready").getString("message");
          return vertx.timer(300)
              .compose(v -> system.sse().resume(message, "5"))
              .compose(rest -> system.simStats().map(after -> new Object[] {open.answer(), rest,
                  after.getLong("cancelled") - before.getLong("cancelled")}));
        }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          SseClient.Answer first = (SseClient.Answer) r[0];
          SseClient.Answer rest = (SseClient.Answer) r[1];
          assertThat(rest.status()).isEqualTo(200);
          List<SseEvent> all = new ArrayList<>(first.events());
          all.addAll(rest.events());
          List<Integer> ids = all.stream().map(e -> Integer.parseInt(e.id())).toList();
          assertThat(ids).startsWith(1, 2, 3, 4, 5, 6);
          for (int i = 0; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("event %d", i).isEqualTo(i + 1);
          }
          assertThat(rest.events()).extracting(SseEvent::event).endsWith("done").doesNotContain("ready");
          assertThat(rest.named("token")).isNotEmpty();
          assertThat((Long) r[2]).as("model calls cancelled").isZero();
          ctx.completeNow();
        })));
  }

  /** Verifies that a finished answer can be read again whole (Last-Event-ID 0), ready to done, same text. */
  @Test
  void resume_afterTheEnd_replaysTheWholeStream(Vertx vertx, VertxTestContext ctx) {
    system.sse().chat(ask("What does express delivery cost?"))
        .compose(answer -> system.sse().resume(answer.first("ready").getString("message"), "0")
            .map(again -> List.of(answer, again)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          SseClient.Answer original = both.get(0);
          SseClient.Answer again = both.get(1);
          assertThat(again.events()).extracting(SseEvent::event).containsExactlyElementsOf(
              original.events().stream().map(SseEvent::event).toList());
          assertThat(again.text()).isEqualTo(original.text());
          assertThat(again.events()).extracting(SseEvent::id).containsExactlyElementsOf(
              original.events().stream().map(SseEvent::id).toList());
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a cache hit, sent whole in one write, is resumable like any stream: from
   * Last-Event-ID 3 the events after the third, and from 0 the whole stream, ids and data as sent.
   */
  @Test
  void resume_cacheHit_replaysFromLastEventId(Vertx vertx, VertxTestContext ctx) {
    JsonObject question = ask("How long does a refund take?");
    system.sse().chat(question)
        .compose(miss -> system.sse().chat(question))
        .compose(hit -> {
          String message = hit.first("ready").getString("message");
          return system.sse().resume(message, "3")
              .compose(rest -> system.sse().resume(message, "0").map(whole -> List.of(hit, rest, whole)));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          SseClient.Answer hit = r.get(0);
          SseClient.Answer rest = r.get(1);
          SseClient.Answer whole = r.get(2);
          assertThat(hit.first("done").getString("cache")).isEqualTo("hit");
          assertThat(rest.status()).isEqualTo(200);
          assertThat(rest.events()).isEqualTo(hit.events().subList(3, hit.events().size()));
          assertThat(whole.events()).isEqualTo(hit.events());
          ctx.completeNow();
        })));
  }

  /** Verifies that an unknown message is 404 and a bad Last-Event-ID or message id is 400, as JSON errors. */
  @Test
  void resume_badInput_clearErrors(Vertx vertx, VertxTestContext ctx) {
    system.sse().resume(Ids.next(), null)
        .compose(unknown -> system.sse().resume(Ids.next(), "minus-one")
            .compose(badId -> system.sse().resume("not%20an%20id", "1")
                .map(badMessage -> List.of(unknown, badId, badMessage))))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          assertThat(answers.get(0).status()).isEqualTo(404);
          assertThat(answers.get(0).raw()).contains("\"not_found\"");
          assertThat(answers.get(1).status()).isEqualTo(400);
          assertThat(answers.get(1).raw()).contains("\"invalid_request\"");
          assertThat(answers.get(2).status()).isEqualTo(400);
          ctx.completeNow();
        })));
  }
}
