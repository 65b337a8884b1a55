package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.Await;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Ingestion with a remote embedding provider (the simulator's {@code /v1/embeddings}): the chunks
 * of a batch of documents reach the provider in full batches of 20, through the batcher.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RemoteEmbeddingIngestionTest {

  private static final String ADMIN_TOKEN = "test-admin-" + Ids.next();
  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_EMBEDDING_LATENCY_MS", "20"),
            Map.of("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN, "EDGECHAT_EMBEDDINGS_PROVIDER", "remote",
                "EDGECHAT_EMBEDDINGS_DIMENSIONS", "256"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  private static Future<JsonObject> admin(HttpMethod method, String uri, JsonObject body) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1")
        .setPort(system.app().edgePort()).setURI(uri).putHeader("Authorization", "Bearer " + ADMIN_TOKEN)
        .putHeader("Content-Type", "application/json");
    return system.http().request(options).compose(req -> req.send(body == null ? Buffer.buffer() : body.toBuffer())
        .compose(resp -> resp.body().map(Buffer::toJsonObject)));
  }

  /** Verifies that 100 one-chunk documents cost at most 5 embedding calls upstream (sim counters), all ingested. */
  @Test
  void ingest_hundredChunksRemote_atMostFiveUpstreamCalls(Vertx vertx, VertxTestContext ctx) {
    String site = "remote-" + Ids.next().substring(0, 8).toLowerCase();
    JsonArray docs = new JsonArray(IntStream.range(0, 100).mapToObj(i -> new JsonObject()
        .put("id", "faq-" + i).put("title", "Question " + i)
        .put("text", "Answer number " + i + " of the shop's frequently asked questions, about topic " + i + "."))
        .toList());
    JsonObject[] before = new JsonObject[1];
    JsonObject[] job = new JsonObject[1];
    admin(HttpMethod.PUT, "/admin/sites/" + site, new JsonObject().put("name", "Remote").put("allowedOrigins",
            new JsonArray().add("*")))
        .compose(x -> system.simStats().map(stats -> before[0] = stats))
        .compose(x -> admin(HttpMethod.POST, "/admin/sites/" + site + "/documents",
            new JsonObject().put("documents", docs)))
        .compose(posted -> Await.until(vertx, () -> admin(HttpMethod.GET, "/admin/jobs/" + posted.getString("job"), null)
            .map(found -> {
              job[0] = found;
              return "completed".equals(found.getString("state")) || "failed".equals(found.getString("state"));
            }), 60_000))
        .compose(x -> system.simStats())
        .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
          assertThat(job[0].getString("state")).isEqualTo("completed");
          assertThat(job[0].getJsonObject("result").getInteger("ready")).isEqualTo(100);
          long calls = after.getLong("embeddingCalls") - before[0].getLong("embeddingCalls");
          long inputs = after.getLong("embeddingInputs") - before[0].getLong("embeddingInputs");
          assertThat(inputs).isEqualTo(100);
          assertThat(calls).isLessThanOrEqualTo(5);
          ctx.completeNow();
        })));
  }
}
