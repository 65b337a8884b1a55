package dev.edgechat.embedding;

import dev.edgechat.config.ConfigException;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the embedding model the settings ask for. */
public final class Embeddings {

  private static final Logger LOG = LoggerFactory.getLogger(Embeddings.class);

  private Embeddings() {
  }

  /**
   * The model of {@code embeddings.provider}, as one {@link EmbeddingModel}:
   * <ul>
   *   <li>{@code local}: {@link LocalEmbeddingModel} on {@code cache.embedderThreads} threads, cached
   *       in Redis if a Redis is given;</li>
   *   <li>{@code remote}: {@link RemoteEmbeddingModel} behind an {@link EmbeddingBatcher} (on a
   *       context of its own, Vert.x timers) behind the Redis cache if a Redis is given.</li>
   * </ul>
   * The batch limits, the cache switch and its times are read from {@code settings} at each use, so
   * reloaded [tunable] values apply without a restart.
   *
   * @param settings the live settings ({@code LiveConfig} in production)
   * @param apiKey the remote endpoint's key ({@code secrets().embeddingsKey()}); ignored for local
   * @param redis the cache Redis, or null for no cache
   * @param registry where the parts record their meters, or null for none
   * @throws ConfigException naming the setting when the remote model cannot be built (no key,
   *     unknown vector length)
   */
  public static EmbeddingModel create(Vertx vertx, Supplier<EdgechatConfig> settings, String apiKey, RedisAPI redis,
      MeterRegistry registry) {
    Objects.requireNonNull(vertx, "vertx");
    EdgechatConfig config = settings.get();
    EdgechatConfig.Embeddings s = config.embeddings();
    EmbeddingModel model;
    if (s.provider() == EdgechatConfig.Embeddings.Provider.REMOTE) {
      if (apiKey == null || apiKey.isBlank()) {
        throw new ConfigException("setting embeddings.provider (EDGECHAT_EMBEDDINGS_PROVIDER) is remote, but neither "
            + "EDGECHAT_EMBEDDINGS_API_KEY nor EDGECHAT_LLM_API_KEY is set");
      }
      RemoteEmbeddingModel remote;
      try {
        remote = new RemoteEmbeddingModel(vertx, s.baseUrl(), s.model(), s.dimensions(), apiKey, s.timeoutMs(),
            registry);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("setting embeddings.dimensions (EDGECHAT_EMBEDDINGS_DIMENSIONS): " + e.getMessage());
      }
      model = new EmbeddingBatcher(vertx.getOrCreateContext(), remote,
          () -> settings.get().embeddings().batchSize(), () -> settings.get().embeddings().batchWindowMs(),
          Scheduler.of(vertx), registry);
    } else {
      model = new LocalEmbeddingModel(vertx, config.cache().embedderThreads());
    }
    if (redis != null) {
      model = new CachedEmbeddingModel(model, redis,
          () -> settings.get().embeddings().cache(),
          () -> settings.get().embeddings().cacheTtlMs(),
          () -> settings.get().embeddings().cacheTimeoutMs(),
          registry);
    }
    LOG.info("embeddings [provider: {}, model: {}, dimensions: {}, cache: {}]", s.provider(), model.name(),
        model.dimensions(), redis != null);
    return model;
  }
}
