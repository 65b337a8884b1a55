package dev.edgechat.gateway;

import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.embedding.CachedEmbeddingModel;
import dev.edgechat.embedding.EmbeddingBatcher;
import dev.edgechat.embedding.EmbeddingException;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.embedding.RemoteEmbeddingModel;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Embeddings for the gateway's callers, through the same parts the knowledge base uses: per
 * upstream, model and vector length one {@link RemoteEmbeddingModel} behind an
 * {@link EmbeddingBatcher} (inputs of concurrent requests share upstream calls, identical inputs are
 * sent once) behind a {@link CachedEmbeddingModel} on the cache Redis (a text is embedded once per
 * model). Batch size, window and the cache switch are the {@code embeddings.*} settings.
 */
final class GatewayEmbeddings {

  /** Distinct (upstream, model, length) chains kept; a caller cannot make the edge keep more. */
  static final int MAX_MODELS = 64;

  private final Vertx vertx;
  private final LiveConfig config;
  private final RedisAPI redis;
  private final MeterRegistry registry;
  private final Context batching;
  private final ConcurrentHashMap<String, EmbeddingModel> models = new ConcurrentHashMap<>();

  /** @param redis the cache Redis, or null: then vectors are batched but not cached */
  GatewayEmbeddings(Vertx vertx, LiveConfig config, RedisAPI redis, MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.config = Objects.requireNonNull(config);
    this.redis = redis;
    this.registry = Objects.requireNonNull(registry);
    this.batching = vertx.getOrCreateContext();
  }

  /**
   * Embeds {@code inputs} with {@code model} at the profile's upstream.
   *
   * @param dimensions the vector length asked for, 0 for the model's own
   * @return the unit-length vectors in input order and how many came from the cache; fails with a
   *     {@link GatewayError} (400 when the vector length is unknown, the upstream's refusal, 502/504)
   */
  Future<CachedEmbeddingModel.Embedded> embed(GatewayProfile profile, String model, int dimensions,
      List<String> inputs) {
    EmbeddingModel chain;
    try {
      chain = chain(profile, model, dimensions);
    } catch (GatewayError e) {
      return Future.failedFuture(e);
    }
    Future<CachedEmbeddingModel.Embedded> embedded = chain instanceof CachedEmbeddingModel cached
        ? cached.embedCounted(inputs)
        : chain.embed(inputs).map(vectors -> new CachedEmbeddingModel.Embedded(vectors, 0));
    return embedded.recover(e -> Future.failedFuture(asError(e)));
  }

  private EmbeddingModel chain(GatewayProfile profile, String model, int dimensions) {
    String id = profile.baseUrl() + "|" + profile.name() + "|" + model + "|" + dimensions;
    EmbeddingModel known = models.get(id);
    if (known != null) {
      return known;
    }
    if (models.size() >= MAX_MODELS) {
      throw GatewayError.invalidRequest("this edge embeds with at most " + MAX_MODELS + " distinct models", "model");
    }
    return models.computeIfAbsent(id, k -> build(profile, model, dimensions));
  }

  private EmbeddingModel build(GatewayProfile profile, String model, int dimensions) {
    RemoteEmbeddingModel remote;
    try {
      remote = new RemoteEmbeddingModel(vertx, profile.baseUrl(), model, dimensions, profile.upstreamKey().orElse(""),
          config.get().embeddings().timeoutMs(), registry);
    } catch (IllegalArgumentException e) {
      throw GatewayError.invalidRequest("the vector length of model '" + model + "' is not known to the gateway: "
          + "pass 'dimensions'", "dimensions");
    }
    EmbeddingModel batched = new EmbeddingBatcher(batching, remote,
        () -> config.get().embeddings().batchSize(), () -> config.get().embeddings().batchWindowMs(),
        Scheduler.of(vertx), registry);
    if (redis == null) {
      return batched;
    }
    return new CachedEmbeddingModel(batched, redis,
        () -> config.get().embeddings().cache(),
        () -> config.get().embeddings().cacheTtlMs(),
        () -> config.get().embeddings().cacheTimeoutMs(),
        registry);
  }

  private static GatewayError asError(Throwable e) {
    if (e instanceof GatewayError error) {
      return error;
    }
    if (e instanceof EmbeddingException failed) {
      if (failed.status() >= 400 && failed.status() < 500 && failed.status() != 429) {
        return GatewayError.invalidRequest(failed.getMessage(), null);
      }
      if (failed.status() == 429) {
        return GatewayError.rateLimited("the upstream's rate limit was reached; try again shortly", 1);
      }
      return failed.getMessage() != null && failed.getMessage().contains("timeoutMs")
          ? GatewayError.upstream(504, "timeout", failed.getMessage(), null)
          : GatewayError.upstream(502, "upstream_unavailable", failed.getMessage(), null);
    }
    return GatewayError.upstream(502, "upstream_unavailable", "the embeddings upstream failed", null);
  }
}
