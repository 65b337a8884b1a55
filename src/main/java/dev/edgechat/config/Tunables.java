package dev.edgechat.config;

import java.util.Set;

/**
 * The settings that reload without a restart (marked [tunable] in edgechat.yaml). Everything else
 * sizes pools, binds ports or picks implementations at start, and changes only with a restart.
 */
final class Tunables {

  static final Set<String> PATHS = Set.of(
      "origin.historyTurns", "origin.passages",
      "edge.heartbeatMs", "edge.maxMessageChars", "edge.siteCacheMs", "edge.resumeGraceMs",
      "llm.maxTokens", "llm.temperature",
      "features.streaming",
      "cache.l1", "cache.l2", "cache.coalescing", "cache.staticTtlMs", "cache.dynamicTtlMs", "cache.redisTimeoutMs",
      "cache.staleMs", "cache.semantic", "cache.semanticThreshold", "cache.semanticCandidates",
      "embeddings.batchSize", "embeddings.batchWindowMs", "embeddings.cache", "embeddings.cacheTtlMs",
      "embeddings.cacheTimeoutMs",
      "knowledge.minPassageScore");

  private Tunables() {
  }

  /** {@code into} with the tunable values of {@code from}. */
  static EdgechatConfig copy(EdgechatConfig from, EdgechatConfig into) {
    EdgechatConfig.Origin o = into.origin();
    EdgechatConfig.Edge e = into.edge();
    EdgechatConfig.Llm l = into.llm();
    EdgechatConfig.Cache c = into.cache();
    EdgechatConfig.Cache t = from.cache();
    EdgechatConfig.Embeddings m = into.embeddings();
    EdgechatConfig.Embeddings b = from.embeddings();
    EdgechatConfig.Knowledge k = into.knowledge();
    return new EdgechatConfig(into.region(), into.dataDir(), into.scanPeriodMs(), into.http(), into.postgres(),
        into.redis(),
        new EdgechatConfig.Origin(o.url(), o.internalPort(), from.origin().historyTurns(), from.origin().passages(),
            o.maxAnswerChars(), o.writeBatchRows(), o.writeBatchMs()),
        new EdgechatConfig.Edge(from.edge().heartbeatMs(), from.edge().maxMessageChars(), from.edge().siteCacheMs(),
            e.originConnectTimeoutMs(), e.originIdleTimeoutMs(), e.resumeTtlMs(), from.edge().resumeGraceMs(),
            e.resumableHits()),
        new EdgechatConfig.Llm(l.baseUrl(), l.model(), from.llm().maxTokens(), from.llm().temperature(),
            l.connectTimeoutMs(), l.firstTokenTimeoutMs(), l.poolSize()),
        from.features(),
        new EdgechatConfig.Cache(t.l1(), t.l2(), t.coalescing(), c.l1MaxBytes(), t.staticTtlMs(), t.dynamicTtlMs(),
            t.redisTimeoutMs(), t.staleMs(), c.followUps(), t.semantic(), t.semanticThreshold(),
            t.semanticCandidates(), c.semanticMaxEntries(), c.embedderThreads()),
        new EdgechatConfig.Embeddings(m.provider(), m.baseUrl(), m.model(), m.dimensions(), b.batchSize(),
            b.batchWindowMs(), b.cache(), b.cacheTtlMs(), b.cacheTimeoutMs(), m.timeoutMs()),
        into.queue(),
        new EdgechatConfig.Knowledge(k.chunkTokens(), k.chunkOverlapTokens(), from.knowledge().minPassageScore(),
            k.maxUploadBytes(), k.maxDocumentChars(), k.sweepIntervalMs(), k.sweepAfterMs(), k.resyncMs()),
        into.sim(),
        into.gateway(),
        into.secrets());
  }
}
