package dev.edgechat.config;

import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * The settings that reload without a restart (marked [tunable] in edgechat.yaml). Everything else
 * sizes pools, binds ports or picks implementations at start, and changes only with a restart.
 *
 * <p>Each tunable is listed once, in {@link #ALL}: its path, and how its value is carried from a
 * reloaded config into the one in force, by name.
 */
final class Tunables {

  /** One [tunable] setting: its dotted path, and the copy of its value from {@code from} into a builder. */
  private record Tunable(String path, BiConsumer<EdgechatConfig.Builder, EdgechatConfig> copy) {
  }

  private static final List<Tunable> ALL = List.of(
      new Tunable("origin.historyTurns",
          (into, from) -> into.origin(o -> o.historyTurns(from.origin().historyTurns()))),
      new Tunable("origin.passages", (into, from) -> into.origin(o -> o.passages(from.origin().passages()))),
      new Tunable("edge.heartbeatMs", (into, from) -> into.edge(e -> e.heartbeatMs(from.edge().heartbeatMs()))),
      new Tunable("edge.maxMessageChars",
          (into, from) -> into.edge(e -> e.maxMessageChars(from.edge().maxMessageChars()))),
      new Tunable("edge.siteCacheMs", (into, from) -> into.edge(e -> e.siteCacheMs(from.edge().siteCacheMs()))),
      new Tunable("edge.resumeGraceMs", (into, from) -> into.edge(e -> e.resumeGraceMs(from.edge().resumeGraceMs()))),
      new Tunable("llm.maxTokens", (into, from) -> into.llm(l -> l.maxTokens(from.llm().maxTokens()))),
      new Tunable("llm.temperature", (into, from) -> into.llm(l -> l.temperature(from.llm().temperature()))),
      new Tunable("llm.prices", (into, from) -> into.llm(l -> l.prices(from.llm().prices()))),
      new Tunable("features.streaming",
          (into, from) -> into.features(f -> f.streaming(from.features().streaming()))),
      new Tunable("cache.l1", (into, from) -> into.cache(c -> c.l1(from.cache().l1()))),
      new Tunable("cache.l2", (into, from) -> into.cache(c -> c.l2(from.cache().l2()))),
      new Tunable("cache.coalescing", (into, from) -> into.cache(c -> c.coalescing(from.cache().coalescing()))),
      new Tunable("cache.staticTtlMs", (into, from) -> into.cache(c -> c.staticTtlMs(from.cache().staticTtlMs()))),
      new Tunable("cache.dynamicTtlMs", (into, from) -> into.cache(c -> c.dynamicTtlMs(from.cache().dynamicTtlMs()))),
      new Tunable("cache.redisTimeoutMs",
          (into, from) -> into.cache(c -> c.redisTimeoutMs(from.cache().redisTimeoutMs()))),
      new Tunable("cache.staleMs", (into, from) -> into.cache(c -> c.staleMs(from.cache().staleMs()))),
      new Tunable("cache.semantic", (into, from) -> into.cache(c -> c.semantic(from.cache().semantic()))),
      new Tunable("cache.semanticThreshold",
          (into, from) -> into.cache(c -> c.semanticThreshold(from.cache().semanticThreshold()))),
      new Tunable("cache.semanticCandidates",
          (into, from) -> into.cache(c -> c.semanticCandidates(from.cache().semanticCandidates()))),
      new Tunable("cache.semanticMaxWrongShare",
          (into, from) -> into.cache(c -> c.semanticMaxWrongShare(from.cache().semanticMaxWrongShare()))),
      new Tunable("cache.semanticFollowUps",
          (into, from) -> into.cache(c -> c.semanticFollowUps(from.cache().semanticFollowUps()))),
      new Tunable("embeddings.batchSize",
          (into, from) -> into.embeddings(m -> m.batchSize(from.embeddings().batchSize()))),
      new Tunable("embeddings.batchWindowMs",
          (into, from) -> into.embeddings(m -> m.batchWindowMs(from.embeddings().batchWindowMs()))),
      new Tunable("embeddings.cache", (into, from) -> into.embeddings(m -> m.cache(from.embeddings().cache()))),
      new Tunable("embeddings.cacheTtlMs",
          (into, from) -> into.embeddings(m -> m.cacheTtlMs(from.embeddings().cacheTtlMs()))),
      new Tunable("embeddings.cacheTimeoutMs",
          (into, from) -> into.embeddings(m -> m.cacheTimeoutMs(from.embeddings().cacheTimeoutMs()))),
      new Tunable("knowledge.minPassageScore",
          (into, from) -> into.knowledge(k -> k.minPassageScore(from.knowledge().minPassageScore()))),
      new Tunable("knowledge.catchUpMs",
          (into, from) -> into.knowledge(k -> k.catchUpMs(from.knowledge().catchUpMs()))),
      new Tunable("limits.enabled", (into, from) -> into.limits(l -> l.enabled(from.limits().enabled()))),
      new Tunable("limits.visitorChatsPerMinute",
          (into, from) -> into.limits(l -> l.visitorChatsPerMinute(from.limits().visitorChatsPerMinute()))),
      new Tunable("limits.ipChatsPerMinute",
          (into, from) -> into.limits(l -> l.ipChatsPerMinute(from.limits().ipChatsPerMinute()))),
      new Tunable("limits.ipReadsPerMinute",
          (into, from) -> into.limits(l -> l.ipReadsPerMinute(from.limits().ipReadsPerMinute()))),
      new Tunable("limits.siteDailyTokens",
          (into, from) -> into.limits(l -> l.siteDailyTokens(from.limits().siteDailyTokens()))),
      new Tunable("limits.hitTokens", (into, from) -> into.limits(l -> l.hitTokens(from.limits().hitTokens()))),
      new Tunable("limits.estimatedMissTokens",
          (into, from) -> into.limits(l -> l.estimatedMissTokens(from.limits().estimatedMissTokens()))),
      new Tunable("limits.redisTimeoutMs",
          (into, from) -> into.limits(l -> l.redisTimeoutMs(from.limits().redisTimeoutMs()))));

  /** The dotted paths of the [tunable] settings. */
  static final Set<String> PATHS = ALL.stream().map(Tunable::path).collect(Collectors.toUnmodifiableSet());

  private Tunables() {
  }

  /** {@code into} with the tunable values of {@code from}. */
  static EdgechatConfig copy(EdgechatConfig from, EdgechatConfig into) {
    EdgechatConfig.Builder changed = into.toBuilder();
    for (Tunable tunable : ALL) {
      tunable.copy().accept(changed, from);
    }
    return changed.build();
  }
}
