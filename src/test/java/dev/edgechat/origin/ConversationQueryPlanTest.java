package dev.edgechat.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.QueryPlans;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The conversation queries of every answer use their indexes. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class ConversationQueryPlanTest {

  /** Verifies that a conversation's site is found by the primary key. */
  @Test
  void conversationSite_usesPrimaryKey(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.CONVERSATION_SITE, Tuple.of("plan-conv-42"))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("conversations_pkey").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that the recent history of a conversation is read through messages_conversation_idx. */
  @Test
  void recentMessages_usesConversationIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.RECENT_MESSAGES, Tuple.of("plan-conv-42", 6))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("messages_conversation_idx").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that a whole conversation is read through messages_conversation_idx, in order. */
  @Test
  void conversationMessages_usesConversationIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.CONVERSATION_MESSAGES, Tuple.of("plan-conv-42", 1000))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("messages_conversation_idx").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }
}
