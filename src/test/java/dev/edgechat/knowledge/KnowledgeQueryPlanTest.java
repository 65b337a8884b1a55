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

  /** Verifies that retrieval fetches the chunks the vector index found by primary key, never by a scan. */
  @Test
  void chunksById_usesPrimaryKeys(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.CHUNKS_BY_ID, Tuple.of((Object) new Long[] {5L, 500L, 5000L, 15000L}))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("chunks_pkey").contains("documents_pkey").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that building the vector index at start pages through the chunks by primary key. */
  @Test
  void chunkVectorsPage_usesPrimaryKey(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.CHUNK_VECTORS_PAGE, Tuple.of(10_000L, "", 5000))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("chunks_pkey").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that refreshing one site's index reads its chunk ids through the per-site index. */
  @Test
  void chunkIdsOfSite_usesSiteIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.CHUNK_IDS_OF_SITE, Tuple.of("plan-site-3", ""))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("chunks_site_id_document_id_ordinal_key").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that the site as origin sends it reads the site's reported wrong hits through their site index. */
  @Test
  void wrongHitsOfSite_usesSiteIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.WRONG_HITS_OF_SITE, Tuple.of("plan-site-3", 10_000))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("semantic_wrong_hits_site_idx").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that the sweeper finds unfinished documents through its small partial index. */
  @Test
  void unfinishedDocuments_usesPartialIndex(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.UNFINISHED_DOCUMENTS, Tuple.of(300_000L, 500))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("documents_unfinished_idx").doesNotContain("Seq Scan");
          ctx.completeNow();
        })));
  }

  /** Verifies that a site's document listing reads the documents by their primary key's site prefix. */
  @Test
  void documentsOfSite_usesPrimaryKey(Vertx vertx, VertxTestContext ctx) {
    QueryPlans.explain(vertx, SqlQueries.DOCUMENTS_OF_SITE, Tuple.of("plan-site-3", 10_000))
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertThat(plan).contains("documents_pkey").doesNotContain("Seq Scan");
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
