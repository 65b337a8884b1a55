package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.Site;
import dev.edgechat.support.Await;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Purging a site's cache retires its cached answers on the edge at once (Redis pub/sub). */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class CacheInvalidationTest {

  private static final String ADMIN_TOKEN = "test-admin-" + Ids.next();
  private static final String SITE = "purge-shop";
  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    new DocumentStore(pool)
        .putSite(new Site(SITE, "A shop whose cache gets purged", List.of("*"), null, 1))
        .eventually(pool::close)
        .compose(v -> SimulatedSystem.start(vertx,
            Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "20", "EDGECHAT_SIM_TOKENS_PER_SECOND", "2000"),
            // the edge's site entries live an hour: only the invalidation can retire the answer in time
            Map.of("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN, "EDGECHAT_EDGE_SITE_CACHE_MS", "3600000")))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /**
   * Verifies that after POST /admin/sites/{site}/cache/purge the next identical question is a miss
   * again, and the purge answers the new version.
   */
  @Test
  void purge_cachedAnswer_nextAskIsMiss(Vertx vertx, VertxTestContext ctx) {
    JsonObject question = new JsonObject().put("site", SITE).put("message", "Do you ship to Iceland? " + Ids.next());
    system.sse().chat(question)
        .compose(first -> system.sse().chat(question))
        .compose(hit -> purge(SITE, "Bearer " + ADMIN_TOKEN).map(purged -> new Object[] {hit, purged}))
        .compose(r -> Await.until(vertx, () -> system.sse().chat(question)
                .map(again -> "miss".equals(again.first("done").getString("cache"))), 10_000)
            .map(r))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(((SseClient.Answer) r[0]).first("done").getString("cache")).isEqualTo("hit");
          Reply purged = (Reply) r[1];
          assertThat(purged.status()).isEqualTo(200);
          assertThat(new JsonObject(purged.body()).getLong("version")).isGreaterThan(1);
          ctx.completeNow();
        })));
  }

  /** Verifies that the admin API wants its token and knows which sites exist. */
  @Test
  void purge_badTokenOrUnknownSite_401And404(Vertx vertx, VertxTestContext ctx) {
    // a burst is sent from one Vert.x context, as the product's own clients send; see the issue note
    vertx.runOnContext(go -> {
      Future<Reply> noToken = purge(SITE, null);
      Future<Reply> wrongToken = purge(SITE, "Bearer nope");
      Future<Reply> unknown = purge("no-such-site", "Bearer " + ADMIN_TOKEN);
      Future.all(noToken, wrongToken, unknown).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
        assertThat(noToken.result().status()).isEqualTo(401);
        assertThat(wrongToken.result().status()).isEqualTo(401);
        assertThat(unknown.result().status()).isEqualTo(404);
        assertThat(new JsonObject(unknown.result().body()).getJsonObject("error").getString("code"))
            .isEqualTo("not_found");
        ctx.completeNow();
      })));
    });
  }

  record Reply(int status, String body) {
  }

  private static Future<Reply> purge(String site, String authorization) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(system.app().edgePort()).setURI("/admin/sites/" + site + "/cache/purge");
    if (authorization != null) {
      options.putHeader("Authorization", authorization);
    }
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(options).compose(req -> req.send(Buffer.buffer())
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))));
  }
}
