package dev.edgechat.embedding;

import static dev.edgechat.embedding.EmbeddingBatcherTest.assertSimVectors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.redis.RedisConnection;
import dev.edgechat.config.ConfigException;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The factory: the stack each provider setting gets, and the settings it refuses. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class EmbeddingsTest {

  @TempDir
  Path dir;

  /** Verifies that provider remote builds a cached, batched client of the configured endpoint that embeds. */
  @Test
  void create_remote_cachedBatchedClientOfTheEndpoint(Vertx vertx, VertxTestContext ctx) {
    RedisConnection redis = RedisConnection.open(vertx, "test", TestDatabases.redis(), 2000);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SimServer.start(vertx)
        .compose(sim -> settings(vertx, Map.of(
                "EDGECHAT_EMBEDDINGS_PROVIDER", "remote",
                "EDGECHAT_EMBEDDINGS_BASE_URL", sim.baseUrl().toString(),
                "EDGECHAT_EMBEDDINGS_DIMENSIONS", Integer.toString(SimServer.DIMENSIONS)))
            .compose(live -> {
              EmbeddingModel model = Embeddings.create(vertx, live, "test-key", redis.api(), registry);
              assertThat(model).isInstanceOf(CachedEmbeddingModel.class);
              assertThat(model.name()).isEqualTo("text-embedding-3-small");
              assertThat(model.dimensions()).isEqualTo(SimServer.DIMENSIONS);
              List<String> texts = List.of("Factory chunk one " + Ids.next(), "Factory chunk two " + Ids.next());
              return model.embed(texts).map(vectors -> {
                ctx.verify(() -> {
                  assertSimVectors(texts, vectors);
                  assertThat(sim.api().stats().embeddingCalls()).isEqualTo(1);
                  assertThat(registry.get("edgechat.embedding.batch.size").summary().mean()).isEqualTo(2);
                });
                return sim;
              });
            }))
        .compose(SimServer::close)
        .onComplete(ctx.succeeding(v -> {
          redis.close();
          ctx.completeNow();
        }));
  }

  /** Verifies that the default is the local model, cached only when a Redis is given. */
  @Test
  void create_defaults_localModel(Vertx vertx, VertxTestContext ctx) {
    settings(vertx, Map.of()).onComplete(ctx.succeeding(live -> ctx.verify(() -> {
      EmbeddingModel local = Embeddings.create(vertx, live, null, null, null);
      assertThat(local).isInstanceOf(LocalEmbeddingModel.class);
      assertThat(local.name()).isEqualTo("all-minilm-l6-v2-q");
      assertThat(local.dimensions()).isEqualTo(384);
      ctx.completeNow();
    })));
  }

  /** Verifies that a remote provider without a key, or of a model of unknown size, fails naming the setting. */
  @Test
  void create_remoteMisconfigured_failsNamingTheSetting(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> remote = settings(vertx, Map.of("EDGECHAT_EMBEDDINGS_PROVIDER", "remote"));
    Future<LiveConfig> unknownModel = settings(vertx, Map.of("EDGECHAT_EMBEDDINGS_PROVIDER", "remote",
        "EDGECHAT_EMBEDDINGS_MODEL", "nomic-embed-text"));
    Future.all(remote, unknownModel).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThatThrownBy(() -> Embeddings.create(vertx, remote.result(), null, null, null))
          .isInstanceOf(ConfigException.class).hasMessageContaining("embeddings.provider")
          .hasMessageContaining("EDGECHAT_EMBEDDINGS_API_KEY");
      assertThatThrownBy(() -> Embeddings.create(vertx, unknownModel.result(), "k", null, null))
          .isInstanceOf(ConfigException.class).hasMessageContaining("embeddings.dimensions")
          .hasMessageContaining("nomic-embed-text");
      ctx.completeNow();
    })));
  }

  private Future<LiveConfig> settings(Vertx vertx, Map<String, String> env) {
    return new ConfigLoader(vertx, dir, env).load();
  }
}
