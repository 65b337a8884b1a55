package dev.edgechat.config;

import java.util.Set;

/**
 * The settings that reload without a restart (marked [tunable] in edgechat.yaml). Everything else
 * sizes pools, binds ports or picks implementations at start, and changes only with a restart.
 */
final class Tunables {

  static final Set<String> PATHS = Set.of(
      "origin.historyTurns", "origin.passages",
      "edge.heartbeatMs", "edge.maxMessageChars", "edge.siteCacheMs",
      "llm.maxTokens", "llm.temperature",
      "features.streaming",
      "cache.l1", "cache.l2", "cache.coalescing", "cache.staticTtlMs", "cache.dynamicTtlMs", "cache.redisTimeoutMs");

  private Tunables() {
  }

  /** {@code into} with the tunable values of {@code from}. */
  static EdgechatConfig copy(EdgechatConfig from, EdgechatConfig into) {
    EdgechatConfig.Origin o = into.origin();
    EdgechatConfig.Edge e = into.edge();
    EdgechatConfig.Llm l = into.llm();
    return new EdgechatConfig(into.region(), into.dataDir(), into.scanPeriodMs(), into.http(), into.postgres(),
        into.redis(),
        new EdgechatConfig.Origin(o.url(), o.internalPort(), from.origin().historyTurns(), from.origin().passages(),
            o.maxAnswerChars()),
        new EdgechatConfig.Edge(from.edge().heartbeatMs(), from.edge().maxMessageChars(), from.edge().siteCacheMs(),
            e.originConnectTimeoutMs(), e.originIdleTimeoutMs()),
        new EdgechatConfig.Llm(l.baseUrl(), l.model(), from.llm().maxTokens(), from.llm().temperature(),
            l.connectTimeoutMs(), l.firstTokenTimeoutMs(), l.poolSize()),
        from.features(),
        new EdgechatConfig.Cache(from.cache().l1(), from.cache().l2(), from.cache().coalescing(),
            into.cache().l1MaxBytes(), from.cache().staticTtlMs(), from.cache().dynamicTtlMs(),
            from.cache().redisTimeoutMs()),
        into.sim(),
        into.secrets());
  }
}
