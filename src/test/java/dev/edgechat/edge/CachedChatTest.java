package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.Site;
import dev.edgechat.support.Await;
import dev.edgechat.support.MetricsText;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The edge's exact answer cache and coalescing, through edge, origin and the simulator, on real Redis. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class CachedChatTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    new DocumentStore(pool)
        .putSite(new Site("other-shop", "Another shop", List.of("*"), null, 1))
        .eventually(pool::close)
        // answers take about 400 ms: long enough to join one in flight, or to leave it
        .compose(v -> SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "200",
            "EDGECHAT_SIM_TOKENS_PER_SECOND", "100", "EDGECHAT_SIM_ANSWER_TOKENS", "20"),
            // an abandoned answer stops at once (no wait for a resume), so it is aborted, not finished
            Map.of("EDGECHAT_EDGE_RESUME_GRACE_MS", "0")))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /** A question no other test asks, so the shared test Redis holds no answer to it. */
  private static String unique(String question) {
    return question + " (" + Ids.next() + ")";
  }

  private static JsonObject ask(String site, String question) {
    return new JsonObject().put("site", site).put("message", question);
  }

  private static Future<Long> chatCalls(Vertx vertx) {
    return system.simStats().map(stats -> stats.getLong("chatCalls"));
  }

  private static List<String> tokens(SseClient.Answer answer) {
    return answer.named("token").stream().map(e -> e.json().getString("text")).toList();
  }

  /**
   * Verifies that the second identical question is a hit: no upstream call, the same natural
   * chunks replayed, and the exchange saved in the second visitor's conversation too.
   */
  @Test
  void chat_sameQuestionTwice_secondIsHit(Vertx vertx, VertxTestContext ctx) {
    String question = unique("How do I reset my password?");
    chatCalls(vertx).compose(before -> system.sse().chat(ask("demo", question))
            .compose(first -> system.sse().chat(ask("demo", "  " + question.toUpperCase() + "  "))
                .compose(second -> chatCalls(vertx).compose(after -> conversation(vertx,
                        second.first("ready").getString("conversation"))
                    .map(c -> new Object[] {first, second, after - before, c})))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          SseClient.Answer first = (SseClient.Answer) r[0];
          SseClient.Answer second = (SseClient.Answer) r[1];
          assertThat(first.first("done").getString("cache")).isEqualTo("miss");
          assertThat(second.first("done").getString("cache")).isEqualTo("hit");
          assertThat((Long) r[2]).isEqualTo(1);
          assertThat(tokens(second)).hasSize(20).containsExactlyElementsOf(tokens(first));
          assertThat(second.first("sources")).isEqualTo(first.first("sources"));
          assertThat(second.first("done").containsKey("freshness")).isFalse();
          assertThat(second.first("done").fieldNames()).containsExactly("cache", "stale", "ms");
          assertThat(second.events()).extracting(SseEvent::id).containsExactlyElementsOf(
              IntStream.rangeClosed(1, second.events().size()).mapToObj(Integer::toString).toList());
          assertThat(second.events()).extracting(SseEvent::event).containsExactlyElementsOf(
              first.events().stream().map(SseEvent::event).toList());
          assertThat(second.first("ready").getString("conversation"))
              .isNotEqualTo(first.first("ready").getString("conversation"));
          assertThat(second.first("ready").getString("message")).isNotEqualTo(first.first("ready").getString("message"));
          assertThat(second.first("ready").fieldNames()).containsExactly("conversation", "message", "region");
          JsonObject conversation = (JsonObject) r[3];
          assertThat(conversation.getJsonArray("messages")).hasSize(2);
          assertThat(conversation.getJsonArray("messages").getJsonObject(1).getString("text")).isEqualTo(first.text());
          ctx.completeNow();
        })));
  }

  /** Verifies that the same question on another site, or as a follow-up, is not answered from the cache. */
  @Test
  void chat_otherSiteOrFollowUp_miss(Vertx vertx, VertxTestContext ctx) {
    String question = unique("Do you ship to Canada?");
    system.sse().chat(ask("demo", question))
        .compose(first -> system.sse().chat(ask("other-shop", question))
            .compose(otherSite -> system.sse().chat(ask("demo", question)
                    .put("conversation", first.first("ready").getString("conversation")))
                .map(followUp -> List.of(otherSite, followUp))))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          assertThat(answers.get(0).first("done").getString("cache")).isEqualTo("miss");
          assertThat(answers.get(1).first("done").getString("cache")).isEqualTo("miss");
          ctx.completeNow();
        })));
  }

  /** Verifies that 50 concurrent identical misses cause exactly one upstream call, and all get the answer. */
  @Test
  void chat_fiftyConcurrentIdentical_oneUpstreamCall(Vertx vertx, VertxTestContext ctx) {
    String question = unique("What does express delivery cost?");
    chatCalls(vertx).compose(before -> {
      List<Future<SseClient.Answer>> answers = new ArrayList<>();
      IntStream.range(0, 50).forEach(i -> answers.add(system.sse().chat(ask("demo", question))));
      return Future.all(answers).compose(all -> chatCalls(vertx).map(after -> {
        List<SseClient.Answer> list = all.list();
        return new Object[] {list, after - before};
      }));
    }).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      @SuppressWarnings("unchecked")
      List<SseClient.Answer> answers = (List<SseClient.Answer>) r[0];
      assertThat((Long) r[1]).isEqualTo(1);
      assertThat(answers).allSatisfy(a -> {
        assertThat(a.named("done")).hasSize(1);
        assertThat(a.text()).isEqualTo(answers.get(0).text());
      });
      assertThat(answers.get(0).text()).isNotBlank();
      ctx.completeNow();
    })));
  }

  /** Verifies that an answer its only visitor abandoned is not cached: the next ask goes upstream again. */
  @Test
  void chat_abortedAnswer_notCached(Vertx vertx, VertxTestContext ctx) {
    String question = unique("Can I return a gift card?");
    long[] cancelledBefore = new long[1];
    system.simStats().map(stats -> cancelledBefore[0] = stats.getLong("cancelled"))
        .compose(v -> chatCalls(vertx))
        .compose(before -> system.sse().chat(ask("demo", question), e -> e.event().equals("token"))
            .compose(open -> {
              open.response().request().connection().close();
              // the flight is over once the model's call is cancelled; then ask again
              return Await.until(vertx, () -> system.simStats().map(s -> s.getLong("cancelled") > cancelledBefore[0]),
                      10_000)
                  .compose(v -> vertx.timer(100))
                  .compose(v -> system.sse().chat(ask("demo", question)));
            })
            .compose(again -> chatCalls(vertx).map(after -> new Object[] {again, after - before})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          SseClient.Answer again = (SseClient.Answer) r[0];
          assertThat(again.first("done").getString("cache")).isEqualTo("miss");
          assertThat((Long) r[1]).isEqualTo(2);
          assertThat(again.events()).extracting(SseEvent::event).contains("token", "sources", "done");
          ctx.completeNow();
        })));
  }

  /**
   * Verifies the semantic level on real Redis and the real model: after one answer, a paraphrase
   * of the question is a semantic hit (no upstream call, the same answer), while a question that
   * differs in what matters (a hard negative) and the same paraphrase on another site are misses.
   */
  @Test
  void chat_paraphrase_semanticHit_hardNegativeAndOtherSite_miss(Vertx vertx, VertxTestContext ctx) {
    String site = freshSite();
    String other = freshSite();
    List<SseClient.Answer> answers = new ArrayList<>();
    List<String> scrapes = new ArrayList<>();
    double[] entriesBefore = new double[1];
    Future<Long> before = putSites(vertx, site, other).compose(v -> semanticEntries())
        .compose(entries -> {
          entriesBefore[0] = entries;
          return chatCalls(vertx);
        });
    before.compose(calls -> system.sse().chat(ask(site, "Is there a student discount?")))
        .compose(first -> {
          answers.add(first);
          // the question enters the index just after its answer is stored: wait for it
          return Await.until(vertx, () -> semanticEntries().map(now -> now > entriesBefore[0]), 10_000);
        })
        .compose(v -> system.sse().chat(ask(site, "Do students get a discount?")))
        .compose(paraphrase -> {
          answers.add(paraphrase);
          return metrics();
        })
        .compose(metrics -> {
          scrapes.add(metrics);
          return system.sse().chat(ask(site, "Is there a senior discount?"));
        })
        .compose(hardNegative -> {
          answers.add(hardNegative);
          return system.sse().chat(ask(other, "Do students get a discount?"));
        })
        .compose(otherSite -> {
          answers.add(otherSite);
          return metrics();
        })
        .compose(metrics -> {
          scrapes.add(metrics);
          return chatCalls(vertx);
        })
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertThat(answers).extracting(a -> a.first("done").getString("cache"))
              .containsExactly("miss", "semantic", "miss", "miss");
          // why each missed: the hard negative for its nearest cached question (by cosine or the
          // guard), the other site for having no cached question at all
          java.util.function.Function<String, Double> rejections = reason -> MetricsText.value(scrapes.get(1),
              "edgechat_cache_semantic_rejections_total", "reason=\"" + reason + "\"")
              - MetricsText.value(scrapes.get(0), "edgechat_cache_semantic_rejections_total",
                  "reason=\"" + reason + "\"");
          assertThat(rejections.apply("below_threshold") + rejections.apply("guard_different")
              + rejections.apply("guard_doubted")).as("the hard negative").isEqualTo(1);
          assertThat(rejections.apply("no_candidate")).as("the other site").isEqualTo(1);
          assertThat(answers.get(1).text()).isEqualTo(answers.get(0).text());
          assertThat(tokens(answers.get(1))).containsExactlyElementsOf(tokens(answers.get(0)));
          assertThat(after - before.result()).as("upstream calls").isEqualTo(3);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that follow-ups are cached under their history: the same two questions in a second
   * conversation (whose first answer came from the cache, so its history is the same) hit twice,
   * while the second question after a different first one is a miss.
   */
  @Test
  void chat_followUpAfterSameHistory_hit_afterOtherHistory_miss(Vertx vertx, VertxTestContext ctx) {
    String opening = unique("What are your opening hours?");
    String followUp = unique("And on public holidays?");
    List<SseClient.Answer> answers = new ArrayList<>();
    system.sse().chat(ask("demo", opening))
        .compose(first -> {
          answers.add(first);
          return system.sse().chat(ask("demo", followUp).put("conversation", conversationOf(first)));
        })
        .compose(firstFollowUp -> {
          answers.add(firstFollowUp);
          return system.sse().chat(ask("demo", opening));
        })
        .compose(second -> {
          answers.add(second);
          return system.sse().chat(ask("demo", followUp).put("conversation", conversationOf(second)));
        })
        .compose(secondFollowUp -> {
          answers.add(secondFollowUp);
          return system.sse().chat(ask("demo", unique("Where is your shop?")));
        })
        .compose(otherOpening -> system.sse().chat(ask("demo", followUp).put("conversation", conversationOf(otherOpening))))
        .onComplete(ctx.succeeding(otherFollowUp -> ctx.verify(() -> {
          assertThat(answers).extracting(a -> a.first("done").getString("cache"))
              .containsExactly("miss", "miss", "hit", "hit");
          assertThat(answers.get(3).text()).isEqualTo(answers.get(1).text());
          assertThat(otherFollowUp.first("done").getString("cache")).isEqualTo("miss");
          ctx.completeNow();
        })));
  }

  private static String conversationOf(SseClient.Answer answer) {
    return answer.first("ready").getString("conversation");
  }

  /** A site of its own, so that the semantic index and Redis hold nothing of it yet. */
  private static String freshSite() {
    return "semantic-" + Ids.next().substring(0, 10).toLowerCase();
  }

  private static Future<Void> putSites(Vertx vertx, String... ids) {
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    DocumentStore store = new DocumentStore(pool);
    Future<Void> all = Future.succeededFuture();
    for (String id : ids) {
      all = all.compose(v -> store.putSite(new Site(id, "Shop " + id, List.of("*"), null, 1)).mapEmpty());
    }
    return all.eventually(pool::close);
  }

  private static Future<String> metrics() {
    return MetricsText.scrape(system.http(), system.app().edgePort());
  }

  private static Future<Double> semanticEntries() {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(r -> r.body()))
        .map(body -> body.toString().lines()
            .filter(line -> line.startsWith("edgechat_cache_semantic_entries"))
            .map(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .findFirst().orElse(0.0));
  }

  private static Future<JsonObject> conversation(Vertx vertx, String id) {
    // the record of a hit is saved after its done event: wait until it is there
    Future<JsonObject>[] last = new Future[1];
    return Await.until(vertx, () -> (last[0] = fetch(id)).map(c -> c.getJsonArray("messages", new io.vertx.core.json.JsonArray()).size() == 2)
            .otherwise(false), 10_000)
        .compose(v -> last[0]);
  }

  private static Future<JsonObject> fetch(String id) {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1", "/v1/conversations/" + id)
        .compose(req -> req.send().compose(r -> r.body())).map(b -> b.toJsonObject());
  }
}
