package dev.edgechat.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.db.ReplicaRouter;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.Site;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Conversations saved by origin, on real Postgres. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ConversationStoreTest {

  private static ConversationStore.Exchange exchange(String conversation, String question, String answer) {
    String message = Ids.next();
    return new ConversationStore.Exchange(conversation, "store-test", null, message + "-q", question, message, answer);
  }

  /**
   * Verifies that one batch of exchanges, two of them in the same conversation, saves every
   * question before its answer and the exchanges in batch order, and that saving it again adds nothing.
   */
  @Test
  void saveExchanges_batch_inOrder_twiceHarmless(Vertx vertx, VertxTestContext ctx) {
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    ConversationStore store = new ConversationStore(vertx, pool, ReplicaRouter.primaryOnly(pool), 1000, 5,
        new SimpleMeterRegistry());
    String first = Ids.next();
    String second = Ids.next();
    List<ConversationStore.Exchange> batch = List.of(exchange(first, "Q1", "A1"), exchange(second, "Q2", "A2"),
        exchange(first, "Q3", "A3"));
    new DocumentStore(pool).putSite(new Site("store-test", "Store test", List.of("*"), null, 1))
        .compose(v -> store.saveExchanges(batch))
        .compose(v -> store.saveExchanges(batch))
        .compose(v -> Future.all(store.conversation(first), store.conversation(second)))
        .eventually(store::close)
        .eventually(pool::close)
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          JsonObject one = both.<java.util.Optional<JsonObject>>resultAt(0).orElseThrow();
          JsonObject two = both.<java.util.Optional<JsonObject>>resultAt(1).orElseThrow();
          assertThat(one.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
              .containsExactly("Q1", "A1", "Q3", "A3");
          assertThat(one.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("role")))
              .containsExactly("user", "assistant", "user", "assistant");
          assertThat(two.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("text")))
              .containsExactly("Q2", "A2");
          ctx.completeNow();
        })));
  }
}
