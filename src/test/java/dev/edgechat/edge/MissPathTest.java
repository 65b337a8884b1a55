package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.Await;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The miss path through edge, origin and the simulator (issue 20): once the edge's semantic lookup
 * embeds questions, origin retrieves with the vector the edge sends and embeds nothing itself.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MissPathTest {

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "50"), Map.of())
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
   * Verifies that a miss the edge embedded for its semantic lookup costs origin no embedding (its
   * embedding cache is not even asked), and that the answer still cites the passages retrieval found.
   */
  @Test
  void chat_missAfterSemanticIndexFilled_originEmbedsNothing(Vertx vertx, VertxTestContext ctx) {
    double[] before = new double[2];
    metric("edgechat_cache_semantic_entries")
        .compose(entries -> {
          before[0] = entries;
          return system.sse().chat(ask("How do I reset my password?"));
        })
        // the first question enters the semantic index once its answer is stored: from then on, the edge embeds
        .compose(first -> Await.until(vertx, () -> metric("edgechat_cache_semantic_entries")
            .map(now -> now > before[0]), 10_000))
        .compose(v -> metric("edgechat_embedding_cache_lookups_total"))
        .compose(lookups -> {
          before[1] = lookups;
          return system.sse().chat(ask("Do you ship to other countries?"));
        })
        .compose(miss -> metric("edgechat_embedding_cache_lookups_total").map(after -> new Object[] {miss, after}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          SseClient.Answer miss = (SseClient.Answer) r[0];
          assertThat(miss.first("done").getString("cache")).isEqualTo("miss");
          assertThat(miss.first("sources").getJsonArray("items")).as("passages found with the edge's vector")
              .isNotEmpty();
          // the first question came before the edge embedded any: origin embedded it (the metric is there)
          assertThat(before[1]).as("origin's embeddings before").isGreaterThan(0);
          assertThat((Double) r[1]).as("origin's embeddings of questions").isEqualTo(before[1]);
          ctx.completeNow();
        })));
  }

  /** The sum of a metric's series on the process's {@code /metrics} (edge and origin: role all). */
  private static Future<Double> metric(String name) {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(r -> r.body()))
        .map(body -> body.toString().lines()
            .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum());
  }
}
