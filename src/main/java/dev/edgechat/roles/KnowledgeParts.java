package dev.edgechat.roles;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Database;
import dev.edgechat.embedding.EmbeddingModel;
import dev.edgechat.embedding.Embeddings;
import dev.edgechat.knowledge.ChunkIndex;
import dev.edgechat.knowledge.Chunker;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.EmbeddingAgreement;
import dev.edgechat.knowledge.Ingestion;
import dev.edgechat.knowledge.SiteVersions;
import dev.edgechat.knowledge.VectorKnowledgeBase;
import dev.langchain4j.model.embedding.onnx.HuggingFaceTokenCountEstimator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.redis.client.RedisAPI;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The knowledge base's parts, as origin (which retrieves) and the worker (which ingests) share them:
 * documents, their embeddings and vector index, ingestion, retrieval and site versions.
 */
public record KnowledgeParts(DocumentStore documents, EmbeddingModel embeddings, ChunkIndex index,
    VectorKnowledgeBase retrieval, Ingestion ingestion, SiteVersions versions) {

  private static final Logger LOG = LoggerFactory.getLogger(KnowledgeParts.class);

  /**
   * Builds the parts on {@code database}; their executors and the index are closed at teardown.
   *
   * @param cacheRedis the cache Redis (embeddings cached), or null
   * @param loadIndex whether the chunk index is built from Postgres and kept in sync (origin
   *     retrieves; a worker only writes)
   */
  static KnowledgeParts assemble(RoleContext context, Database database, RedisAPI cacheRedis, boolean loadIndex) {
    Vertx vertx = context.vertx;
    LiveConfig config = context.config;
    PrometheusMeterRegistry registry = context.registry;
    EdgechatConfig settings = config.get();
    EmbeddingModel embeddings = Embeddings.create(vertx, config::get,
        settings.secrets().embeddingsKey().orElse(null), cacheRedis, registry);
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("edgechat-knowledge", 2);
    context.teardown.add(workers::close);
    WorkerExecutor searches = vertx.createSharedWorkerExecutor("edgechat-retrieval", 2);
    context.teardown.add(searches::close);
    ChunkIndex index = new ChunkIndex(database.writer(), workers, searches, embeddings.name(), embeddings.dimensions());
    context.teardown.add(index);
    if (loadIndex) {
      index.load(vertx);
      long resyncMs = settings.knowledge().resyncMs();
      if (resyncMs > 0) {
        long timer = vertx.setPeriodic(resyncMs, id -> index.resync().onFailure(e -> LOG.warn(
            "chunk index resync failed, trying again next time [reason: {}]", e.toString())));
        context.teardown.add(() -> vertx.cancelTimer(timer));
      }
    }
    DocumentStore documents = new DocumentStore(database.writer());
    SiteVersions versions = new SiteVersions(database.writer());
    // the tokenizer is a native library whose loading takes seconds: loaded at the first chunking, on the
    // knowledge workers (Ingestion), not here on the event loop
    Chunker chunker = new Chunker(settings.knowledge().chunkTokens(), settings.knowledge().chunkOverlapTokens(),
        new LazyTokenCount());
    Ingestion ingestion = new Ingestion(documents, chunker, embeddings, loadIndex ? index : null, versions, workers);
    VectorKnowledgeBase retrieval = new VectorKnowledgeBase(database.reads(), embeddings, index,
        () -> config.get().knowledge().minPassageScore(), registry, () -> config.get().knowledge().catchUpMs());
    return new KnowledgeParts(documents, embeddings, index, retrieval, ingestion, versions);
  }

  /**
   * The check that origin and the worker embed alike, for {@code role} (origin or worker) with these
   * parts' model; {@link EmbeddingAgreement#record()} it at start and report its readiness.
   */
  EmbeddingAgreement agreement(Database database, String role, EdgechatConfig settings) {
    return new EmbeddingAgreement(database.writer(), role, new EmbeddingAgreement.Embedder(
        settings.embeddings().provider().name(), embeddings.name(), embeddings.dimensions()));
  }

  /** {@link HuggingFaceTokenCountEstimator}, made at its first use. */
  private static final class LazyTokenCount implements ToIntFunction<String> {

    private volatile HuggingFaceTokenCountEstimator estimator;

    @Override
    public int applyAsInt(String text) {
      HuggingFaceTokenCountEstimator loaded = estimator;
      if (loaded == null) {
        synchronized (this) {
          loaded = estimator;
          if (loaded == null) {
            loaded = new HuggingFaceTokenCountEstimator();
            estimator = loaded;
          }
        }
      }
      return loaded.estimateTokenCountInText(text);
    }
  }
}
