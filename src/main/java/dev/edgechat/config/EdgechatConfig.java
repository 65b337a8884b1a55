package dev.edgechat.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All settings of one process, validated. Built by {@link ConfigLoader}; see
 * {@code edge-config/edgechat.yaml} for what each one means and its default.
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
    Secrets secrets) {

  /** The public HTTP server. */
  public record Http(int port, String host, int instances, int maxBodyBytes, long drainTimeoutMs) {
  }

  /** Postgres; an empty {@code url} means "start an embedded one" in role {@code all}. */
  public record Postgres(Optional<URI> url, List<URI> replicaUrls, int writerPoolSize, int readerPoolSize,
      long connectTimeoutMs, int embeddedPort) {
  }

  /** Cache Redis and queue Redis; an empty cache url means "start an embedded one" in role {@code all}. */
  public record Redis(Optional<URI> url, Optional<URI> queueUrl, long connectTimeoutMs, int embeddedPort) {
  }

  /** The origin, as seen from an edge ({@code url}) and as a server ({@code internalPort}, tunables). */
  public record Origin(Optional<URI> url, int internalPort, int historyTurns, int passages, int maxAnswerChars,
      int writeBatchRows, long writeBatchMs) {
  }

  /** The edge's chat endpoint. */
  public record Edge(long heartbeatMs, int maxMessageChars, long siteCacheMs, long originConnectTimeoutMs,
      long originIdleTimeoutMs, long resumeTtlMs, long resumeGraceMs, int resumableHits) {
  }

  /** The OpenAI-compatible upstream. Without an API key, origin uses the offline extractive model. */
  public record Llm(URI baseUrl, String model, int maxTokens, double temperature, long connectTimeoutMs,
      long firstTokenTimeoutMs, int poolSize) {
  }

  /** The edge's answer cache: switches for each level and for coalescing, sizes and lifetimes. */
  public record Cache(boolean l1, boolean l2, boolean coalescing, long l1MaxBytes, long staticTtlMs,
      long dynamicTtlMs, long redisTimeoutMs, long staleMs, int followUps, boolean semantic, double semanticThreshold,
      int semanticCandidates, int semanticMaxEntries, int embedderThreads) {
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
  }

  /** The knowledge base at origin: how documents are chunked, which passages are good enough, the sweeper. */
  public record Knowledge(int chunkTokens, int chunkOverlapTokens, double minPassageScore, int maxUploadBytes,
      int maxDocumentChars, long sweepIntervalMs, long sweepAfterMs, long resyncMs) {
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
      int retries, long retryBackoffMs, int breakerMaxFailures, long breakerResetMs, int poolSize,
      long maxAnswerBytes, Map<String, GatewayProfile> profiles) {

    public Gateway {
      profiles = Map.copyOf(profiles);
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
  }

  /** Switches for each optimization, so the benchmark can measure what each one is worth. */
  public record Features(boolean streaming) {
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
  }
}
