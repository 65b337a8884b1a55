package dev.edgechat.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns the merged settings JSON into an {@link EdgechatConfig}, checking every value. Each
 * failure names the setting, the environment variable that can set it, and what was wrong.
 */
final class SettingsReader {

  /** A map of job type to concurrency: its keys are the operator's (job types), not a fixed set. */
  private static final String QUEUE_CONCURRENCY = "queue.concurrency";
  private static final Pattern JOB_TYPE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  /** Gateway profiles by name: the names are the operator's, each with the fields of {@code default}. */
  private static final String GATEWAY_PROFILES = "gateway.profiles";
  private static final Pattern PROFILE_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  /** URL settings that also take {@code region=url,region=url} ({@link RegionMap}). */
  private static final List<String> REGIONAL_URLS = List.of("redis.url", "queue.redisUrl", "origin.url",
      "postgres.replicaUrls");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Z_][A-Z0-9_]{0,127}");
  private static final Pattern REGION = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private final JsonObject json;
  private final JsonObject defaults;

  SettingsReader(JsonObject json, JsonObject defaults) {
    this.json = json;
    this.defaults = defaults;
  }

  /**
   * The settings, or a {@link ConfigException} naming every bad one at once: a bad value is noted
   * and read again as its default (an unknown setting as absent), so that the values after it are
   * checked too; settings that contradict one another are reported unless one of them was bad.
   */
  EdgechatConfig read(Map<String, String> env) {
    JsonObject working = json.copy();
    List<String> problems = new ArrayList<>();
    Set<String> replaced = new java.util.LinkedHashSet<>();
    EdgechatConfig config = null;
    while (config == null) {
      try {
        config = new SettingsReader(working, defaults).readEach(env);
      } catch (ConfigException e) {
        problems.add(e.getMessage());
        String path = e.path();
        if (path == null || !replaced.add(path)) {
          throw ConfigException.all(problems);
        }
        Object fallback = SettingPath.get(defaults, path);
        if (fallback == null) {
          SettingPath.remove(working, path);
        } else {
          SettingPath.put(working, path, fallback instanceof JsonObject o ? o.copy() : fallback);
        }
      }
    }
    for (Conflict conflict : conflicts(config)) {
      if (conflict.paths().stream().noneMatch(replaced::contains)) {
        problems.add(conflict.message());
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigException.all(problems);
    }
    return config;
  }

  /** Settings that are each valid but contradict one another, and the message that says how. */
  private record Conflict(List<String> paths, String message) {
  }

  private EdgechatConfig readEach(Map<String, String> env) {
    rejectUnknownSettings();
    Region region = new Region(text("region", 1, 64), env);
    EdgechatConfig config = EdgechatConfig.builder()
        .region(region.name())
        .dataDir(Path.of(text("dataDir", 1, 4096)))
        .scanPeriodMs(whole("config.scanPeriodMs", 0, 3_600_000))
        .http(EdgechatConfig.Http.builder()
            .port((int) whole("http.port", 0, 65_535))
            .host(text("http.host", 1, 255))
            .instances((int) whole("http.instances", 0, 256))
            .maxBodyBytes((int) whole("http.maxBodyBytes", 1024, 64 << 20))
            .drainTimeoutMs(whole("http.drainTimeoutMs", 0, 600_000))
            .metricsPort((int) whole("http.metricsPort", 0, 65_535))
            .headerTimeoutMs(whole("http.headerTimeoutMs", 100, 600_000))
            .build())
        .postgres(EdgechatConfig.Postgres.builder()
            .url(optionalStoreUri("postgres.url", Store.POSTGRES, Optional.empty()))
            .replicaUrls(storeUris("postgres.replicaUrls", Store.POSTGRES, region))
            .writerPoolSize((int) whole("postgres.writerPoolSize", 1, 20))
            .readerPoolSize((int) whole("postgres.readerPoolSize", 1, 100))
            .connectTimeoutMs(whole("postgres.connectTimeoutMs", 100, 600_000))
            .embeddedPort((int) whole("postgres.embeddedPort", 0, 65_535))
            .maxReplicaLagMs(whole("postgres.maxReplicaLagMs", 100, 3_600_000))
            .replicaWaitMs(whole("postgres.replicaWaitMs", 0, 60_000))
            .replicaPollMs(whole("postgres.replicaPollMs", 10, 60_000))
            .build())
        .redis(EdgechatConfig.Redis.builder()
            .url(optionalStoreUri("redis.url", Store.REDIS, Optional.of(region)))
            .queueUrl(optionalStoreUri("queue.redisUrl", Store.REDIS, Optional.of(region)))
            .connectTimeoutMs(whole("redis.connectTimeoutMs", 50, 600_000))
            .embeddedPort((int) whole("redis.embeddedPort", 0, 65_535))
            .build())
        .origin(EdgechatConfig.Origin.builder()
            .url(optionalStoreUri("origin.url", Store.ORIGIN, Optional.of(region)))
            .internalPort((int) whole("origin.internalPort", 0, 65_535))
            .historyTurns((int) whole("origin.historyTurns", 0, 100))
            .passages((int) whole("origin.passages", 0, 50))
            .maxAnswerChars((int) whole("origin.maxAnswerChars", 100, 1_000_000))
            .writeBatchRows((int) whole("origin.writeBatchRows", 1, 10_000))
            .writeBatchMs(whole("origin.writeBatchMs", 0, 10_000))
            .changesHeartbeatMs(whole("origin.changesHeartbeatMs", 100, 60_000))
            .build())
        .edge(EdgechatConfig.Edge.builder()
            .heartbeatMs(whole("edge.heartbeatMs", 100, 15_000))
            .maxMessageChars((int) whole("edge.maxMessageChars", 1, 100_000))
            .siteCacheMs(whole("edge.siteCacheMs", 0, 86_400_000))
            .originConnectTimeoutMs(whole("edge.originConnectTimeoutMs", 50, 600_000))
            .originIdleTimeoutMs(whole("edge.originIdleTimeoutMs", 100, 3_600_000))
            .resumeTtlMs(whole("edge.resumeTtlMs", 300_000, 7L * 86_400_000))
            .resumeGraceMs(whole("edge.resumeGraceMs", 0, 600_000))
            .resumableHits((int) whole("edge.resumableHits", 0, 100_000_000))
            .changesTimeoutMs(whole("edge.changesTimeoutMs", 500, 600_000))
            .primaryRegion(region("edge.primaryRegion"))
            .flyReplay(bool("edge.flyReplay"))
            .build())
        .llm(EdgechatConfig.Llm.builder()
            .baseUrl(uri("llm.baseUrl", Set.of("http", "https")))
            .model(text("llm.model", 1, 200))
            .maxTokens((int) whole("llm.maxTokens", 1, 1_000_000))
            .temperature(number("llm.temperature", 0.0, 2.0))
            .connectTimeoutMs(whole("llm.connectTimeoutMs", 50, 600_000))
            .firstTokenTimeoutMs(whole("llm.firstTokenTimeoutMs", 100, 3_600_000))
            .idleTimeoutMs(whole("llm.idleTimeoutMs", 100, 3_600_000))
            .retries((int) whole("llm.retries", 0, 10))
            .retryBackoffMs(whole("llm.retryBackoffMs", 0, 60_000))
            .maxRetryAfterMs(whole("llm.maxRetryAfterMs", 0, 600_000))
            .breakerMaxFailures((int) whole("llm.breakerMaxFailures", 1, 10_000))
            .breakerResetMs(whole("llm.breakerResetMs", 100, 3_600_000))
            .poolSize((int) whole("llm.poolSize", 1, 10_000))
            .prices(prices("llm.prices"))
            .build())
        .features(EdgechatConfig.Features.builder()
            .streaming(bool("features.streaming"))
            .build())
        .cache(EdgechatConfig.Cache.builder()
            .l1(bool("cache.l1"))
            .l2(bool("cache.l2"))
            .coalescing(bool("cache.coalescing"))
            .l1MaxBytes(whole("cache.l1MaxBytes", 0, 1L << 40))
            .staticTtlMs(whole("cache.staticTtlMs", 1000, 30L * 86_400_000))
            .dynamicTtlMs(whole("cache.dynamicTtlMs", 1000, 30L * 86_400_000))
            .redisTimeoutMs(whole("cache.redisTimeoutMs", 1, 60_000))
            .staleMs(whole("cache.staleMs", 0, 30L * 86_400_000))
            .followUps((int) whole("cache.followUps", 0, 10_000_000))
            .semantic(bool("cache.semantic"))
            .semanticThreshold(number("cache.semanticThreshold", 0.01, 1.0))
            .semanticCandidates((int) whole("cache.semanticCandidates", 1, 100))
            .semanticMaxEntries((int) whole("cache.semanticMaxEntries", 1, 10_000_000))
            .embedderThreads((int) whole("cache.embedderThreads", 1, 64))
            .semanticMaxWrongShare(number("cache.semanticMaxWrongShare",
                EdgechatConfig.Cache.MIN_WRONG_SHARE, EdgechatConfig.Cache.MAX_WRONG_SHARE))
            .semanticFollowUps(bool("cache.semanticFollowUps"))
            .build())
        .embeddings(embeddings())
        .queue(EdgechatConfig.Queue.builder()
            .concurrency(concurrency("queue.concurrency"))
            .maxAttempts((int) whole("queue.maxAttempts", 1, 1000))
            .backoffMs(whole("queue.backoffMs", 1, 86_400_000))
            .maxBackoffMs(whole("queue.maxBackoffMs", 1, 7L * 86_400_000))
            .stalledMs(whole("queue.stalledMs", 100, 86_400_000))
            .blockMs(whole("queue.blockMs", 10, 60_000))
            .keepCompleted((int) whole("queue.keepCompleted", 0, 10_000_000))
            .completedTtlMs(whole("queue.completedTtlMs", 1000, 365L * 86_400_000))
            .keepFailed((int) whole("queue.keepFailed", 0, 10_000_000))
            .failedTtlMs(whole("queue.failedTtlMs", 1000, 365L * 86_400_000))
            .drainTimeoutMs(whole("queue.drainTimeoutMs", 0, 600_000))
            .build())
        .knowledge(EdgechatConfig.Knowledge.builder()
            .chunkTokens((int) whole("knowledge.chunkTokens", 32, 8192))
            .chunkOverlapTokens((int) whole("knowledge.chunkOverlapTokens", 0, 4096))
            .minPassageScore(number("knowledge.minPassageScore", -1.0, 1.0))
            .maxUploadBytes((int) whole("knowledge.maxUploadBytes", 1024, 1 << 30))
            .maxDocumentChars((int) whole("knowledge.maxDocumentChars", 1, 100_000_000))
            .sweepIntervalMs(whole("knowledge.sweepIntervalMs", 0, 86_400_000))
            .sweepAfterMs(whole("knowledge.sweepAfterMs", 1000, 7L * 86_400_000))
            .resyncMs(whole("knowledge.resyncMs", 0, 7L * 86_400_000))
            .changesRetentionMs(whole("knowledge.changesRetentionMs", 3_600_000, 365L * 86_400_000))
            .outboxPollMs(whole("knowledge.outboxPollMs", 10, 60_000))
            .idempotencyKeyTtlMs(whole("knowledge.idempotencyKeyTtlMs", 60_000, 365L * 86_400_000))
            .catchUpMs(whole("knowledge.catchUpMs", 0, 60_000))
            .build())
        .sim(SimSettings.builder()
            .firstTokenMs((int) whole("sim.firstTokenMs", 0, 600_000))
            .tokensPerSecond(number("sim.tokensPerSecond", 0.001, 1_000_000))
            .answerTokens((int) whole("sim.answerTokens", 1, 1_000_000))
            .embeddingLatencyMs((int) whole("sim.embeddingLatencyMs", 0, 600_000))
            .embeddingDimensions((int) whole("sim.embeddingDimensions", 8, 4096))
            .errorRate(number("sim.errorRate", 0, 1))
            .stallRate(number("sim.stallRate", 0, 1))
            .cutRate(number("sim.cutRate", 0, 1))
            .seed(whole("sim.seed", Long.MIN_VALUE, Long.MAX_VALUE))
            .answerSpread(number("sim.answerSpread", 0, 0.99))
            .build())
        .gateway(gateway(env))
        .limits(limits())
        .tracing(TracingSettings.builder()
            .otlpEndpoint(optionalUri("tracing.otlpEndpoint", Set.of("http", "https")))
            .sampleRatio(number("tracing.sampleRatio", 0, 1))
            .build())
        .secrets(secrets(env))
        .build();
    return config;
  }

  /**
   * The longest origin may wait for the model's first token: every try waiting its whole
   * {@code llm.firstTokenTimeoutMs}, and the longest pause before each retry (the backoff, or a
   * 429's {@code Retry-After} up to {@code llm.maxRetryAfterMs}).
   */
  static long firstTokenBudgetMs(EdgechatConfig.Llm llm) {
    long pauses = 0;
    for (int retry = 0; retry < llm.retries(); retry++) {
      pauses += Math.max(llm.retryBackoffMs() << retry, llm.maxRetryAfterMs());
    }
    return (llm.retries() + 1L) * llm.firstTokenTimeoutMs() + pauses;
  }

  /** Every contradiction among valid settings: the gateway keys' profiles, then the pairs below. */
  private static List<Conflict> conflicts(EdgechatConfig c) {
    List<Conflict> found = new ArrayList<>();
    try {
      checkGatewayKeys(c);
    } catch (ConfigException e) {
      found.add(new Conflict(List.of(GATEWAY_PROFILES), e.getMessage()));
    }
    checkTogether(c, found);
    return found;
  }

  /** Settings that are each valid but contradict one another. */
  private static void checkTogether(EdgechatConfig c, List<Conflict> found) {
    if (c.http().maxBodyBytes() < c.edge().maxMessageChars() + 1024) {
      found.add(new Conflict(List.of("http.maxBodyBytes", "edge.maxMessageChars"),
          "settings http.maxBodyBytes (" + c.http().maxBodyBytes() + ") and edge.maxMessageChars ("
          + c.edge().maxMessageChars() + "): the body limit must leave room for the longest question plus 1024 bytes"));
    }
    if (c.queue().backoffMs() > c.queue().maxBackoffMs()) {
      found.add(new Conflict(List.of("queue.backoffMs", "queue.maxBackoffMs"),
          "settings queue.backoffMs (" + c.queue().backoffMs() + ") and queue.maxBackoffMs ("
          + c.queue().maxBackoffMs() + "): the first retry's delay cannot exceed the longest delay"));
    }
    long firstTokenBudget = firstTokenBudgetMs(c.llm());
    if (firstTokenBudget >= c.edge().originIdleTimeoutMs()) {
      found.add(new Conflict(List.of("llm.firstTokenTimeoutMs", "llm.retries", "llm.retryBackoffMs",
          "llm.maxRetryAfterMs", "edge.originIdleTimeoutMs"),
          "settings llm.firstTokenTimeoutMs (" + c.llm().firstTokenTimeoutMs()
          + "), llm.retries (" + c.llm().retries() + "), llm.retryBackoffMs (" + c.llm().retryBackoffMs()
          + "), llm.maxRetryAfterMs (" + c.llm().maxRetryAfterMs() + ") and edge.originIdleTimeoutMs ("
          + c.edge().originIdleTimeoutMs() + "): origin may wait up to " + firstTokenBudget + " ms for the model's "
          + "first token (every try and the pauses between them); the edge must wait for origin longer, or the "
          + "visitor sees a timeout origin would have answered"));
    }
    if (c.llm().idleTimeoutMs() >= c.edge().originIdleTimeoutMs()) {
      found.add(new Conflict(List.of("llm.idleTimeoutMs", "edge.originIdleTimeoutMs"),
          "settings llm.idleTimeoutMs (" + c.llm().idleTimeoutMs()
          + ") and edge.originIdleTimeoutMs (" + c.edge().originIdleTimeoutMs() + "): the edge must wait for origin "
          + "longer than origin waits for the model's next token, or the visitor sees a timeout origin would have "
          + "answered"));
    }
    if (c.postgres().replicaPollMs() * 2 > c.postgres().maxReplicaLagMs()) {
      found.add(new Conflict(List.of("postgres.replicaPollMs", "postgres.maxReplicaLagMs"),
          "settings postgres.replicaPollMs (" + c.postgres().replicaPollMs()
          + ") and postgres.maxReplicaLagMs (" + c.postgres().maxReplicaLagMs() + "): replicas must be polled at least "
          + "twice within the lag bound, or a lagging replica is not seen in time"));
    }
    if (c.origin().changesHeartbeatMs() * 2 > c.edge().changesTimeoutMs()) {
      found.add(new Conflict(List.of("origin.changesHeartbeatMs", "edge.changesTimeoutMs"),
          "settings origin.changesHeartbeatMs (" + c.origin().changesHeartbeatMs()
          + ") and edge.changesTimeoutMs (" + c.edge().changesTimeoutMs() + "): an edge must allow at least two "
          + "heartbeats of silence before it takes its link to origin's change feed for lost"));
    }
    long longestAnswerLifeMs = Math.round(Math.max(c.cache().staticTtlMs(), c.cache().dynamicTtlMs()) * 1.1)
        + c.cache().staleMs();
    if (c.knowledge().changesRetentionMs() < longestAnswerLifeMs) {
      found.add(new Conflict(
          List.of("knowledge.changesRetentionMs", "cache.staticTtlMs", "cache.dynamicTtlMs", "cache.staleMs"),
          "settings knowledge.changesRetentionMs (" + c.knowledge().changesRetentionMs()
          + ") and cache.staticTtlMs, cache.dynamicTtlMs, cache.staleMs: the change log must keep a purge by "
          + "document as long as an answer made before it can be served (" + longestAnswerLifeMs + " ms: the longer "
          + "life plus 10 % jitter plus the stale time), or an edge starting later could serve it"));
    }
    if (c.knowledge().chunkOverlapTokens() * 2 > c.knowledge().chunkTokens()) {
      found.add(new Conflict(List.of("knowledge.chunkOverlapTokens", "knowledge.chunkTokens"),
          "settings knowledge.chunkOverlapTokens (" + c.knowledge().chunkOverlapTokens()
          + ") and knowledge.chunkTokens (" + c.knowledge().chunkTokens() + "): a chunk may repeat at most half of "
          + "the one before"));
    }
  }

  private void rejectUnknownSettings() {
    Map<String, Object> known = SettingPath.leaves(defaults);
    for (String path : SettingPath.leaves(json).keySet()) {
      for (String regional : REGIONAL_URLS) {
        if (path.startsWith(regional + ".")) {
          throw fail(regional, "takes a URL or region=url entries, not a map; in a file, give a region its own URL"
              + " in edge-config/<region>.yaml, or write region=url,region=url");
        }
      }
      if (!known.containsKey(path) && !path.startsWith(QUEUE_CONCURRENCY + ".") && !isProfileField(path, known)) {
        throw new ConfigException("setting " + path + " is not a setting of edgechat"
            + (isSecret(path) ? " (secrets come only from the environment)" : "")
            + "; see edge-config/edgechat.yaml for the settings there are", path);
      }
    }
  }

  /** {@code gateway.profiles.<name>.<field>} where {@code default} has that field. */
  private static boolean isProfileField(String path, Map<String, Object> known) {
    if (!path.startsWith(GATEWAY_PROFILES + ".")) {
      return false;
    }
    String rest = path.substring(GATEWAY_PROFILES.length() + 1);
    int dot = rest.indexOf('.');
    return dot > 0 && known.containsKey(GATEWAY_PROFILES + ".default" + rest.substring(dot));
  }

  private EdgechatConfig.Gateway gateway(Map<String, String> env) {
    Object value = value(GATEWAY_PROFILES);
    if (!(value instanceof JsonObject names) || !names.containsKey("default")) {
      throw fail(GATEWAY_PROFILES, "expected a map of profile name to its settings, with a profile 'default'");
    }
    Map<String, EdgechatConfig.GatewayProfile> profiles = new TreeMap<>();
    for (String name : names.fieldNames()) {
      if (!PROFILE_NAME.matcher(name).matches()) {
        throw fail(GATEWAY_PROFILES + "." + name,
            "a profile name is 1 to 32 lower-case letters, digits or '-', starting with a letter");
      }
      profiles.put(name, profile(name, env));
    }
    return EdgechatConfig.Gateway.builder()
        .maxBodyBytes((int) whole("gateway.maxBodyBytes", 1024, 64 << 20))
        .connectTimeoutMs(whole("gateway.connectTimeoutMs", 50, 600_000))
        .firstTokenTimeoutMs(whole("gateway.firstTokenTimeoutMs", 100, 3_600_000))
        .idleTimeoutMs(whole("gateway.idleTimeoutMs", 100, 3_600_000))
        .retries((int) whole("gateway.retries", 0, 10))
        .retryBackoffMs(whole("gateway.retryBackoffMs", 0, 60_000))
        .maxRetryAfterMs(whole("gateway.maxRetryAfterMs", 0, 600_000))
        .breakerMaxFailures((int) whole("gateway.breakerMaxFailures", 1, 10_000))
        .breakerResetMs(whole("gateway.breakerResetMs", 100, 3_600_000))
        .poolSize((int) whole("gateway.poolSize", 1, 10_000))
        .maxAnswerBytes(whole("gateway.maxAnswerBytes", 1024, 1L << 30))
        .profiles(profiles)
        .build();
  }

  /** A profile; a field it does not set is the {@code default} profile's. */
  private EdgechatConfig.GatewayProfile profile(String name, Map<String, String> env) {
    String base = GATEWAY_PROFILES + "." + name + ".";
    String fallback = GATEWAY_PROFILES + ".default.";
    java.util.function.Function<String, String> path = field ->
        SettingPath.get(json, base + field) != null ? base + field : fallback + field;
    URI baseUrl = optionalUri(path.apply("baseUrl"), Set.of("http", "https"))
        .orElseGet(() -> uri("llm.baseUrl", Set.of("http", "https")));
    String keyEnv = (String) value(path.apply("apiKeyEnv"));
    Optional<String> upstreamKey;
    if (keyEnv.isBlank()) {
      upstreamKey = secret(env, "EDGECHAT_LLM_API_KEY");
    } else if (!ENV_NAME.matcher(keyEnv).matches()) {
      throw fail(path.apply("apiKeyEnv"), "expected the name of an environment variable, got '" + keyEnv + "'");
    } else {
      upstreamKey = secret(env, keyEnv);
      if (upstreamKey.isEmpty()) {
        throw fail(path.apply("apiKeyEnv"), "names " + keyEnv + ", which is not set");
      }
    }
    List<String> models = new ArrayList<>();
    Object listed = value(path.apply("models"));
    if (!(listed instanceof JsonArray list)) {
      throw fail(path.apply("models"), "expected a list of model names, got '" + listed + "'");
    }
    for (Object model : list) {
      if (!(model instanceof String text) || text.isBlank() || text.length() > 200) {
        throw fail(path.apply("models"), "expected model names of 1 to 200 characters, got '" + model + "'");
      }
      models.add(text.trim());
    }
    return EdgechatConfig.GatewayProfile.builder()
        .name(name)
        .baseUrl(baseUrl)
        .upstreamKey(upstreamKey)
        .models(models)
        .requestsPerMinute((int) whole(path.apply("requestsPerMinute"), 0, 100_000_000))
        .semantic(bool(path.apply("semantic")))
        .cacheTemperature(bool(path.apply("cacheTemperature")))
        .build();
  }

  private LimitSettings limits() {
    Object listed = value("limits.trustedProxies");
    if (!(listed instanceof JsonArray list)) {
      throw fail("limits.trustedProxies", "expected a list of addresses or CIDR blocks, got '" + listed + "'");
    }
    List<Cidr> proxies = new ArrayList<>();
    for (Object entry : list) {
      try {
        proxies.add(Cidr.parse(String.valueOf(entry)));
      } catch (IllegalArgumentException e) {
        throw fail("limits.trustedProxies", e.getMessage());
      }
    }
    return LimitSettings.builder()
        .enabled(bool("limits.enabled"))
        .visitorChatsPerMinute((int) whole("limits.visitorChatsPerMinute", 0, 1_000_000))
        .ipChatsPerMinute((int) whole("limits.ipChatsPerMinute", 0, 1_000_000))
        .ipReadsPerMinute((int) whole("limits.ipReadsPerMinute", 0, 1_000_000))
        .siteDailyTokens(whole("limits.siteDailyTokens", 0, 1_000_000_000_000L))
        .hitTokens(whole("limits.hitTokens", 0, 1_000_000))
        .estimatedMissTokens(whole("limits.estimatedMissTokens", 0, 10_000_000))
        .trustedProxies(proxies)
        .redisTimeoutMs(whole("limits.redisTimeoutMs", 1, 60_000))
        .build();
  }

  /** Each entry of EDGECHAT_GATEWAY_KEYS is {@code key} or {@code profile:key} naming a profile that exists. */
  private static void checkGatewayKeys(EdgechatConfig c) {
    for (String entry : c.secrets().gatewayKeys()) {
      int eq = entry.indexOf(':');
      String profile = eq < 0 ? "default" : entry.substring(0, eq).trim();
      if (eq == entry.length() - 1 || eq == 0) {
        throw new ConfigException("EDGECHAT_GATEWAY_KEYS: an entry is 'key' or 'profile:key', with neither part empty");
      }
      if (!c.gateway().profiles().containsKey(profile)) {
        throw new ConfigException("EDGECHAT_GATEWAY_KEYS: a key names profile '" + profile
            + "', which is not among gateway.profiles " + c.gateway().profiles().keySet());
      }
    }
  }

  private static boolean isSecret(String path) {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    return lower.contains("token") || lower.contains("apikey") || lower.contains("password") || lower.contains("keys");
  }

  private static EdgechatConfig.Secrets secrets(Map<String, String> env) {
    return EdgechatConfig.Secrets.builder()
        .edgeToken(secret(env, "EDGECHAT_EDGE_TOKEN"))
        .adminToken(secret(env, "EDGECHAT_ADMIN_TOKEN"))
        .gatewayKeys(secret(env, "EDGECHAT_GATEWAY_KEYS")
            .map(keys -> List.of(keys.split(",")).stream().map(String::trim).filter(k -> !k.isEmpty()).toList())
            .orElse(List.of()))
        .llmApiKey(secret(env, "EDGECHAT_LLM_API_KEY"))
        .embeddingsApiKey(secret(env, "EDGECHAT_EMBEDDINGS_API_KEY"))
        .build();
  }

  private EdgechatConfig.Embeddings embeddings() {
    String provider = text("embeddings.provider", 1, 16);
    EdgechatConfig.Embeddings.Provider chosen = switch (provider) {
      case "local" -> EdgechatConfig.Embeddings.Provider.LOCAL;
      case "remote" -> EdgechatConfig.Embeddings.Provider.REMOTE;
      default -> throw fail("embeddings.provider", "expected local or remote, got '" + provider + "'");
    };
    return EdgechatConfig.Embeddings.builder()
        .provider(chosen)
        .baseUrl(optionalUri("embeddings.baseUrl", Set.of("http", "https"))
            .orElseGet(() -> uri("llm.baseUrl", Set.of("http", "https"))))
        .model(text("embeddings.model", 1, 200))
        .dimensions((int) whole("embeddings.dimensions", 0, 8192))
        .batchSize((int) whole("embeddings.batchSize", 1, 2048))
        .batchWindowMs(whole("embeddings.batchWindowMs", 0, 10_000))
        .cache(bool("embeddings.cache"))
        .cacheTtlMs(whole("embeddings.cacheTtlMs", 1000, 365L * 86_400_000))
        .cacheTimeoutMs(whole("embeddings.cacheTimeoutMs", 1, 60_000))
        .timeoutMs(whole("embeddings.timeoutMs", 100, 600_000))
        .build();
  }

  private static Optional<String> secret(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(s -> !s.isEmpty());
  }

  private Object value(String path) {
    Object value = SettingPath.get(json, path);
    if (value == null) {
      throw fail(path, "is missing");
    }
    return value;
  }

  private long whole(String path, long min, long max) {
    Object value = value(path);
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw fail(path, "expected a whole number, got '" + value + "'");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw fail(path, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  private double number(String path, double min, double max) {
    Object value = value(path);
    if (!(value instanceof Number n)) {
      throw fail(path, "expected a number, got '" + value + "'");
    }
    double v = n.doubleValue();
    if (!(v >= min && v <= max)) {
      throw fail(path, "must be between " + min + " and " + max + ", got " + v);
    }
    return v;
  }

  /** A region name, as FLY_REGION spells them ({@code fra}), or empty: letters, digits, '_' and '-'. */
  private String region(String path) {
    String name = text(path, 0, 64).trim();
    if (!name.isEmpty() && !REGION.matcher(name).matches()) {
      throw fail(path, "must be a region name (letters, digits, '_' or '-'), got '" + name + "'");
    }
    return name;
  }

  private boolean bool(String path) {
    Object value = value(path);
    if (!(value instanceof Boolean b)) {
      throw fail(path, "expected true or false, got '" + value + "'");
    }
    return b;
  }

  private String text(String path, int minLength, int maxLength) {
    Object value = value(path);
    if (!(value instanceof String s) || s.isBlank() && minLength > 0) {
      throw fail(path, "expected a non-empty string, got '" + value + "'");
    }
    if (s.length() < minLength || s.length() > maxLength) {
      throw fail(path, "must be " + minLength + " to " + maxLength + " characters long");
    }
    return s;
  }

  /** The price table of {@link ModelPrices#parse}. */
  private ModelPrices prices(String path) {
    try {
      return ModelPrices.parse(text(path, 0, 10_000));
    } catch (IllegalArgumentException e) {
      throw fail(path, e.getMessage());
    }
  }

  /** A map of job type to the jobs of that type a worker process runs at once (1..256). */
  private Map<String, Integer> concurrency(String path) {
    Object value = value(path);
    if (!(value instanceof JsonObject types)) {
      throw fail(path, "expected a map of job type to a whole number, got '" + value + "'");
    }
    Map<String, Integer> out = new TreeMap<>();
    for (String type : types.fieldNames()) {
      if (!JOB_TYPE.matcher(type).matches()) {
        throw fail(path + "." + type, "a job type is 1 to 32 lower-case letters, digits or '-', starting with a letter");
      }
      out.put(type, (int) whole(path + "." + type, 1, 256));
    }
    return out;
  }

  private URI uri(String path, Set<String> schemes) {
    return parseUri(path, text(path, 1, 4096), schemes);
  }

  private Optional<URI> optionalUri(String path, Set<String> schemes) {
    Object value = value(path);
    if (!(value instanceof String s)) {
      throw fail(path, "expected a URL, got '" + value + "'");
    }
    return s.isBlank() ? Optional.empty() : Optional.of(parseUri(path, s.trim(), schemes));
  }

  /**
   * A Postgres, Redis or origin URL: plain, or (where {@code region} is given) {@code
   * region=url,region=url} of which this process takes its region's; an entry {@code region=}
   * with no URL is "none in this region", as the empty setting is.
   */
  private Optional<URI> optionalStoreUri(String path, Store store, Optional<Region> region) {
    Object value = value(path);
    if (!(value instanceof String s)) {
      throw fail(path, "expected a URL" + (region.isPresent() ? " or region=url entries" : "") + ", got '"
          + redact(String.valueOf(value)) + "'");
    }
    List<String> entries = RegionMap.split(s);
    if (region.isPresent() && RegionMap.isMap(entries)) {
      List<String> urls = region.get().entries(path, entries);
      if (urls.size() > 1) {
        throw fail(path, "region " + region.get().name() + " has " + urls.size() + " entries; give it one");
      }
      String url = urls.get(0);
      return url.isEmpty() ? Optional.empty()
          : Optional.of(storeUri(path, "entry for region " + region.get().name() + ": ", url, store));
    }
    if (RegionMap.isMap(entries)) {
      throw fail(path, "takes one URL for every region, not region=url entries");
    }
    return s.isBlank() ? Optional.empty() : Optional.of(storeUri(path, "", s.trim(), store));
  }

  /**
   * A list of URLs: plain, or {@code region=url} entries of which this process takes its region's
   * (several entries for one region are several URLs; {@code region=} alone is none).
   */
  private List<URI> storeUris(String path, Store store, Region region) {
    Object value = value(path);
    if (!(value instanceof JsonArray list)) {
      throw fail(path, "expected a list of URLs, got '" + redact(String.valueOf(value)) + "'");
    }
    List<String> entries = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String text)) {
        throw fail(path, "expected URLs, got '" + item + "'");
      }
      if (!text.isBlank()) {
        entries.add(text.trim());
      }
    }
    boolean map = RegionMap.isMap(entries);
    List<String> urls = map ? region.entries(path, entries) : entries;
    List<URI> out = new ArrayList<>();
    for (String url : urls) {
      if (!url.isEmpty()) {
        out.add(storeUri(path, map ? "entry for region " + region.name() + ": " : "", url, store));
      }
    }
    return List.copyOf(out);
  }

  /** {@link #parseUri} and, for Postgres and Redis, the URL's parameters ({@link ConnectionTls}). */
  private URI storeUri(String path, String entry, String text, Store store) {
    URI uri = parseUri(path, entry, text, store.schemes);
    try {
      ConnectionTls tls = switch (store) {
        case POSTGRES -> ConnectionTls.ofPostgres(uri);
        case REDIS -> ConnectionTls.ofRedis(uri);
        case ORIGIN -> ConnectionTls.PLAIN;
      };
      tls.rootCert().ifPresent(file -> {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
          throw new IllegalArgumentException("parameter sslrootcert names " + file + ", which is not a readable file");
        }
      });
    } catch (IllegalArgumentException e) {
      throw fail(path, entry + e.getMessage());
    }
    return uri;
  }

  private URI parseUri(String path, String text, Set<String> schemes) {
    return parseUri(path, "", text, schemes);
  }

  /** @param entry what part of the setting {@code text} is, for the message: "" or "entry for region fra: " */
  private URI parseUri(String path, String entry, String text, Set<String> schemes) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !schemes.contains(uri.getScheme()) || uri.getHost() == null) {
        throw fail(path, entry + "expected a URL of scheme " + String.join(" or ", schemes.stream().sorted().toList())
            + " with a host, got '" + redact(text) + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw fail(path, entry + "is not a valid URL: '" + redact(text) + "'");
    }
  }

  /** URLs may carry passwords; error messages must not. */
  private static String redact(String url) {
    return url.replaceAll("//[^/@]*@", "//***@");
  }

  /** What a URL setting connects to: its schemes, and which parameters it takes. */
  private enum Store {
    POSTGRES(Set.of("postgres", "postgresql")),
    REDIS(Set.of("redis", "rediss")),
    ORIGIN(Set.of("http", "https"));

    final Set<String> schemes;

    Store(Set<String> schemes) {
      this.schemes = schemes;
    }
  }

  /** This process's region, which picks its entries out of a {@link RegionMap}, and where it came from. */
  private record Region(String name, String source) {

    Region(String name, Map<String, String> env) {
      this(name, env.containsKey("EDGECHAT_REGION") ? "from EDGECHAT_REGION"
          : env.containsKey("FLY_REGION") ? "from FLY_REGION"
          : "from setting region; EDGECHAT_REGION and FLY_REGION are not set");
    }

    /** This region's values of the map {@code entries}; fails naming the setting, the region and the regions it has. */
    List<String> entries(String path, List<String> entries) {
      Map<String, List<String>> map;
      try {
        map = RegionMap.parse(entries);
      } catch (IllegalArgumentException e) {
        throw fail(path, "malformed region map: " + e.getMessage());
      }
      List<String> mine = map.get(name);
      if (mine == null) {
        throw fail(path, "has no entry for region " + name + " (" + source + "); it has entries for "
            + String.join(", ", map.keySet()));
      }
      return mine;
    }
  }

  private static ConfigException fail(String path, String problem) {
    return new ConfigException("setting " + path + " (" + SettingPath.envName(path) + "): " + problem, path);
  }
}
