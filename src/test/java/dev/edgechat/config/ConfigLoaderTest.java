package dev.edgechat.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.edgechat.cache.semantic.SemanticMatcher;
import dev.edgechat.support.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Settings: defaults, layers, validation and reload. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ConfigLoaderTest {

  @TempDir
  Path dir;

  private Future<LiveConfig> load(Vertx vertx, Map<String, String> env) {
    return new ConfigLoader(vertx, dir, env).load();
  }

  /** Verifies that with no files and no environment the documented defaults apply. */
  @Test
  void load_nothingSet_documentedDefaults(Vertx vertx, VertxTestContext ctx) {
    load(vertx, Map.of()).onComplete(ctx.succeeding(live -> ctx.verify(() -> {
      EdgechatConfig c = live.get();
      assertThat(c.http().port()).isEqualTo(8080);
      assertThat(c.region()).isEqualTo("local");
      assertThat(c.postgres().url()).isEmpty();
      assertThat(c.postgres().writerPoolSize()).isEqualTo(20);
      assertThat(c.postgres().maxReplicaLagMs()).isEqualTo(2000);
      assertThat(c.postgres().replicaWaitMs()).isEqualTo(250);
      assertThat(c.postgres().replicaPollMs()).isEqualTo(50);
      assertThat(c.edge().heartbeatMs()).isEqualTo(10_000);
      assertThat(c.llm().baseUrl().toString()).isEqualTo("https://api.openai.com/v1");
      assertThat(c.llm().model()).isEqualTo("gpt-4o-mini");
      assertThat(c.llm().firstTokenTimeoutMs()).isEqualTo(10_000);
      assertThat(c.llm().retries()).isEqualTo(3);
      assertThat(c.llm().breakerMaxFailures()).isEqualTo(10);
      assertThat(c.features().streaming()).isTrue();
      assertThat(c.secrets().llmApiKey()).isEmpty();
      // the threshold the labeled pairs choose (SemanticMatchEvaluationTest) is the one operators get
      assertThat(c.cache().semanticThreshold()).isEqualTo(SemanticMatcher.DEFAULT_THRESHOLD);
      assertThat(c.edge().resumeTtlMs()).isGreaterThanOrEqualTo(300_000);
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the embeddings settings: local by default, the remote endpoint defaulting to the LLM's,
   * its own key winning over the LLM's, and a bad provider failing by name.
   */
  @Test
  void load_embeddings_defaultsAndOverrides(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> defaults = load(vertx, Map.of("EDGECHAT_LLM_BASE_URL", "http://llm.internal:8000/v1",
        "EDGECHAT_LLM_API_KEY", "sk-llm"));
    Future<LiveConfig> remote = load(vertx, Map.of("EDGECHAT_EMBEDDINGS_PROVIDER", "remote",
        "EDGECHAT_EMBEDDINGS_BASE_URL", "http://embed.internal/v1", "EDGECHAT_EMBEDDINGS_BATCH_SIZE", "50",
        "EDGECHAT_LLM_API_KEY", "sk-llm", "EDGECHAT_EMBEDDINGS_API_KEY", "sk-embed"));
    Future<LiveConfig> bad = load(vertx, Map.of("EDGECHAT_EMBEDDINGS_PROVIDER", "cloud"));
    Future.join(defaults, remote, bad).onComplete(v -> ctx.verify(() -> {
      EdgechatConfig.Embeddings d = defaults.result().get().embeddings();
      assertThat(d.provider()).isEqualTo(EdgechatConfig.Embeddings.Provider.LOCAL);
      assertThat(d.baseUrl().toString()).isEqualTo("http://llm.internal:8000/v1");
      assertThat(d.model()).isEqualTo("text-embedding-3-small");
      assertThat(d.batchSize()).isEqualTo(20);
      assertThat(d.batchWindowMs()).isEqualTo(5);
      assertThat(d.cache()).isTrue();
      assertThat(d.cacheTtlMs()).isEqualTo(30L * 86_400_000);
      assertThat(defaults.result().get().secrets().embeddingsKey()).contains("sk-llm");
      EdgechatConfig r = remote.result().get();
      assertThat(r.embeddings().provider()).isEqualTo(EdgechatConfig.Embeddings.Provider.REMOTE);
      assertThat(r.embeddings().baseUrl().toString()).isEqualTo("http://embed.internal/v1");
      assertThat(r.embeddings().batchSize()).isEqualTo(50);
      assertThat(r.secrets().embeddingsKey()).contains("sk-embed");
      assertThat(r.secrets().toString()).doesNotContain("sk-embed");
      assertThat(bad.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("embeddings.provider")
          .hasMessageContaining("cloud");
      ctx.completeNow();
    }));
  }

  /** Verifies the layers: file over defaults, region file over file, environment over both. */
  @Test
  void load_layers_laterWins(Vertx vertx, VertxTestContext ctx) throws IOException {
    Files.writeString(dir.resolve("edgechat.yaml"), "edge:\n  heartbeatMs: 5000\n  maxMessageChars: 100\n");
    Files.writeString(dir.resolve("fra.yaml"), "edge:\n  maxMessageChars: 200\n");
    Map<String, String> env = Map.of(
        "EDGECHAT_REGION", "fra",
        "EDGECHAT_EDGE_HEARTBEAT_MS", "7000",
        "EDGECHAT_POSTGRES_REPLICA_URLS", "postgres://a:1/x, postgres://b:2/x",
        "EDGECHAT_LLM_API_KEY", "sk-secret",
        "EDGECHAT_HTTP_PORT", "9000");
    load(vertx, env).onComplete(ctx.succeeding(live -> ctx.verify(() -> {
      EdgechatConfig c = live.get();
      assertThat(c.region()).isEqualTo("fra");
      assertThat(c.edge().heartbeatMs()).isEqualTo(7000);
      assertThat(c.edge().maxMessageChars()).isEqualTo(200);
      assertThat(c.http().port()).isEqualTo(9000);
      assertThat(c.postgres().replicaUrls()).hasSize(2);
      assertThat(c.secrets().llmApiKey()).contains("sk-secret");
      assertThat(c.secrets().toString()).doesNotContain("sk-secret");
      ctx.completeNow();
    })));
  }

  /**
   * Verifies the queue settings: documented defaults, a type's concurrency from the environment, a
   * type a file adds, and a bad type name or backoff failing with the setting named.
   */
  @Test
  void load_queueSettings_defaultsLayersAndChecks(Vertx vertx, VertxTestContext ctx) throws IOException {
    Files.writeString(dir.resolve("edgechat.yaml"), "queue:\n  concurrency:\n    reindex: 3\n");
    Path bad = Files.createDirectory(dir.resolve("bad"));
    Files.writeString(bad.resolve("edgechat.yaml"), "queue:\n  concurrency:\n    Re_Index: 3\n");
    Future<LiveConfig> defaults = new ConfigLoader(vertx, dir.resolve("none"), Map.of()).load();
    Future<LiveConfig> layered = load(vertx, Map.of("EDGECHAT_QUEUE_CONCURRENCY_INGEST", "4",
        "EDGECHAT_QUEUE_REDIS_URL", "redis://queue:6379"));
    Future<LiveConfig> badType = new ConfigLoader(vertx, bad, Map.of()).load();
    Future<LiveConfig> badBackoff = load(vertx, Map.of("EDGECHAT_QUEUE_BACKOFF_MS", "600000"));
    Future.join(defaults, layered, badType, badBackoff).onComplete(v -> ctx.verify(() -> {
      EdgechatConfig.Queue q = defaults.result().get().queue();
      assertThat(q.concurrencyOf("ingest")).isEqualTo(2);
      assertThat(q.concurrencyOf("chat")).isEqualTo(8);
      assertThat(q.concurrencyOf("unlisted")).isEqualTo(1);
      assertThat(q.maxAttempts()).isEqualTo(5);
      assertThat(q.backoffMs()).isEqualTo(1000);
      assertThat(q.stalledMs()).isEqualTo(30_000);
      assertThat(q.keepCompleted()).isEqualTo(1000);
      assertThat(defaults.result().get().redis().queueUrl()).isEmpty();
      EdgechatConfig l = layered.result().get();
      assertThat(l.queue().concurrencyOf("ingest")).isEqualTo(4);
      assertThat(l.queue().concurrencyOf("reindex")).isEqualTo(3);
      assertThat(l.redis().queueUrl()).contains(java.net.URI.create("redis://queue:6379"));
      assertThat(badType.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("queue.concurrency.Re_Index");
      assertThat(badBackoff.cause()).hasMessageContaining("queue.backoffMs").hasMessageContaining("queue.maxBackoffMs");
      ctx.completeNow();
    }));
  }

  /** Verifies that a bad value fails the start with a message naming the setting and its variable. */
  @Test
  void load_badValues_failNamingTheSetting(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> tooManyConnections = load(vertx, Map.of("EDGECHAT_POSTGRES_WRITER_POOL_SIZE", "50"));
    Future<LiveConfig> notANumber = load(vertx, Map.of("EDGECHAT_HTTP_PORT", "eighty"));
    Future<LiveConfig> badUrl = load(vertx, Map.of("EDGECHAT_POSTGRES_URL", "mysql://u:hunter2@db/x"));
    Future.join(tooManyConnections, notANumber, badUrl).onComplete(v -> ctx.verify(() -> {
      assertThat(tooManyConnections.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("postgres.writerPoolSize").hasMessageContaining("EDGECHAT_POSTGRES_WRITER_POOL_SIZE")
          .hasMessageContaining("between 1 and 20");
      assertThat(notANumber.cause()).hasMessageContaining("http.port").hasMessageContaining("eighty");
      assertThat(badUrl.cause()).hasMessageContaining("postgres.url").hasMessageNotContaining("hunter2");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies cache.semanticMaxWrongShare: 0.03 by default, set by its variable, and a value outside
   * 0.001 to 0.5 failing the start by name.
   */
  @Test
  void load_semanticMaxWrongShare_defaultOverrideAndBounds(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> defaults = load(vertx, Map.of());
    Future<LiveConfig> set = load(vertx, Map.of("EDGECHAT_CACHE_SEMANTIC_MAX_WRONG_SHARE", "0.01"));
    Future<LiveConfig> tooHigh = load(vertx, Map.of("EDGECHAT_CACHE_SEMANTIC_MAX_WRONG_SHARE", "0.9"));
    Future<LiveConfig> zero = load(vertx, Map.of("EDGECHAT_CACHE_SEMANTIC_MAX_WRONG_SHARE", "0"));
    Future.join(defaults, set, tooHigh, zero).onComplete(v -> ctx.verify(() -> {
      assertThat(defaults.result().get().cache().semanticMaxWrongShare()).isEqualTo(0.03);
      assertThat(defaults.result().get().cache().semanticFollowUps()).isTrue();
      assertThat(set.result().get().cache().semanticMaxWrongShare()).isEqualTo(0.01);
      assertThat(tooHigh.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("cache.semanticMaxWrongShare").hasMessageContaining("between 0.001 and 0.5");
      assertThat(zero.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("cache.semanticMaxWrongShare");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies what Fly.io's variables set: FLY_REGION the region and edge.flyReplay, PRIMARY_REGION
   * edge.primaryRegion; off Fly neither is on; an explicit setting wins; a region name that could
   * not go into a fly-replay header fails naming the setting.
   */
  @Test
  void load_flyVariables_setRegionReplayAndPrimary(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> offFly = load(vertx, Map.of());
    Future<LiveConfig> onFly = load(vertx, Map.of("FLY_REGION", "sin", "PRIMARY_REGION", "fra"));
    Future<LiveConfig> optedOut = load(vertx, Map.of("FLY_REGION", "sin", "PRIMARY_REGION", "fra",
        "EDGECHAT_EDGE_FLY_REPLAY", "false", "EDGECHAT_EDGE_PRIMARY_REGION", "ams"));
    Future<LiveConfig> badPrimary = load(vertx, Map.of("PRIMARY_REGION", "fra;instance=1"));
    Future.join(offFly, onFly, optedOut, badPrimary).onComplete(v -> ctx.verify(() -> {
      assertThat(offFly.result().get().edge().flyReplay()).isFalse();
      assertThat(offFly.result().get().edge().primaryRegion()).isEmpty();
      assertThat(onFly.result().get().region()).isEqualTo("sin");
      assertThat(onFly.result().get().edge().flyReplay()).isTrue();
      assertThat(onFly.result().get().edge().primaryRegion()).isEqualTo("fra");
      assertThat(optedOut.result().get().edge().flyReplay()).isFalse();
      assertThat(optedOut.result().get().edge().primaryRegion()).isEqualTo("ams");
      assertThat(badPrimary.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("edge.primaryRegion");
      ctx.completeNow();
    }));
  }

  /** Verifies that settings valid alone but contradicting each other fail, naming both. */
  @Test
  void load_contradictorySettings_failNamingBoth(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> body = load(vertx, Map.of("EDGECHAT_HTTP_MAX_BODY_BYTES", "2048",
        "EDGECHAT_EDGE_MAX_MESSAGE_CHARS", "4000"));
    Future<LiveConfig> timeouts = load(vertx, Map.of("EDGECHAT_LLM_FIRST_TOKEN_TIMEOUT_MS", "90000"));
    Future<LiveConfig> replicaPolls = load(vertx, Map.of("EDGECHAT_POSTGRES_REPLICA_POLL_MS", "1500"));
    // each try within the edge's patience, but not all of them with their pauses: 6 x 10 s > 60 s
    Future<LiveConfig> tries = load(vertx, Map.of("EDGECHAT_LLM_RETRIES", "5"));
    Future<LiveConfig> gaps = load(vertx, Map.of("EDGECHAT_LLM_IDLE_TIMEOUT_MS", "60000"));
    Future.join(List.of(body, timeouts, replicaPolls, tries, gaps)).onComplete(v -> ctx.verify(() -> {
      assertThat(tries.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("llm.retries")
          .hasMessageContaining("llm.firstTokenTimeoutMs").hasMessageContaining("edge.originIdleTimeoutMs");
      assertThat(gaps.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("llm.idleTimeoutMs")
          .hasMessageContaining("edge.originIdleTimeoutMs");
      assertThat(replicaPolls.cause()).hasMessageContaining("postgres.replicaPollMs")
          .hasMessageContaining("postgres.maxReplicaLagMs");
      assertThat(body.cause()).hasMessageContaining("http.maxBodyBytes").hasMessageContaining("edge.maxMessageChars");
      assertThat(timeouts.cause()).hasMessageContaining("llm.firstTokenTimeoutMs")
          .hasMessageContaining("edge.originIdleTimeoutMs");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies the change feed's settings: their defaults, an edge that allows fewer than two
   * heartbeats of silence, and a change log that forgets purges sooner than answers can live, each
   * failing by name.
   */
  @Test
  void load_changeFeedSettings_defaultsAndChecks(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> defaults = load(vertx, Map.of());
    Future<LiveConfig> impatient = load(vertx, Map.of("EDGECHAT_EDGE_CHANGES_TIMEOUT_MS", "1500"));
    Future<LiveConfig> forgetful = load(vertx, Map.of("EDGECHAT_KNOWLEDGE_CHANGES_RETENTION_MS", "86400000"));
    Future<LiveConfig> shortLived = load(vertx, Map.of("EDGECHAT_KNOWLEDGE_CHANGES_RETENTION_MS", "86400000",
        "EDGECHAT_CACHE_STATIC_TTL_MS", "3600000", "EDGECHAT_CACHE_STALE_MS", "0"));
    Future.join(defaults, impatient, forgetful, shortLived).onComplete(v -> ctx.verify(() -> {
      EdgechatConfig c = defaults.result().get();
      assertThat(c.origin().changesHeartbeatMs()).isEqualTo(1_000);
      assertThat(c.edge().changesTimeoutMs()).isEqualTo(4_000);
      assertThat(c.knowledge().changesRetentionMs()).isEqualTo(7L * 86_400_000);
      assertThat(impatient.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("origin.changesHeartbeatMs").hasMessageContaining("edge.changesTimeoutMs");
      assertThat(forgetful.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("knowledge.changesRetentionMs").hasMessageContaining("cache.staleMs");
      assertThat(shortLived.succeeded()).as("a day keeps purges longer than answers of 1.1 h live").isTrue();
      ctx.completeNow();
    }));
  }

  /**
   * Verifies the abuse limits' settings: on by default with the documented values, trusted proxies
   * from a comma-separated variable, and a block that is not one failing the start by name.
   */
  @Test
  void load_limits_defaultsProxiesAndChecks(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> defaults = load(vertx, Map.of());
    Future<LiveConfig> behindFly = load(vertx, Map.of("EDGECHAT_LIMITS_TRUSTED_PROXIES", "172.16.0.0/12, 10.1.2.3"));
    Future<LiveConfig> badBlock = load(vertx, Map.of("EDGECHAT_LIMITS_TRUSTED_PROXIES", "172.16.0.0/33"));
    Future<LiveConfig> hostName = load(vertx, Map.of("EDGECHAT_LIMITS_TRUSTED_PROXIES", "proxy.internal"));
    Future<LiveConfig> negative = load(vertx, Map.of("EDGECHAT_LIMITS_VISITOR_CHATS_PER_MINUTE", "-1"));
    Future.join(defaults, behindFly, badBlock, hostName, negative).onComplete(v -> ctx.verify(() -> {
      LimitSettings limits = defaults.result().get().limits();
      assertThat(limits.enabled()).isTrue();
      assertThat(limits.visitorChatsPerMinute()).isEqualTo(20);
      assertThat(limits.ipChatsPerMinute()).isEqualTo(60);
      assertThat(limits.ipReadsPerMinute()).isEqualTo(300);
      assertThat(limits.siteDailyTokens()).isEqualTo(5_000_000);
      assertThat(limits.hitTokens()).isZero();
      assertThat(limits.estimatedMissTokens()).isEqualTo(2_000);
      assertThat(limits.trustedProxies()).isEmpty();
      assertThat(limits.redisTimeoutMs()).isEqualTo(50);
      assertThat(behindFly.result().get().limits().trustedProxies())
          .containsExactly(Cidr.parse("172.16.0.0/12"), Cidr.parse("10.1.2.3/32"));
      assertThat(badBlock.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("limits.trustedProxies").hasMessageContaining("EDGECHAT_LIMITS_TRUSTED_PROXIES")
          .hasMessageContaining("0 to 32");
      assertThat(hostName.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("limits.trustedProxies");
      assertThat(negative.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("limits.visitorChatsPerMinute");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies the tracing settings: off with a 10 % ratio by default, the endpoint from
   * OTEL_EXPORTER_OTLP_ENDPOINT unless EDGECHAT_TRACING_OTLP_ENDPOINT is set, and a ratio above 1 or
   * an endpoint that is no http(s) URL failing the start by name.
   */
  @Test
  void load_tracing_offByDefaultOtelEndpointAndChecks(Vertx vertx, VertxTestContext ctx) {
    Future<LiveConfig> defaults = load(vertx, Map.of());
    Future<LiveConfig> otel = load(vertx, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"));
    Future<LiveConfig> both = load(vertx, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
        "EDGECHAT_TRACING_OTLP_ENDPOINT", "https://traces.example:4318/"));
    Future<LiveConfig> ratio = load(vertx, Map.of("EDGECHAT_TRACING_SAMPLE_RATIO", "1.5"));
    Future<LiveConfig> scheme = load(vertx, Map.of("EDGECHAT_TRACING_OTLP_ENDPOINT", "grpc://collector:4317"));
    Future.join(defaults, otel, both, ratio, scheme).onComplete(v -> ctx.verify(() -> {
      TracingSettings off = defaults.result().get().tracing();
      assertThat(off.on()).isFalse();
      assertThat(off.sampleRatio()).isEqualTo(0.1);
      assertThat(otel.result().get().tracing().otlpEndpoint()).contains(URI.create("http://collector:4318"));
      assertThat(both.result().get().tracing().otlpEndpoint()).contains(URI.create("https://traces.example:4318/"));
      assertThat(ratio.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("tracing.sampleRatio");
      assertThat(scheme.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("tracing.otlpEndpoint");
      ctx.completeNow();
    }));
  }

  /** Verifies that a misspelt setting or a secret in a file fails the start instead of being ignored. */
  @Test
  void load_unknownSettingOrSecretInFile_fails(Vertx vertx, VertxTestContext ctx) throws IOException {
    Files.writeString(dir.resolve("edgechat.yaml"), "edge:\n  heartbeatMS: 5000\n");
    Path other = Files.createDirectory(dir.resolve("other"));
    Files.writeString(other.resolve("edgechat.yaml"), "llm:\n  apiKey: sk-oops\n");
    Future<LiveConfig> typo = load(vertx, Map.of());
    Future<LiveConfig> secret = new ConfigLoader(vertx, other, Map.of()).load();
    Future.join(typo, secret).onComplete(v -> ctx.verify(() -> {
      assertThat(typo.cause()).hasMessageContaining("edge.heartbeatMS").hasMessageContaining("not a setting");
      assertThat(secret.cause()).hasMessageContaining("llm.apiKey").hasMessageContaining("environment");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies that a [tunable] setting changed in the file applies without a restart, while a
   * setting that needs a restart keeps its value.
   */
  @Test
  void reload_tunableChanged_appliesWithoutRestart(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = dir.resolve("edgechat.yaml");
    Files.writeString(file, "config:\n  scanPeriodMs: 50\nedge:\n  maxMessageChars: 100\nhttp:\n  port: 8081\n");
    ConfigLoader loader = new ConfigLoader(vertx, dir, Map.of());
    loader.load()
        .compose(live -> {
          assertThat(live.get().edge().maxMessageChars()).isEqualTo(100);
          return vertx.fileSystem()
              .writeFile(file.toString(), io.vertx.core.buffer.Buffer.buffer(
                  "config:\n  scanPeriodMs: 50\nedge:\n  maxMessageChars: 20\nhttp:\n  port: 9999\n"))
              .compose(v -> Await.until(vertx, () -> Future.succeededFuture(live.get().edge().maxMessageChars() == 20),
                  10_000))
              .map(live);
        })
        .onComplete(ctx.succeeding(live -> ctx.verify(() -> {
          assertThat(live.get().edge().maxMessageChars()).isEqualTo(20);
          assertThat(live.get().http().port()).isEqualTo(8081);
          loader.close();
          ctx.completeNow();
        })));
  }

  /** Verifies that a reload with a bad value is refused and the settings in force stay. */
  @Test
  void reload_badValue_keepsSettings(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = dir.resolve("edgechat.yaml");
    Files.writeString(file, "config:\n  scanPeriodMs: 50\nedge:\n  heartbeatMs: 1000\n");
    ConfigLoader loader = new ConfigLoader(vertx, dir, Map.of());
    loader.load()
        .compose(live -> vertx.fileSystem()
            .writeFile(file.toString(), io.vertx.core.buffer.Buffer.buffer(
                "config:\n  scanPeriodMs: 50\nedge:\n  heartbeatMs: 99999\n  maxMessageChars: 30\n"))
            // a valid change made afterwards proves the watcher is still running
            .compose(v -> vertx.timer(300))
            .compose(v -> vertx.fileSystem().writeFile(file.toString(), io.vertx.core.buffer.Buffer.buffer(
                "config:\n  scanPeriodMs: 50\nedge:\n  heartbeatMs: 2000\n")))
            .compose(v -> Await.until(vertx, () -> Future.succeededFuture(live.get().edge().heartbeatMs() == 2000),
                10_000))
            .map(live))
        .onComplete(ctx.succeeding(live -> ctx.verify(() -> {
          assertThat(live.get().edge().heartbeatMs()).isEqualTo(2000);
          assertThat(live.get().edge().maxMessageChars()).isEqualTo(4000);
          loader.close();
          ctx.completeNow();
        })));
  }

  /** Verifies that a start with several bad values names every one of them at once, not only the first. */
  @Test
  void load_threeBadValues_reportsEachAtOnce_issue21Item5(Vertx vertx, VertxTestContext ctx) throws IOException {
    Files.writeString(dir.resolve("edgechat.yaml"), "edge:\n  heartbeatMS: 5000\n");
    load(vertx, Map.of("EDGECHAT_HTTP_PORT", "eighty", "EDGECHAT_POSTGRES_WRITER_POOL_SIZE", "500"))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(ConfigException.class).hasMessageContaining("3 settings are bad")
              .hasMessageContaining("edge.heartbeatMS").hasMessageContaining("not a setting")
              .hasMessageContaining("http.port (EDGECHAT_HTTP_PORT)").hasMessageContaining("eighty")
              .hasMessageContaining("postgres.writerPoolSize").hasMessageContaining("between 1 and 20");
          assertThat(((ConfigException) e).problems()).hasSize(3);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a contradiction between two settings is reported beside a bad value, and that one
   * involving a bad value (read as its default) is not.
   */
  @Test
  void load_badValueAndContradiction_reportsBoth_issue21Item5(Vertx vertx, VertxTestContext ctx) {
    load(vertx, Map.of("EDGECHAT_QUEUE_BACKOFF_MS", "60000", "EDGECHAT_QUEUE_MAX_BACKOFF_MS", "1000",
        "EDGECHAT_HTTP_MAX_BODY_BYTES", "lots", "EDGECHAT_EDGE_MAX_MESSAGE_CHARS", "100000"))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ConfigException) e).problems()).hasSize(2);
          assertThat(e).hasMessageContaining("http.maxBodyBytes (EDGECHAT_HTTP_MAX_BODY_BYTES)")
              .hasMessageContaining("settings queue.backoffMs (60000) and queue.maxBackoffMs (1000)")
              .hasMessageNotContaining("settings http.maxBodyBytes");
          ctx.completeNow();
        })));
  }

  /** Verifies that a reload with two bad values is refused naming both. */
  @Test
  void reload_twoBadValues_refusedNamingBoth_issue21Item5(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = dir.resolve("edgechat.yaml");
    Files.writeString(file, "config:\n  scanPeriodMs: 50\n");
    ListAppender<ILoggingEvent> log = capture();
    ConfigLoader loader = new ConfigLoader(vertx, dir, Map.of());
    loader.load()
        .compose(live -> vertx.fileSystem().writeFile(file.toString(), Buffer.buffer(
                "config:\n  scanPeriodMs: 50\nedge:\n  heartbeatMs: 99999\n  maxMessageChars: 0\n"))
            .compose(v -> Await.until(vertx, () -> Future.succeededFuture(refusal(log) != null), 10_000)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          String refused = refusal(log);
          assertThat(refused).contains("2 settings are bad", "edge.heartbeatMs (EDGECHAT_EDGE_HEARTBEAT_MS)",
              "edge.maxMessageChars (EDGECHAT_EDGE_MAX_MESSAGE_CHARS)");
          release(log);
          loader.close();
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a reload logs what changed since the settings in force, not since the start: a
   * second reload that changes another setting names only that one, and a restart-only setting
   * changed once is not named again.
   */
  @Test
  void reload_twice_logsChangesSincePrevious_issue21Item5(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = dir.resolve("edgechat.yaml");
    Files.writeString(file, "config:\n  scanPeriodMs: 50\n");
    ListAppender<ILoggingEvent> log = capture();
    ConfigLoader loader = new ConfigLoader(vertx, dir, Map.of());
    loader.load()
        .compose(live -> vertx.fileSystem().writeFile(file.toString(), Buffer.buffer(
                "config:\n  scanPeriodMs: 50\nedge:\n  maxMessageChars: 20\nhttp:\n  port: 9999\n"))
            .compose(v -> Await.until(vertx, () -> Future.succeededFuture(live.get().edge().maxMessageChars() == 20),
                10_000))
            .compose(v -> vertx.fileSystem().writeFile(file.toString(), Buffer.buffer(
                "config:\n  scanPeriodMs: 50\nedge:\n  maxMessageChars: 20\n  heartbeatMs: 2000\n"
                    + "http:\n  port: 9999\n")))
            .compose(v -> Await.until(vertx, () -> Future.succeededFuture(live.get().edge().heartbeatMs() == 2000),
                10_000)))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          List<String> lines = log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
          assertThat(lines).containsSubsequence("settings reloaded [applied: [edge.maxMessageChars]]",
              "settings reloaded [applied: [edge.heartbeatMs]]");
          assertThat(lines.stream().filter(l -> l.contains("apply only at the next start")))
              .containsExactly("settings changed that apply only at the next start [settings: [http.port]]");
          release(log);
          loader.close();
          ctx.completeNow();
        })));
  }

  private static ListAppender<ILoggingEvent> capture() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((Logger) LoggerFactory.getLogger(ConfigLoader.class)).addAppender(appender);
    return appender;
  }

  private static void release(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(ConfigLoader.class)).detachAppender(appender);
  }

  private static String refusal(ListAppender<ILoggingEvent> log) {
    return List.copyOf(log.list).stream().map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.startsWith("settings reload refused")).findFirst().orElse(null);
  }
}
