package dev.edgechat.knowledge;

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

/** The knowledge base's hot queries use their indexes. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class KnowledgeQueryPlanTest {

  /** Verifies that a site is found by its primary key. */
  @Test
  void siteById_usesPrimaryKey(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.SITE_BY_ID, Tuple.of("plan-site-7"))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("Index Scan using sites_pkey").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that retrieval in a large knowledge base (20,000 chunks) finds the chunks through the
   * full-text index, not by scanning them. (For a site of a few hundred chunks the planner rightly
   * prefers the per-site index; the GIN index is for when that stops being cheap.)
   */
  @Test
  void searchChunks_largeSite_usesFullTextIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.SEARCH_CHUNKS,
            Tuple.of("plan-big-site", PostgresKnowledgeBase.tsQuery("Is a zircon included?"), 4))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("chunks_tsv_idx").doesNotContain("Seq Scan on chunks");
          ctx.completeNow();
        })));
  }

  /** Verifies that retrieval in a small site goes through an index too, never a scan of all chunks. */
  @Test
  void searchChunks_smallSite_usesAnIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.SEARCH_CHUNKS,
            Tuple.of("plan-site-3", PostgresKnowledgeBase.tsQuery("warranty refund"), 4))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).containsAnyOf("chunks_tsv_idx", "chunks_site_id_document_id_ordinal_key")
              .doesNotContain("Seq Scan on chunks");
          ctx.completeNow();
        })));
  }

  /** Verifies that replacing a document's chunks finds them through the unique index. */
  @Test
  void deleteChunksOfDocument_usesDocumentIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.DELETE_CHUNKS_OF_DOCUMENT, Tuple.of("plan-site-3", "doc-2"))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("chunks_site_id_document_id_ordinal_key").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }
}
