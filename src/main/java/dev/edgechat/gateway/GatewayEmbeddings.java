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
 *
 * <p>A gateway passes on what the upstream returns: the remote model is the pass-through kind
 * ({@link RemoteEmbeddingModel#passThrough}), so any model name works, vectors have the length the
 * upstream gives them (the caller's {@code dimensions} is sent on as it is), and nothing ties them
 * to the knowledge base's {@code embeddings.dimensions} (issue 17, defect 8). Errors are OpenAI's
 * shape with the upstream's own status and message where it sent one, and never name the upstream's
 * address, which is internal.
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
   * @return the upstream's vectors in input order and how many came from the cache; fails with a
   *     {@link GatewayError} (the upstream's refusal with its status, 502 broken or unreachable, 504 silent)
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
    RemoteEmbeddingModel remote = RemoteEmbeddingModel.passThrough(vertx, profile.baseUrl(), model, dimensions,
        profile.upstreamKey().orElse(""), config.get().embeddings().timeoutMs(), registry);
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

  /**
   * The caller's error for a failed embedding: the upstream's own refusal as it sent it (status,
   * message, type, param, code), else one of the gateway's own messages, which name no address.
   */
  private GatewayError asError(Throwable e) {
    if (e instanceof GatewayError error) {
      return error;
    }
    if (e instanceof EmbeddingException failed) {
      if (failed.status() == 429) {
        return GatewayError.rateLimited("the upstream's rate limit was reached; try again shortly", 1);
      }
      if (failed.status() >= 400 && failed.upstreamError().isPresent()) {
        return GatewayError.fromUpstream(failed.status(), failed.upstreamError().get(), null);
      }
      if (failed.status() == 200) {
        return GatewayError.upstream(502, "upstream_unavailable", "the embeddings upstream answered something "
            + "unusable", null);
      }
      if (failed.getCause() instanceof java.util.concurrent.TimeoutException
          || failed.getCause() != null && failed.getCause().getClass().getSimpleName().contains("Timeout")) {
        return GatewayError.upstream(504, "timeout", "the embeddings upstream did not answer within "
            + config.get().embeddings().timeoutMs() + " ms", null);
      }
      if (failed.getCause() instanceof java.net.ConnectException) {
        return GatewayError.upstream(502, "upstream_unavailable", "the embeddings upstream cannot be reached", null);
      }
    }
    return GatewayError.upstream(502, "upstream_unavailable", "the embeddings upstream failed", null);
  }
}
