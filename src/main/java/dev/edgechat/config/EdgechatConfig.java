package dev.edgechat.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * All settings of one process, validated. Built by {@link ConfigLoader}; see
 * {@code edge-config/edgechat.yaml} for what each one means and its default.
 *
 * <p>Every record here is built and changed by name, through its {@code Builder}
 * ({@code builder()}, {@code toBuilder()}): two settings of one type trade places only where a
 * reader sees both names.
 */
public record EdgechatConfig(
    String region,
    Path dataDir,
    long scanPeriodMs,
    Http http,
    Postgres postgres,
    Redis redis,
    Origin origin,
    Edge edge,
    Llm llm,
    Features features,
    Cache cache,
    Embeddings embeddings,
    Queue queue,
    Knowledge knowledge,
    SimSettings sim,
    Gateway gateway,
    LimitSettings limits,
    TracingSettings tracing,
    Secrets secrets) {

  /**
   * The public HTTP server.
   *
   * @param headerTimeoutMs how long a request's line and headers may take to arrive (from the
   *     connection's opening, or a later request's first byte) before 408 and the close
   */
  public record Http(int port, String host, int instances, int maxBodyBytes, long drainTimeoutMs, int metricsPort,
      long headerTimeoutMs) {

    /** {@code http.headerTimeoutMs} when it is not set. */
    public static final long DEFAULT_HEADER_TIMEOUT_MS = 10_000;

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().port(port).host(host).instances(instances).maxBodyBytes(maxBodyBytes)
          .drainTimeoutMs(drainTimeoutMs).metricsPort(metricsPort).headerTimeoutMs(headerTimeoutMs);
    }

    /** Builds {@link Http} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Integer port;
      private String host;
      private Integer instances;
      private Integer maxBodyBytes;
      private Long drainTimeoutMs;
      /** 0 unless set: /metrics stays on the public port, as before the setting existed. */
      private int metricsPort;
      /** The default unless set: a request's line and headers must arrive within it. */
      private long headerTimeoutMs = DEFAULT_HEADER_TIMEOUT_MS;

      private Builder() {
      }

      public Builder headerTimeoutMs(long headerTimeoutMs) {
        this.headerTimeoutMs = headerTimeoutMs;
        return this;
      }

      public Builder metricsPort(int metricsPort) {
        this.metricsPort = metricsPort;
        return this;
      }

      public Builder port(int port) {
        this.port = port;
        return this;
      }

      public Builder host(String host) {
        this.host = host;
        return this;
      }

      public Builder instances(int instances) {
        this.instances = instances;
        return this;
      }

      public Builder maxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        return this;
      }

      public Builder drainTimeoutMs(long drainTimeoutMs) {
        this.drainTimeoutMs = drainTimeoutMs;
        return this;
      }

      public Http build() {
        return new Http(
            Required.value(port, "Http.port"),
            Required.value(host, "Http.host"),
            Required.value(instances, "Http.instances"),
            Required.value(maxBodyBytes, "Http.maxBodyBytes"),
            Required.value(drainTimeoutMs, "Http.drainTimeoutMs"),
            metricsPort,
            headerTimeoutMs);
      }
    }
  }

  /**
   * Postgres; an empty {@code url} means "start an embedded one" in role {@code all}.
   *
   * @param maxReplicaLagMs a replica further behind the primary is out of rotation until it catches up
   * @param replicaWaitMs longest a read that must see a write waits for a replica to replay it before
   *     it goes to the primary
   * @param replicaPollMs how often the replicas' replay positions (and the primary's) are polled
   */
  public record Postgres(Optional<URI> url, List<URI> replicaUrls, int writerPoolSize, int readerPoolSize,
      long connectTimeoutMs, int embeddedPort, long maxReplicaLagMs, long replicaWaitMs, long replicaPollMs) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().url(url).replicaUrls(replicaUrls).writerPoolSize(writerPoolSize)
          .readerPoolSize(readerPoolSize).connectTimeoutMs(connectTimeoutMs).embeddedPort(embeddedPort)
          .maxReplicaLagMs(maxReplicaLagMs).replicaWaitMs(replicaWaitMs).replicaPollMs(replicaPollMs);
    }

    /** Builds {@link Postgres} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Optional<URI> url;
      private List<URI> replicaUrls;
      private Integer writerPoolSize;
      private Integer readerPoolSize;
      private Long connectTimeoutMs;
      private Integer embeddedPort;
      private Long maxReplicaLagMs;
      private Long replicaWaitMs;
      private Long replicaPollMs;

      private Builder() {
      }

      public Builder url(Optional<URI> url) {
        this.url = url;
        return this;
      }

      public Builder replicaUrls(List<URI> replicaUrls) {
        this.replicaUrls = replicaUrls;
        return this;
      }

      public Builder writerPoolSize(int writerPoolSize) {
        this.writerPoolSize = writerPoolSize;
        return this;
      }

      public Builder readerPoolSize(int readerPoolSize) {
        this.readerPoolSize = readerPoolSize;
        return this;
      }

      public Builder connectTimeoutMs(long connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
      }

      public Builder embeddedPort(int embeddedPort) {
        this.embeddedPort = embeddedPort;
        return this;
      }

      public Builder maxReplicaLagMs(long maxReplicaLagMs) {
        this.maxReplicaLagMs = maxReplicaLagMs;
        return this;
      }

      public Builder replicaWaitMs(long replicaWaitMs) {
        this.replicaWaitMs = replicaWaitMs;
        return this;
      }

      public Builder replicaPollMs(long replicaPollMs) {
        this.replicaPollMs = replicaPollMs;
        return this;
      }

      public Postgres build() {
        return new Postgres(
            Required.value(url, "Postgres.url"),
            Required.value(replicaUrls, "Postgres.replicaUrls"),
            Required.value(writerPoolSize, "Postgres.writerPoolSize"),
            Required.value(readerPoolSize, "Postgres.readerPoolSize"),
            Required.value(connectTimeoutMs, "Postgres.connectTimeoutMs"),
            Required.value(embeddedPort, "Postgres.embeddedPort"),
            Required.value(maxReplicaLagMs, "Postgres.maxReplicaLagMs"),
            Required.value(replicaWaitMs, "Postgres.replicaWaitMs"),
            Required.value(replicaPollMs, "Postgres.replicaPollMs"));
      }
    }
  }

  /** Cache Redis and queue Redis; an empty cache url means "start an embedded one" in role {@code all}. */
  public record Redis(Optional<URI> url, Optional<URI> queueUrl, long connectTimeoutMs, int embeddedPort) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().url(url).queueUrl(queueUrl).connectTimeoutMs(connectTimeoutMs).embeddedPort(embeddedPort);
    }

    /** Builds {@link Redis} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Optional<URI> url;
      private Optional<URI> queueUrl;
      private Long connectTimeoutMs;
      private Integer embeddedPort;
      private Long maxReplicaLagMs;
      private Long replicaWaitMs;
      private Long replicaPollMs;

      private Builder() {
      }

      public Builder url(Optional<URI> url) {
        this.url = url;
        return this;
      }

      public Builder queueUrl(Optional<URI> queueUrl) {
        this.queueUrl = queueUrl;
        return this;
      }

      public Builder connectTimeoutMs(long connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
      }

      public Builder embeddedPort(int embeddedPort) {
        this.embeddedPort = embeddedPort;
        return this;
      }

      public Redis build() {
        return new Redis(
            Required.value(url, "Redis.url"),
            Required.value(queueUrl, "Redis.queueUrl"),
            Required.value(connectTimeoutMs, "Redis.connectTimeoutMs"),
            Required.value(embeddedPort, "Redis.embeddedPort"));
      }
    }
  }

  /** The origin, as seen from an edge ({@code url}) and as a server ({@code internalPort}, tunables). */
  public record Origin(Optional<URI> url, int internalPort, int historyTurns, int passages, int maxAnswerChars,
      int writeBatchRows, long writeBatchMs, long changesHeartbeatMs) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().url(url).internalPort(internalPort).historyTurns(historyTurns).passages(passages)
          .maxAnswerChars(maxAnswerChars).writeBatchRows(writeBatchRows).writeBatchMs(writeBatchMs)
          .changesHeartbeatMs(changesHeartbeatMs);
    }

    /** Builds {@link Origin} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Optional<URI> url;
      private Integer internalPort;
      private Integer historyTurns;
      private Integer passages;
      private Integer maxAnswerChars;
      private Integer writeBatchRows;
      private Long writeBatchMs;
      private Long changesHeartbeatMs;

      private Builder() {
      }

      public Builder url(Optional<URI> url) {
        this.url = url;
        return this;
      }

      public Builder internalPort(int internalPort) {
        this.internalPort = internalPort;
        return this;
      }

      public Builder historyTurns(int historyTurns) {
        this.historyTurns = historyTurns;
        return this;
      }

      public Builder passages(int passages) {
        this.passages = passages;
        return this;
      }

      public Builder maxAnswerChars(int maxAnswerChars) {
        this.maxAnswerChars = maxAnswerChars;
        return this;
      }

      public Builder writeBatchRows(int writeBatchRows) {
        this.writeBatchRows = writeBatchRows;
        return this;
      }

      public Builder writeBatchMs(long writeBatchMs) {
        this.writeBatchMs = writeBatchMs;
        return this;
      }

      public Builder changesHeartbeatMs(long changesHeartbeatMs) {
        this.changesHeartbeatMs = changesHeartbeatMs;
        return this;
      }

      public Origin build() {
        return new Origin(
            Required.value(url, "Origin.url"),
            Required.value(internalPort, "Origin.internalPort"),
            Required.value(historyTurns, "Origin.historyTurns"),
            Required.value(passages, "Origin.passages"),
            Required.value(maxAnswerChars, "Origin.maxAnswerChars"),
            Required.value(writeBatchRows, "Origin.writeBatchRows"),
            Required.value(writeBatchMs, "Origin.writeBatchMs"),
            Required.value(changesHeartbeatMs, "Origin.changesHeartbeatMs"));
      }
    }
  }

  /**
   * The edge's chat endpoint.
   *
   * @param primaryRegion the region of origin and Postgres; empty when not known (PRIMARY_REGION unset)
   * @param flyReplay whether this process runs behind Fly's proxy, which replays a request answered
   *     with {@code fly-replay} (admin calls to the primary region; refused streams elsewhere)
   */
  public record Edge(long heartbeatMs, int maxMessageChars, long siteCacheMs, long originConnectTimeoutMs,
      long originIdleTimeoutMs, long resumeTtlMs, long resumeGraceMs, int resumableHits, long changesTimeoutMs,
      String primaryRegion, boolean flyReplay) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().heartbeatMs(heartbeatMs).maxMessageChars(maxMessageChars).siteCacheMs(siteCacheMs)
          .originConnectTimeoutMs(originConnectTimeoutMs).originIdleTimeoutMs(originIdleTimeoutMs)
          .resumeTtlMs(resumeTtlMs).resumeGraceMs(resumeGraceMs).resumableHits(resumableHits)
          .changesTimeoutMs(changesTimeoutMs).primaryRegion(primaryRegion).flyReplay(flyReplay);
    }

    /** Builds {@link Edge} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Long heartbeatMs;
      private Integer maxMessageChars;
      private Long siteCacheMs;
      private Long originConnectTimeoutMs;
      private Long originIdleTimeoutMs;
      private Long resumeTtlMs;
      private Long resumeGraceMs;
      private Integer resumableHits;
      private Long changesTimeoutMs;
      private String primaryRegion;
      private Boolean flyReplay;

      private Builder() {
      }

      public Builder primaryRegion(String primaryRegion) {
        this.primaryRegion = primaryRegion;
        return this;
      }

      public Builder flyReplay(boolean flyReplay) {
        this.flyReplay = flyReplay;
        return this;
      }

      public Builder heartbeatMs(long heartbeatMs) {
        this.heartbeatMs = heartbeatMs;
        return this;
      }

      public Builder maxMessageChars(int maxMessageChars) {
        this.maxMessageChars = maxMessageChars;
        return this;
      }

      public Builder siteCacheMs(long siteCacheMs) {
        this.siteCacheMs = siteCacheMs;
        return this;
      }

      public Builder originConnectTimeoutMs(long originConnectTimeoutMs) {
        this.originConnectTimeoutMs = originConnectTimeoutMs;
        return this;
      }

      public Builder originIdleTimeoutMs(long originIdleTimeoutMs) {
        this.originIdleTimeoutMs = originIdleTimeoutMs;
        return this;
      }

      public Builder resumeTtlMs(long resumeTtlMs) {
        this.resumeTtlMs = resumeTtlMs;
        return this;
      }

      public Builder resumeGraceMs(long resumeGraceMs) {
        this.resumeGraceMs = resumeGraceMs;
        return this;
      }

      public Builder resumableHits(int resumableHits) {
        this.resumableHits = resumableHits;
        return this;
      }

      public Builder changesTimeoutMs(long changesTimeoutMs) {
        this.changesTimeoutMs = changesTimeoutMs;
        return this;
      }

      public Edge build() {
        return new Edge(
            Required.value(heartbeatMs, "Edge.heartbeatMs"),
            Required.value(maxMessageChars, "Edge.maxMessageChars"),
            Required.value(siteCacheMs, "Edge.siteCacheMs"),
            Required.value(originConnectTimeoutMs, "Edge.originConnectTimeoutMs"),
            Required.value(originIdleTimeoutMs, "Edge.originIdleTimeoutMs"),
            Required.value(resumeTtlMs, "Edge.resumeTtlMs"),
            Required.value(resumeGraceMs, "Edge.resumeGraceMs"),
            Required.value(resumableHits, "Edge.resumableHits"),
            Required.value(changesTimeoutMs, "Edge.changesTimeoutMs"),
            Required.value(primaryRegion, "Edge.primaryRegion"),
            Required.value(flyReplay, "Edge.flyReplay"));
      }
    }
  }

  /** The OpenAI-compatible upstream. Without an API key, origin uses the offline extractive model. */
  public record Llm(URI baseUrl, String model, int maxTokens, double temperature, long connectTimeoutMs,
      long firstTokenTimeoutMs, long idleTimeoutMs, int retries, long retryBackoffMs, long maxRetryAfterMs,
      int breakerMaxFailures, long breakerResetMs, int poolSize, ModelPrices prices) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().baseUrl(baseUrl).model(model).maxTokens(maxTokens).temperature(temperature)
          .connectTimeoutMs(connectTimeoutMs).firstTokenTimeoutMs(firstTokenTimeoutMs).idleTimeoutMs(idleTimeoutMs)
          .retries(retries).retryBackoffMs(retryBackoffMs).maxRetryAfterMs(maxRetryAfterMs)
          .breakerMaxFailures(breakerMaxFailures).breakerResetMs(breakerResetMs).poolSize(poolSize).prices(prices);
    }

    /** Builds {@link Llm} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private URI baseUrl;
      private String model;
      private Integer maxTokens;
      private Double temperature;
      private Long connectTimeoutMs;
      private Long firstTokenTimeoutMs;
      private Long idleTimeoutMs;
      private Integer retries;
      private Long retryBackoffMs;
      private Long maxRetryAfterMs;
      private Integer breakerMaxFailures;
      private Long breakerResetMs;
      private Integer poolSize;
      private ModelPrices prices = ModelPrices.NONE;

      private Builder() {
      }

      /** The price table of {@code llm.prices}; none unless set. */
      public Builder prices(ModelPrices prices) {
        this.prices = prices;
        return this;
      }

      public Builder baseUrl(URI baseUrl) {
        this.baseUrl = baseUrl;
        return this;
      }

      public Builder model(String model) {
        this.model = model;
        return this;
      }

      public Builder maxTokens(int maxTokens) {
        this.maxTokens = maxTokens;
        return this;
      }

      public Builder temperature(double temperature) {
        this.temperature = temperature;
        return this;
      }

      public Builder connectTimeoutMs(long connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
      }

      public Builder firstTokenTimeoutMs(long firstTokenTimeoutMs) {
        this.firstTokenTimeoutMs = firstTokenTimeoutMs;
        return this;
      }

      public Builder idleTimeoutMs(long idleTimeoutMs) {
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
      }

      public Builder retries(int retries) {
        this.retries = retries;
        return this;
      }

      public Builder retryBackoffMs(long retryBackoffMs) {
        this.retryBackoffMs = retryBackoffMs;
        return this;
      }

      public Builder maxRetryAfterMs(long maxRetryAfterMs) {
        this.maxRetryAfterMs = maxRetryAfterMs;
        return this;
      }

      public Builder breakerMaxFailures(int breakerMaxFailures) {
        this.breakerMaxFailures = breakerMaxFailures;
        return this;
      }

      public Builder breakerResetMs(long breakerResetMs) {
        this.breakerResetMs = breakerResetMs;
        return this;
      }

      public Builder poolSize(int poolSize) {
        this.poolSize = poolSize;
        return this;
      }

      public Llm build() {
        return new Llm(
            Required.value(baseUrl, "Llm.baseUrl"),
            Required.value(model, "Llm.model"),
            Required.value(maxTokens, "Llm.maxTokens"),
            Required.value(temperature, "Llm.temperature"),
            Required.value(connectTimeoutMs, "Llm.connectTimeoutMs"),
            Required.value(firstTokenTimeoutMs, "Llm.firstTokenTimeoutMs"),
            Required.value(idleTimeoutMs, "Llm.idleTimeoutMs"),
            Required.value(retries, "Llm.retries"),
            Required.value(retryBackoffMs, "Llm.retryBackoffMs"),
            Required.value(maxRetryAfterMs, "Llm.maxRetryAfterMs"),
            Required.value(breakerMaxFailures, "Llm.breakerMaxFailures"),
            Required.value(breakerResetMs, "Llm.breakerResetMs"),
            Required.value(poolSize, "Llm.poolSize"),
            Required.value(prices, "Llm.prices"));
      }
    }
  }

  /** The edge's answer cache: switches for each level and for coalescing, sizes and lifetimes. */
  public record Cache(boolean l1, boolean l2, boolean coalescing, long l1MaxBytes, long staticTtlMs,
      long dynamicTtlMs, long redisTimeoutMs, long staleMs, int followUps, boolean semantic, double semanticThreshold,
      int semanticCandidates, int semanticMaxEntries, int embedderThreads, double semanticMaxWrongShare,
      boolean semanticFollowUps) {

    /**
     * The least and greatest share of wrong semantic hits a site may tolerate
     * ({@code cache.semanticMaxWrongShare}, a site's {@code semantic.maxWrongShare}).
     */
    public static final double MIN_WRONG_SHARE = 0.001;
    public static final double MAX_WRONG_SHARE = 0.5;

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().l1(l1).l2(l2).coalescing(coalescing).l1MaxBytes(l1MaxBytes).staticTtlMs(staticTtlMs)
          .dynamicTtlMs(dynamicTtlMs).redisTimeoutMs(redisTimeoutMs).staleMs(staleMs).followUps(followUps)
          .semantic(semantic).semanticThreshold(semanticThreshold).semanticCandidates(semanticCandidates)
          .semanticMaxEntries(semanticMaxEntries).embedderThreads(embedderThreads)
          .semanticMaxWrongShare(semanticMaxWrongShare).semanticFollowUps(semanticFollowUps);
    }

    /** Builds {@link Cache} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Boolean l1;
      private Boolean l2;
      private Boolean coalescing;
      private Long l1MaxBytes;
      private Long staticTtlMs;
      private Long dynamicTtlMs;
      private Long redisTimeoutMs;
      private Long staleMs;
      private Integer followUps;
      private Boolean semantic;
      private Double semanticThreshold;
      private Integer semanticCandidates;
      private Integer semanticMaxEntries;
      private Integer embedderThreads;
      private Double semanticMaxWrongShare;
      private Boolean semanticFollowUps;

      private Builder() {
      }

      public Builder semanticFollowUps(boolean semanticFollowUps) {
        this.semanticFollowUps = semanticFollowUps;
        return this;
      }

      public Builder semanticMaxWrongShare(double semanticMaxWrongShare) {
        this.semanticMaxWrongShare = semanticMaxWrongShare;
        return this;
      }

      public Builder l1(boolean l1) {
        this.l1 = l1;
        return this;
      }

      public Builder l2(boolean l2) {
        this.l2 = l2;
        return this;
      }

      public Builder coalescing(boolean coalescing) {
        this.coalescing = coalescing;
        return this;
      }

      public Builder l1MaxBytes(long l1MaxBytes) {
        this.l1MaxBytes = l1MaxBytes;
        return this;
      }

      public Builder staticTtlMs(long staticTtlMs) {
        this.staticTtlMs = staticTtlMs;
        return this;
      }

      public Builder dynamicTtlMs(long dynamicTtlMs) {
        this.dynamicTtlMs = dynamicTtlMs;
        return this;
      }

      public Builder redisTimeoutMs(long redisTimeoutMs) {
        this.redisTimeoutMs = redisTimeoutMs;
        return this;
      }

      public Builder staleMs(long staleMs) {
        this.staleMs = staleMs;
        return this;
      }

      public Builder followUps(int followUps) {
        this.followUps = followUps;
        return this;
      }

      public Builder semantic(boolean semantic) {
        this.semantic = semantic;
        return this;
      }

      public Builder semanticThreshold(double semanticThreshold) {
        this.semanticThreshold = semanticThreshold;
        return this;
      }

      public Builder semanticCandidates(int semanticCandidates) {
        this.semanticCandidates = semanticCandidates;
        return this;
      }

      public Builder semanticMaxEntries(int semanticMaxEntries) {
        this.semanticMaxEntries = semanticMaxEntries;
        return this;
      }

      public Builder embedderThreads(int embedderThreads) {
        this.embedderThreads = embedderThreads;
        return this;
      }

      public Cache build() {
        return new Cache(
            Required.value(l1, "Cache.l1"),
            Required.value(l2, "Cache.l2"),
            Required.value(coalescing, "Cache.coalescing"),
            Required.value(l1MaxBytes, "Cache.l1MaxBytes"),
            Required.value(staticTtlMs, "Cache.staticTtlMs"),
            Required.value(dynamicTtlMs, "Cache.dynamicTtlMs"),
            Required.value(redisTimeoutMs, "Cache.redisTimeoutMs"),
            Required.value(staleMs, "Cache.staleMs"),
            Required.value(followUps, "Cache.followUps"),
            Required.value(semantic, "Cache.semantic"),
            Required.value(semanticThreshold, "Cache.semanticThreshold"),
            Required.value(semanticCandidates, "Cache.semanticCandidates"),
            Required.value(semanticMaxEntries, "Cache.semanticMaxEntries"),
            Required.value(embedderThreads, "Cache.embedderThreads"),
            Required.value(semanticMaxWrongShare, "Cache.semanticMaxWrongShare"),
            Required.value(semanticFollowUps, "Cache.semanticFollowUps"));
      }
    }
  }

  /**
   * How chunks of the knowledge base are embedded: in-process ({@code LOCAL}) or by an
   * OpenAI-compatible {@code /embeddings} endpoint ({@code REMOTE}) through a batcher; either way
   * cached in Redis by content hash and model when {@code cache} is on.
   *
   * @param baseUrl the remote endpoint's base; {@code llm.baseUrl} unless set
   * @param dimensions the vector length asked of the remote model; 0 = the model's own
   */
  public record Embeddings(Provider provider, URI baseUrl, String model, int dimensions, int batchSize,
      long batchWindowMs, boolean cache, long cacheTtlMs, long cacheTimeoutMs, long timeoutMs) {

    /** Where vectors come from. */
    public enum Provider { LOCAL, REMOTE }

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().provider(provider).baseUrl(baseUrl).model(model).dimensions(dimensions)
          .batchSize(batchSize).batchWindowMs(batchWindowMs).cache(cache).cacheTtlMs(cacheTtlMs)
          .cacheTimeoutMs(cacheTimeoutMs).timeoutMs(timeoutMs);
    }

    /** Builds {@link Embeddings} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Provider provider;
      private URI baseUrl;
      private String model;
      private Integer dimensions;
      private Integer batchSize;
      private Long batchWindowMs;
      private Boolean cache;
      private Long cacheTtlMs;
      private Long cacheTimeoutMs;
      private Long timeoutMs;

      private Builder() {
      }

      public Builder provider(Provider provider) {
        this.provider = provider;
        return this;
      }

      public Builder baseUrl(URI baseUrl) {
        this.baseUrl = baseUrl;
        return this;
      }

      public Builder model(String model) {
        this.model = model;
        return this;
      }

      public Builder dimensions(int dimensions) {
        this.dimensions = dimensions;
        return this;
      }

      public Builder batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
      }

      public Builder batchWindowMs(long batchWindowMs) {
        this.batchWindowMs = batchWindowMs;
        return this;
      }

      public Builder cache(boolean cache) {
        this.cache = cache;
        return this;
      }

      public Builder cacheTtlMs(long cacheTtlMs) {
        this.cacheTtlMs = cacheTtlMs;
        return this;
      }

      public Builder cacheTimeoutMs(long cacheTimeoutMs) {
        this.cacheTimeoutMs = cacheTimeoutMs;
        return this;
      }

      public Builder timeoutMs(long timeoutMs) {
        this.timeoutMs = timeoutMs;
        return this;
      }

      public Embeddings build() {
        return new Embeddings(
            Required.value(provider, "Embeddings.provider"),
            Required.value(baseUrl, "Embeddings.baseUrl"),
            Required.value(model, "Embeddings.model"),
            Required.value(dimensions, "Embeddings.dimensions"),
            Required.value(batchSize, "Embeddings.batchSize"),
            Required.value(batchWindowMs, "Embeddings.batchWindowMs"),
            Required.value(cache, "Embeddings.cache"),
            Required.value(cacheTtlMs, "Embeddings.cacheTtlMs"),
            Required.value(cacheTimeoutMs, "Embeddings.cacheTimeoutMs"),
            Required.value(timeoutMs, "Embeddings.timeoutMs"));
      }
    }
  }

  /**
   * The job queue: jobs each worker process runs at once per type, tries and backoff, when a silent
   * worker's job is taken over, how many finished jobs are kept and for how long.
   */
  public record Queue(Map<String, Integer> concurrency, int maxAttempts, long backoffMs, long maxBackoffMs,
      long stalledMs, long blockMs, int keepCompleted, long completedTtlMs, int keepFailed, long failedTtlMs,
      long drainTimeoutMs) {

    public Queue {
      concurrency = Map.copyOf(concurrency);
    }

    /** Jobs of {@code type} one worker process runs at once: its {@code queue.concurrency} entry, else 1. */
    public int concurrencyOf(String type) {
      return concurrency.getOrDefault(type, 1);
    }

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().concurrency(concurrency).maxAttempts(maxAttempts).backoffMs(backoffMs)
          .maxBackoffMs(maxBackoffMs).stalledMs(stalledMs).blockMs(blockMs).keepCompleted(keepCompleted)
          .completedTtlMs(completedTtlMs).keepFailed(keepFailed).failedTtlMs(failedTtlMs)
          .drainTimeoutMs(drainTimeoutMs);
    }

    /** Builds {@link Queue} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Map<String, Integer> concurrency;
      private Integer maxAttempts;
      private Long backoffMs;
      private Long maxBackoffMs;
      private Long stalledMs;
      private Long blockMs;
      private Integer keepCompleted;
      private Long completedTtlMs;
      private Integer keepFailed;
      private Long failedTtlMs;
      private Long drainTimeoutMs;

      private Builder() {
      }

      public Builder concurrency(Map<String, Integer> concurrency) {
        this.concurrency = concurrency;
        return this;
      }

      public Builder maxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
        return this;
      }

      public Builder backoffMs(long backoffMs) {
        this.backoffMs = backoffMs;
        return this;
      }

      public Builder maxBackoffMs(long maxBackoffMs) {
        this.maxBackoffMs = maxBackoffMs;
        return this;
      }

      public Builder stalledMs(long stalledMs) {
        this.stalledMs = stalledMs;
        return this;
      }

      public Builder blockMs(long blockMs) {
        this.blockMs = blockMs;
        return this;
      }

      public Builder keepCompleted(int keepCompleted) {
        this.keepCompleted = keepCompleted;
        return this;
      }

      public Builder completedTtlMs(long completedTtlMs) {
        this.completedTtlMs = completedTtlMs;
        return this;
      }

      public Builder keepFailed(int keepFailed) {
        this.keepFailed = keepFailed;
        return this;
      }

      public Builder failedTtlMs(long failedTtlMs) {
        this.failedTtlMs = failedTtlMs;
        return this;
      }

      public Builder drainTimeoutMs(long drainTimeoutMs) {
        this.drainTimeoutMs = drainTimeoutMs;
        return this;
      }

      public Queue build() {
        return new Queue(
            Required.value(concurrency, "Queue.concurrency"),
            Required.value(maxAttempts, "Queue.maxAttempts"),
            Required.value(backoffMs, "Queue.backoffMs"),
            Required.value(maxBackoffMs, "Queue.maxBackoffMs"),
            Required.value(stalledMs, "Queue.stalledMs"),
            Required.value(blockMs, "Queue.blockMs"),
            Required.value(keepCompleted, "Queue.keepCompleted"),
            Required.value(completedTtlMs, "Queue.completedTtlMs"),
            Required.value(keepFailed, "Queue.keepFailed"),
            Required.value(failedTtlMs, "Queue.failedTtlMs"),
            Required.value(drainTimeoutMs, "Queue.drainTimeoutMs"));
      }
    }
  }

  /**
   * The knowledge base at origin: how documents are chunked, which passages are good enough, the sweeper.
   *
   * @param catchUpMs the longest a search waits for origin's chunk index to reflect the site's
   *     version (another process's ingestion not yet noticed); 0: it searches what the index holds
   */
  public record Knowledge(int chunkTokens, int chunkOverlapTokens, double minPassageScore, int maxUploadBytes,
      int maxDocumentChars, long sweepIntervalMs, long sweepAfterMs, long resyncMs, long changesRetentionMs,
      long outboxPollMs, long idempotencyKeyTtlMs, long catchUpMs) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().chunkTokens(chunkTokens).chunkOverlapTokens(chunkOverlapTokens)
          .minPassageScore(minPassageScore).maxUploadBytes(maxUploadBytes).maxDocumentChars(maxDocumentChars)
          .sweepIntervalMs(sweepIntervalMs).sweepAfterMs(sweepAfterMs).resyncMs(resyncMs)
          .changesRetentionMs(changesRetentionMs).outboxPollMs(outboxPollMs).idempotencyKeyTtlMs(idempotencyKeyTtlMs)
          .catchUpMs(catchUpMs);
    }

    /** Builds {@link Knowledge} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Integer chunkTokens;
      private Integer chunkOverlapTokens;
      private Double minPassageScore;
      private Integer maxUploadBytes;
      private Integer maxDocumentChars;
      private Long sweepIntervalMs;
      private Long sweepAfterMs;
      private Long resyncMs;
      private Long changesRetentionMs;
      private Long outboxPollMs;
      private Long idempotencyKeyTtlMs;
      private Long catchUpMs;

      private Builder() {
      }

      public Builder chunkTokens(int chunkTokens) {
        this.chunkTokens = chunkTokens;
        return this;
      }

      public Builder chunkOverlapTokens(int chunkOverlapTokens) {
        this.chunkOverlapTokens = chunkOverlapTokens;
        return this;
      }

      public Builder minPassageScore(double minPassageScore) {
        this.minPassageScore = minPassageScore;
        return this;
      }

      public Builder maxUploadBytes(int maxUploadBytes) {
        this.maxUploadBytes = maxUploadBytes;
        return this;
      }

      public Builder maxDocumentChars(int maxDocumentChars) {
        this.maxDocumentChars = maxDocumentChars;
        return this;
      }

      public Builder sweepIntervalMs(long sweepIntervalMs) {
        this.sweepIntervalMs = sweepIntervalMs;
        return this;
      }

      public Builder sweepAfterMs(long sweepAfterMs) {
        this.sweepAfterMs = sweepAfterMs;
        return this;
      }

      public Builder resyncMs(long resyncMs) {
        this.resyncMs = resyncMs;
        return this;
      }

      public Builder changesRetentionMs(long changesRetentionMs) {
        this.changesRetentionMs = changesRetentionMs;
        return this;
      }

      public Builder outboxPollMs(long outboxPollMs) {
        this.outboxPollMs = outboxPollMs;
        return this;
      }

      public Builder idempotencyKeyTtlMs(long idempotencyKeyTtlMs) {
        this.idempotencyKeyTtlMs = idempotencyKeyTtlMs;
        return this;
      }

      public Builder catchUpMs(long catchUpMs) {
        this.catchUpMs = catchUpMs;
        return this;
      }

      public Knowledge build() {
        return new Knowledge(
            Required.value(chunkTokens, "Knowledge.chunkTokens"),
            Required.value(chunkOverlapTokens, "Knowledge.chunkOverlapTokens"),
            Required.value(minPassageScore, "Knowledge.minPassageScore"),
            Required.value(maxUploadBytes, "Knowledge.maxUploadBytes"),
            Required.value(maxDocumentChars, "Knowledge.maxDocumentChars"),
            Required.value(sweepIntervalMs, "Knowledge.sweepIntervalMs"),
            Required.value(sweepAfterMs, "Knowledge.sweepAfterMs"),
            Required.value(resyncMs, "Knowledge.resyncMs"),
            Required.value(changesRetentionMs, "Knowledge.changesRetentionMs"),
            Required.value(outboxPollMs, "Knowledge.outboxPollMs"),
            Required.value(idempotencyKeyTtlMs, "Knowledge.idempotencyKeyTtlMs"),
            Required.value(catchUpMs, "Knowledge.catchUpMs"));
      }
    }
  }

  /**
   * The edge's OpenAI-compatible gateway (API.md §2): how it talks to upstreams and the profiles
   * that gateway keys ({@code EDGECHAT_GATEWAY_KEYS}, entries {@code key} or {@code profile:key})
   * are held to.
   *
   * @param maxBodyBytes largest request body of the gateway's endpoints
   * @param connectTimeoutMs longest wait for an upstream connection
   * @param firstTokenTimeoutMs longest wait for an upstream's first chunk (a try that waits longer fails)
   * @param idleTimeoutMs longest silence of an upstream stream after its first chunk
   * @param retries tries after the first, only before the first chunk reached anyone
   * @param retryBackoffMs delay before the first retry; doubles with each, with jitter
   * @param breakerMaxFailures failed tries in a row that open an upstream's circuit breaker
   * @param breakerResetMs how long an open breaker refuses before it lets one try through
   * @param poolSize connections per upstream
   * @param maxAnswerBytes most bytes of one upstream answer (its deltas) the edge holds; a longer one is cut
   * @param profiles the profiles by name; {@code default} always exists
   */
  public record Gateway(int maxBodyBytes, long connectTimeoutMs, long firstTokenTimeoutMs, long idleTimeoutMs,
      int retries, long retryBackoffMs, long maxRetryAfterMs, int breakerMaxFailures, long breakerResetMs,
      int poolSize, long maxAnswerBytes, Map<String, GatewayProfile> profiles) {

    public Gateway {
      profiles = Map.copyOf(profiles);
    }

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().maxBodyBytes(maxBodyBytes).connectTimeoutMs(connectTimeoutMs)
          .firstTokenTimeoutMs(firstTokenTimeoutMs).idleTimeoutMs(idleTimeoutMs).retries(retries)
          .retryBackoffMs(retryBackoffMs).maxRetryAfterMs(maxRetryAfterMs).breakerMaxFailures(breakerMaxFailures)
          .breakerResetMs(breakerResetMs)
          .poolSize(poolSize).maxAnswerBytes(maxAnswerBytes).profiles(profiles);
    }

    /** Builds {@link Gateway} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Integer maxBodyBytes;
      private Long connectTimeoutMs;
      private Long firstTokenTimeoutMs;
      private Long idleTimeoutMs;
      private Integer retries;
      private Long retryBackoffMs;
      private Long maxRetryAfterMs;
      private Integer breakerMaxFailures;
      private Long breakerResetMs;
      private Integer poolSize;
      private Long maxAnswerBytes;
      private Map<String, GatewayProfile> profiles;

      private Builder() {
      }

      public Builder maxBodyBytes(int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        return this;
      }

      public Builder connectTimeoutMs(long connectTimeoutMs) {
        this.connectTimeoutMs = connectTimeoutMs;
        return this;
      }

      public Builder firstTokenTimeoutMs(long firstTokenTimeoutMs) {
        this.firstTokenTimeoutMs = firstTokenTimeoutMs;
        return this;
      }

      public Builder idleTimeoutMs(long idleTimeoutMs) {
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
      }

      public Builder retries(int retries) {
        this.retries = retries;
        return this;
      }

      public Builder retryBackoffMs(long retryBackoffMs) {
        this.retryBackoffMs = retryBackoffMs;
        return this;
      }

      public Builder maxRetryAfterMs(long maxRetryAfterMs) {
        this.maxRetryAfterMs = maxRetryAfterMs;
        return this;
      }

      public Builder breakerMaxFailures(int breakerMaxFailures) {
        this.breakerMaxFailures = breakerMaxFailures;
        return this;
      }

      public Builder breakerResetMs(long breakerResetMs) {
        this.breakerResetMs = breakerResetMs;
        return this;
      }

      public Builder poolSize(int poolSize) {
        this.poolSize = poolSize;
        return this;
      }

      public Builder maxAnswerBytes(long maxAnswerBytes) {
        this.maxAnswerBytes = maxAnswerBytes;
        return this;
      }

      public Builder profiles(Map<String, GatewayProfile> profiles) {
        this.profiles = profiles;
        return this;
      }

      public Gateway build() {
        return new Gateway(
            Required.value(maxBodyBytes, "Gateway.maxBodyBytes"),
            Required.value(connectTimeoutMs, "Gateway.connectTimeoutMs"),
            Required.value(firstTokenTimeoutMs, "Gateway.firstTokenTimeoutMs"),
            Required.value(idleTimeoutMs, "Gateway.idleTimeoutMs"),
            Required.value(retries, "Gateway.retries"),
            Required.value(retryBackoffMs, "Gateway.retryBackoffMs"),
            Required.value(maxRetryAfterMs, "Gateway.maxRetryAfterMs"),
            Required.value(breakerMaxFailures, "Gateway.breakerMaxFailures"),
            Required.value(breakerResetMs, "Gateway.breakerResetMs"),
            Required.value(poolSize, "Gateway.poolSize"),
            Required.value(maxAnswerBytes, "Gateway.maxAnswerBytes"),
            Required.value(profiles, "Gateway.profiles"));
      }
    }
  }

  /**
   * What the keys of one gateway profile may do and where their requests go.
   *
   * @param baseUrl the OpenAI-compatible upstream
   * @param upstreamKey the upstream's key (from the environment variable {@code apiKeyEnv} names,
   *     else {@code EDGECHAT_LLM_API_KEY}); empty sends no Authorization header
   * @param models models the keys may ask for; empty = any
   * @param requestsPerMinute requests per minute per key; 0 = no limit
   * @param semantic whether a request may ask for a semantic cache match
   * @param cacheTemperature whether answers to requests with temperature &gt; 0 are cached
   */
  public record GatewayProfile(String name, URI baseUrl, Optional<String> upstreamKey, List<String> models,
      int requestsPerMinute, boolean semantic, boolean cacheTemperature) {

    public GatewayProfile {
      models = List.copyOf(models);
    }

    @Override
    public String toString() {
      return "GatewayProfile[name=" + name + ", baseUrl=" + baseUrl + ", upstreamKey="
          + (upstreamKey.isPresent() ? "***" : "unset") + ", models=" + models + ", requestsPerMinute="
          + requestsPerMinute + ", semantic=" + semantic + ", cacheTemperature=" + cacheTemperature + "]";
    }

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().name(name).baseUrl(baseUrl).upstreamKey(upstreamKey).models(models)
          .requestsPerMinute(requestsPerMinute).semantic(semantic).cacheTemperature(cacheTemperature);
    }

    /** Builds {@link GatewayProfile} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private String name;
      private URI baseUrl;
      private Optional<String> upstreamKey;
      private List<String> models;
      private Integer requestsPerMinute;
      private Boolean semantic;
      private Boolean cacheTemperature;

      private Builder() {
      }

      public Builder name(String name) {
        this.name = name;
        return this;
      }

      public Builder baseUrl(URI baseUrl) {
        this.baseUrl = baseUrl;
        return this;
      }

      public Builder upstreamKey(Optional<String> upstreamKey) {
        this.upstreamKey = upstreamKey;
        return this;
      }

      public Builder models(List<String> models) {
        this.models = models;
        return this;
      }

      public Builder requestsPerMinute(int requestsPerMinute) {
        this.requestsPerMinute = requestsPerMinute;
        return this;
      }

      public Builder semantic(boolean semantic) {
        this.semantic = semantic;
        return this;
      }

      public Builder cacheTemperature(boolean cacheTemperature) {
        this.cacheTemperature = cacheTemperature;
        return this;
      }

      public GatewayProfile build() {
        return new GatewayProfile(
            Required.value(name, "GatewayProfile.name"),
            Required.value(baseUrl, "GatewayProfile.baseUrl"),
            Required.value(upstreamKey, "GatewayProfile.upstreamKey"),
            Required.value(models, "GatewayProfile.models"),
            Required.value(requestsPerMinute, "GatewayProfile.requestsPerMinute"),
            Required.value(semantic, "GatewayProfile.semantic"),
            Required.value(cacheTemperature, "GatewayProfile.cacheTemperature"));
      }
    }
  }

  /** Switches for each optimization, so the benchmark can measure what each one is worth. */
  public record Features(boolean streaming) {

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().streaming(streaming);
    }

    /** Builds {@link Features} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Boolean streaming;

      private Builder() {
      }

      public Builder streaming(boolean streaming) {
        this.streaming = streaming;
        return this;
      }

      public Features build() {
        return new Features(
            Required.value(streaming, "Features.streaming"));
      }
    }
  }

  /** Secrets, from the environment only. {@link #toString()} never prints them. */
  public record Secrets(Optional<String> edgeToken, Optional<String> adminToken, List<String> gatewayKeys,
      Optional<String> llmApiKey, Optional<String> embeddingsApiKey) {

    /** The key of the remote embeddings endpoint: its own if set, else the LLM's. */
    public Optional<String> embeddingsKey() {
      return embeddingsApiKey.or(() -> llmApiKey);
    }

    @Override
    public String toString() {
      return "Secrets[edgeToken=" + mask(edgeToken) + ", adminToken=" + mask(adminToken)
          + ", gatewayKeys=" + gatewayKeys.size() + " key(s), llmApiKey=" + mask(llmApiKey)
          + ", embeddingsApiKey=" + mask(embeddingsApiKey) + "]";
    }

    private static String mask(Optional<String> secret) {
      return secret.isPresent() ? "***" : "unset";
    }

    /** A builder with no value set. */
    public static Builder builder() {
      return new Builder();
    }

    /** A builder holding this record's values, to change some of them by name. */
    public Builder toBuilder() {
      return new Builder().edgeToken(edgeToken).adminToken(adminToken).gatewayKeys(gatewayKeys).llmApiKey(llmApiKey)
          .embeddingsApiKey(embeddingsApiKey);
    }

    /** Builds {@link Secrets} settings by name; {@link #build()} fails naming a value left unset. */
    public static final class Builder {

      private Optional<String> edgeToken;
      private Optional<String> adminToken;
      private List<String> gatewayKeys;
      private Optional<String> llmApiKey;
      private Optional<String> embeddingsApiKey;

      private Builder() {
      }

      public Builder edgeToken(Optional<String> edgeToken) {
        this.edgeToken = edgeToken;
        return this;
      }

      public Builder adminToken(Optional<String> adminToken) {
        this.adminToken = adminToken;
        return this;
      }

      public Builder gatewayKeys(List<String> gatewayKeys) {
        this.gatewayKeys = gatewayKeys;
        return this;
      }

      public Builder llmApiKey(Optional<String> llmApiKey) {
        this.llmApiKey = llmApiKey;
        return this;
      }

      public Builder embeddingsApiKey(Optional<String> embeddingsApiKey) {
        this.embeddingsApiKey = embeddingsApiKey;
        return this;
      }

      public Secrets build() {
        return new Secrets(
            Required.value(edgeToken, "Secrets.edgeToken"),
            Required.value(adminToken, "Secrets.adminToken"),
            Required.value(gatewayKeys, "Secrets.gatewayKeys"),
            Required.value(llmApiKey, "Secrets.llmApiKey"),
            Required.value(embeddingsApiKey, "Secrets.embeddingsApiKey"));
      }
    }
  }

  /** A builder with no value set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's values, to change some of them by name. */
  public Builder toBuilder() {
    return new Builder().region(region).dataDir(dataDir).scanPeriodMs(scanPeriodMs).http(http).postgres(postgres)
        .redis(redis).origin(origin).edge(edge).llm(llm).features(features).cache(cache).embeddings(embeddings)
        .queue(queue).knowledge(knowledge).sim(sim).gateway(gateway).limits(limits).tracing(tracing).secrets(secrets);
  }

  /** Builds {@link EdgechatConfig} settings by name; {@link #build()} fails naming a value left unset. */
  public static final class Builder {

    private String region;
    private Path dataDir;
    private Long scanPeriodMs;
    private Http http;
    private Postgres postgres;
    private Redis redis;
    private Origin origin;
    private Edge edge;
    private Llm llm;
    private Features features;
    private Cache cache;
    private Embeddings embeddings;
    private Queue queue;
    private Knowledge knowledge;
    private SimSettings sim;
    private Gateway gateway;
    private LimitSettings limits;
    private TracingSettings tracing;
    private Secrets secrets;

    private Builder() {
    }

    public Builder region(String region) {
      this.region = region;
      return this;
    }

    public Builder dataDir(Path dataDir) {
      this.dataDir = dataDir;
      return this;
    }

    public Builder scanPeriodMs(long scanPeriodMs) {
      this.scanPeriodMs = scanPeriodMs;
      return this;
    }

    public Builder http(Http http) {
      this.http = http;
      return this;
    }

    /** Changes some values of {@code http} by name. */
    public Builder http(Consumer<Http.Builder> change) {
      Http.Builder changed = Required.value(this.http, "EdgechatConfig.http").toBuilder();
      change.accept(changed);
      return http(changed.build());
    }

    public Builder postgres(Postgres postgres) {
      this.postgres = postgres;
      return this;
    }

    /** Changes some values of {@code postgres} by name. */
    public Builder postgres(Consumer<Postgres.Builder> change) {
      Postgres.Builder changed = Required.value(this.postgres, "EdgechatConfig.postgres").toBuilder();
      change.accept(changed);
      return postgres(changed.build());
    }

    public Builder redis(Redis redis) {
      this.redis = redis;
      return this;
    }

    /** Changes some values of {@code redis} by name. */
    public Builder redis(Consumer<Redis.Builder> change) {
      Redis.Builder changed = Required.value(this.redis, "EdgechatConfig.redis").toBuilder();
      change.accept(changed);
      return redis(changed.build());
    }

    public Builder origin(Origin origin) {
      this.origin = origin;
      return this;
    }

    /** Changes some values of {@code origin} by name. */
    public Builder origin(Consumer<Origin.Builder> change) {
      Origin.Builder changed = Required.value(this.origin, "EdgechatConfig.origin").toBuilder();
      change.accept(changed);
      return origin(changed.build());
    }

    public Builder edge(Edge edge) {
      this.edge = edge;
      return this;
    }

    /** Changes some values of {@code edge} by name. */
    public Builder edge(Consumer<Edge.Builder> change) {
      Edge.Builder changed = Required.value(this.edge, "EdgechatConfig.edge").toBuilder();
      change.accept(changed);
      return edge(changed.build());
    }

    public Builder llm(Llm llm) {
      this.llm = llm;
      return this;
    }

    /** Changes some values of {@code llm} by name. */
    public Builder llm(Consumer<Llm.Builder> change) {
      Llm.Builder changed = Required.value(this.llm, "EdgechatConfig.llm").toBuilder();
      change.accept(changed);
      return llm(changed.build());
    }

    public Builder features(Features features) {
      this.features = features;
      return this;
    }

    /** Changes some values of {@code features} by name. */
    public Builder features(Consumer<Features.Builder> change) {
      Features.Builder changed = Required.value(this.features, "EdgechatConfig.features").toBuilder();
      change.accept(changed);
      return features(changed.build());
    }

    public Builder cache(Cache cache) {
      this.cache = cache;
      return this;
    }

    /** Changes some values of {@code cache} by name. */
    public Builder cache(Consumer<Cache.Builder> change) {
      Cache.Builder changed = Required.value(this.cache, "EdgechatConfig.cache").toBuilder();
      change.accept(changed);
      return cache(changed.build());
    }

    public Builder embeddings(Embeddings embeddings) {
      this.embeddings = embeddings;
      return this;
    }

    /** Changes some values of {@code embeddings} by name. */
    public Builder embeddings(Consumer<Embeddings.Builder> change) {
      Embeddings.Builder changed = Required.value(this.embeddings, "EdgechatConfig.embeddings").toBuilder();
      change.accept(changed);
      return embeddings(changed.build());
    }

    public Builder queue(Queue queue) {
      this.queue = queue;
      return this;
    }

    /** Changes some values of {@code queue} by name. */
    public Builder queue(Consumer<Queue.Builder> change) {
      Queue.Builder changed = Required.value(this.queue, "EdgechatConfig.queue").toBuilder();
      change.accept(changed);
      return queue(changed.build());
    }

    public Builder knowledge(Knowledge knowledge) {
      this.knowledge = knowledge;
      return this;
    }

    /** Changes some values of {@code knowledge} by name. */
    public Builder knowledge(Consumer<Knowledge.Builder> change) {
      Knowledge.Builder changed = Required.value(this.knowledge, "EdgechatConfig.knowledge").toBuilder();
      change.accept(changed);
      return knowledge(changed.build());
    }

    public Builder sim(SimSettings sim) {
      this.sim = sim;
      return this;
    }

    /** Changes some values of {@code sim} by name. */
    public Builder sim(Consumer<SimSettings.Builder> change) {
      SimSettings.Builder changed = Required.value(this.sim, "EdgechatConfig.sim").toBuilder();
      change.accept(changed);
      return sim(changed.build());
    }

    public Builder gateway(Gateway gateway) {
      this.gateway = gateway;
      return this;
    }

    /** Changes some values of {@code gateway} by name. */
    public Builder gateway(Consumer<Gateway.Builder> change) {
      Gateway.Builder changed = Required.value(this.gateway, "EdgechatConfig.gateway").toBuilder();
      change.accept(changed);
      return gateway(changed.build());
    }

    public Builder limits(LimitSettings limits) {
      this.limits = limits;
      return this;
    }

    /** Changes some values of {@code limits} by name. */
    public Builder limits(Consumer<LimitSettings.Builder> change) {
      LimitSettings.Builder changed = Required.value(this.limits, "EdgechatConfig.limits").toBuilder();
      change.accept(changed);
      return limits(changed.build());
    }

    public Builder tracing(TracingSettings tracing) {
      this.tracing = tracing;
      return this;
    }

    /** Changes some values of {@code tracing} by name. */
    public Builder tracing(Consumer<TracingSettings.Builder> change) {
      TracingSettings.Builder changed = Required.value(this.tracing, "EdgechatConfig.tracing").toBuilder();
      change.accept(changed);
      return tracing(changed.build());
    }

    public Builder secrets(Secrets secrets) {
      this.secrets = secrets;
      return this;
    }

    /** Changes some values of {@code secrets} by name. */
    public Builder secrets(Consumer<Secrets.Builder> change) {
      Secrets.Builder changed = Required.value(this.secrets, "EdgechatConfig.secrets").toBuilder();
      change.accept(changed);
      return secrets(changed.build());
    }

    public EdgechatConfig build() {
      return new EdgechatConfig(
          Required.value(region, "EdgechatConfig.region"),
          Required.value(dataDir, "EdgechatConfig.dataDir"),
          Required.value(scanPeriodMs, "EdgechatConfig.scanPeriodMs"),
          Required.value(http, "EdgechatConfig.http"),
          Required.value(postgres, "EdgechatConfig.postgres"),
          Required.value(redis, "EdgechatConfig.redis"),
          Required.value(origin, "EdgechatConfig.origin"),
          Required.value(edge, "EdgechatConfig.edge"),
          Required.value(llm, "EdgechatConfig.llm"),
          Required.value(features, "EdgechatConfig.features"),
          Required.value(cache, "EdgechatConfig.cache"),
          Required.value(embeddings, "EdgechatConfig.embeddings"),
          Required.value(queue, "EdgechatConfig.queue"),
          Required.value(knowledge, "EdgechatConfig.knowledge"),
          Required.value(sim, "EdgechatConfig.sim"),
          Required.value(gateway, "EdgechatConfig.gateway"),
          Required.value(limits, "EdgechatConfig.limits"),
          Required.value(tracing, "EdgechatConfig.tracing"),
          Required.value(secrets, "EdgechatConfig.secrets"));
    }
  }
}
