package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.db.Migrations;
import dev.edgechat.ops.Readiness;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The embeddings of origin and the worker compared through real Postgres (a database of its own,
 * migrated by Flyway, since the table is global): a difference is reported by /readyz naming both
 * roles' settings (issue 21, item 4).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class EmbeddingAgreementTest {

  private static final EmbeddingAgreement.Embedder LOCAL = new EmbeddingAgreement.Embedder("LOCAL",
      "all-minilm-l6-v2-q", 384);
  private static final EmbeddingAgreement.Embedder REMOTE = new EmbeddingAgreement.Embedder("REMOTE",
      "text-embedding-3-small", 1536);

  private Pool pool;

  @BeforeEach
  void open(Vertx vertx) throws Exception {
    URI shared = TestDatabases.postgres();
    String name = "agreement_" + Ids.next().substring(0, 10).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "x");
    Pool admin = PgBuilder.pool().connectingTo(shared.toString()).using(vertx).build();
    admin.query("CREATE DATABASE " + name).execute().eventually(admin::close)
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    URI own = new URI(shared.getScheme(), shared.getUserInfo(), shared.getHost(), shared.getPort(), "/" + name,
        shared.getQuery(), null);
    Migrations.migrate(own);
    pool = PgBuilder.pool().connectingTo(own.toString()).using(vertx).build();
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    pool.close().onComplete(ctx.succeedingThenComplete());
  }

  /** Verifies that origin on local and the worker on remote embeddings turn both roles' check degraded, naming both settings. */
  @Test
  void readiness_originLocalWorkerRemote_reportsBothSettings_issue21Item4(VertxTestContext ctx) {
    EmbeddingAgreement origin = new EmbeddingAgreement(pool, "origin", LOCAL);
    EmbeddingAgreement worker = new EmbeddingAgreement(pool, "worker", REMOTE);
    Readiness originCheck = origin.readiness();
    Readiness workerCheck = worker.readiness();
    origin.record()
        .compose(v -> originCheck.check()) // no worker recorded yet: nothing to disagree with
        .compose(v -> worker.record())
        .compose(v -> {
          List<Future<Void>> both = List.of(originCheck.check(), workerCheck.check());
          return Future.join(both).transform(r -> Future.succeededFuture(both));
        })
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(originCheck.name()).isEqualTo("embeddings");
          assertThat(originCheck.essential()).isFalse();
          for (Future<Void> check : both) {
            assertThat(check.failed()).isTrue();
            assertThat(check.cause().getMessage()).contains(
                "origin embeds questions with embeddings.provider=local, model all-minilm-l6-v2-q (384 dimensions)",
                "the worker embeds chunks with embeddings.provider=remote, model text-embedding-3-small (1536 dimensions)",
                "sources: []");
          }
          ctx.completeNow();
        })));
  }

  /** Verifies that two models of the same length differ too, and that a worker restarted with origin's settings clears the report. */
  @Test
  void readiness_sameSettingsAfterRestart_up_issue21Item4(VertxTestContext ctx) {
    EmbeddingAgreement origin = new EmbeddingAgreement(pool, "origin", REMOTE);
    EmbeddingAgreement otherModel = new EmbeddingAgreement(pool, "worker",
        new EmbeddingAgreement.Embedder("remote", "text-embedding-ada-002", 1536));
    EmbeddingAgreement restarted = new EmbeddingAgreement(pool, "worker", REMOTE);
    Readiness originCheck = origin.readiness();
    origin.record()
        .compose(v -> otherModel.record())
        .compose(v -> originCheck.check().transform(Future::succeededFuture))
        .compose(differing -> {
          ctx.verify(() -> assertThat(differing.cause()).hasMessageContaining("text-embedding-ada-002"));
          return restarted.record();
        })
        .compose(v -> Future.join(originCheck.check(), restarted.readiness().check()))
        .onComplete(ctx.succeedingThenComplete());
  }
}
