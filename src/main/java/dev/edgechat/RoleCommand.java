package dev.edgechat;

import dev.edgechat.config.ConfigException;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.ops.logging.LogContext;
import dev.edgechat.ops.logging.LogFormat;
import dev.edgechat.roles.EdgechatVertx;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat <role> [options]}: starts one role and runs until stopped. Each role is a command of
 * its own, so {@code edgechat <role> --help} lists what that role needs (the settings without which it
 * does not start) and accepts (the settings it reads, its flags): the sim's flags only under {@code sim}.
 * The texts follow {@link Application} and the role classes; edge-config/edgechat.yaml has every setting.
 */
abstract class RoleCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(RoleCommand.class);

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "folder of edgechat.yaml and <region>.yaml (default: $EDGECHAT_CONFIG_DIR or edge-config)")
  Path configDir;

  @Option(names = "--port", paramLabel = "PORT", description = "HTTP port of this process (overrides http.port)")
  Integer port;

  /** How long a stop asked for during the start waits for it to end before the process ends anyway. */
  private static final long START_WAIT_SECONDS = 30;

  private final Role role;

  RoleCommand(Role role) {
    this.role = role;
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    if (LogFormat.parse(env.get(LogFormat.VARIABLE)).isEmpty()) {
      // logback read it already (and wrote text): refuse like any bad setting
      System.err.println("edgechat: " + LogFormat.VARIABLE + ": expected text or json, got '"
          + env.get(LogFormat.VARIABLE) + "'");
      return 1;
    }
    // the lines before the settings are read name the role; the region follows once it is known
    LogContext.process(role.label(), null);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = EdgechatVertx.create(registry);
    LOG.debug("network transport [native: {}]", vertx.isNativeTransportEnabled());
    ConfigLoader loader = new ConfigLoader(vertx, configDir != null ? configDir : ConfigLoader.configDir(env), env);
    // SIGTERM and SIGINT: drain, then stop (Application#close), before the JVM's own shutdown
    // (ProcessStop says why). Installed before the start, so that a stop asked for the moment the
    // port answers (the start's last steps and the model's loading still under way) waits for the
    // start and then stops cleanly, instead of leaving the JVM to exit underneath them. The embedded
    // Postgres and Redis of role all register no hook of their own (they would stop at once, beside
    // this one): they stop last, in this stop, after the answers under way were saved.
    CompletableFuture<Application> started = new CompletableFuture<>();
    CompletableFuture<Void> ended = ProcessStop.install(() -> {
      Application app;
      try {
        app = started.get(START_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException | InterruptedException e) {
        return; // it did not start: what it had begun was closed where the start failed
      } catch (TimeoutException e) {
        LOG.warn("stopped while still starting [role: {}, after: {} s]", role.label(), START_WAIT_SECONDS);
        return; // a start that hangs must not keep the process from ending
      }
      long began = System.nanoTime();
      LOG.info("draining [role: {}, at most: {} ms]", role.label(), app.stopBoundMs());
      loader.close();
      try {
        app.close().toCompletionStage().toCompletableFuture().get(app.stopBoundMs(), TimeUnit.MILLISECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("stopped [role: {}, took: {} ms]", role.label(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
      } catch (Exception e) {
        LOG.warn("stop did not finish cleanly", e);
      }
    });
    try {
      LiveConfig config = loader.load().toCompletionStage().toCompletableFuture().get();
      EdgechatConfig.Builder flagged = config.get().toBuilder();
      if (port != null) {
        flagged.http(h -> h.port(port));
      }
      applyFlags(flagged);
      config.replace(flagged.build());
      LogContext.process(role.label(), config.get().region());
      started.complete(Application.start(vertx, registry, config, role).toCompletionStage().toCompletableFuture().get());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException) {
        System.err.println("edgechat: " + cause.getMessage());
      } else {
        LOG.error("edgechat did not start [role: {}]", role.label(), cause);
      }
      loader.close();
      vertx.close();
      started.completeExceptionally(cause);
      return 1;
    } catch (InterruptedException | RuntimeException e) {
      started.completeExceptionally(e);
      throw e;
    }
    ended.join();
    return 0;
  }

  /** The role's own flags, which win over every settings layer; none but the sim's. */
  void applyFlags(EdgechatConfig.Builder settings) {
  }

  @Command(name = "all", mixinStandardHelpOptions = true,
      header = "edge, origin and the queue's jobs in one process; embedded Postgres and Redis unless URLs are set (default)", sortOptions = false, usageHelpWidth = 120,
      description = {
          "Edge, origin and the queue's jobs in one process (the default role): the demo page, chat API, widget,",
          "gateway and admin API on http.port; origin on 127.0.0.1:origin.internalPort."},
      footerHeading = "%n",
      footer = {
          "Needs: nothing. Postgres and Redis are embedded (data in dataDir) unless set; the slim jar has neither,",
          "  there it needs both.",
          "Accepts (environment; edge-config/edgechat.yaml has every setting and its default):",
          "  EDGECHAT_POSTGRES_URL        postgres.url: use this Postgres instead of the embedded one",
          "  EDGECHAT_REDIS_URL           redis.url: use this Redis (cache and queue) instead of the embedded one",
          "  EDGECHAT_ADMIN_TOKEN         bearer token of the admin API; unset -> admin API off",
          "  EDGECHAT_LLM_API_KEY         upstream LLM key (EDGECHAT_LLM_BASE_URL: llm.baseUrl); unset -> extractive",
          "  EDGECHAT_GATEWAY_KEYS        keys of the OpenAI-compatible API; unset -> it answers 401",
          "  EDGECHAT_EMBEDDINGS_API_KEY  key of remote embeddings (embeddings.provider: remote)",
          "  settings: dataDir, http.*, edge.*, cache.*, gateway.*, origin.*, knowledge.*, embeddings.*, llm.*, queue.*"})
  static final class All extends RoleCommand {
    All() {
      super(Role.ALL);
    }
  }

  @Command(name = "edge", mixinStandardHelpOptions = true,
      header = "chat API, widget, answer cache and gateway; asks origin on a miss, relays the admin API to it", sortOptions = false, usageHelpWidth = 120,
      description = {
          "The widget, the chat API (/v1/chat), the answer cache and the OpenAI-compatible gateway on http.port;",
          "asks origin on a miss, and relays the admin API (/admin/*) to origin (on Fly: 421 + fly-replay)."},
      footerHeading = "%n",
      footer = {
          "Needs:",
          "  EDGECHAT_ORIGIN_URL          origin.url: where origin listens (or region=url,region=url)",
          "  EDGECHAT_EDGE_TOKEN          the secret shared by edges and origin",
          "Accepts (environment; edge-config/edgechat.yaml has every setting and its default):",
          "  EDGECHAT_REDIS_URL           redis.url: the region's cache Redis; unset -> answers cached in-process only",
          "  EDGECHAT_GATEWAY_KEYS        keys of the OpenAI-compatible API; unset -> it answers 401",
          "  EDGECHAT_REGION              region (else FLY_REGION); on Fly, edge.primaryRegion (PRIMARY_REGION)",
          "  settings: http.*, edge.*, cache.*, gateway.*"})
  static final class Edge extends RoleCommand {
    Edge() {
      super(Role.EDGE);
    }
  }

  @Command(name = "origin", mixinStandardHelpOptions = true,
      header = "Postgres, retrieval, prompt, LLM stream, conversations, the admin API", sortOptions = false, usageHelpWidth = 120,
      description = {
          "Owns Postgres: retrieval, prompt, the LLM stream and conversations behind the edges, and the admin API",
          "(/admin/*), on http.port. Migrates the schema at start."},
      footerHeading = "%n",
      footer = {
          "Needs:",
          "  EDGECHAT_POSTGRES_URL        postgres.url: the primary",
          "  EDGECHAT_EDGE_TOKEN          the secret shared by edges and origin",
          "Accepts (environment; edge-config/edgechat.yaml has every setting and its default):",
          "  EDGECHAT_QUEUE_REDIS_URL     queue.redisUrl (else EDGECHAT_REDIS_URL): the job queue; without one there",
          "                               is no admin API and no asynchronous chat",
          "  EDGECHAT_REDIS_URL           redis.url: caches embeddings",
          "  EDGECHAT_ADMIN_TOKEN         bearer token of the admin API; unset -> admin API off",
          "  EDGECHAT_POSTGRES_REPLICA_URLS  postgres.replicaUrls: read replicas",
          "  EDGECHAT_LLM_API_KEY         upstream LLM key (EDGECHAT_LLM_BASE_URL: llm.baseUrl); unset -> extractive",
          "  EDGECHAT_EMBEDDINGS_API_KEY  key of remote embeddings (embeddings.provider: remote)",
          "  settings: http.*, postgres.*, origin.*, knowledge.*, embeddings.* (the same as the worker's), llm.*"})
  static final class Origin extends RoleCommand {
    Origin() {
      super(Role.ORIGIN);
    }
  }

  @Command(name = "worker", mixinStandardHelpOptions = true,
      header = "runs the job queue's jobs: document ingestion, asynchronous chat", sortOptions = false, usageHelpWidth = 120,
      description = {
          "Runs the job queue's jobs: document ingestion (chunk, embed, index into Postgres) and asynchronous",
          "chat (through origin); serves only /healthz, /readyz and /metrics on http.port. Migrates the schema."},
      footerHeading = "%n",
      footer = {
          "Needs:",
          "  EDGECHAT_POSTGRES_URL        postgres.url: the primary",
          "  EDGECHAT_QUEUE_REDIS_URL     queue.redisUrl, else EDGECHAT_REDIS_URL: the job queue",
          "Accepts (environment; edge-config/edgechat.yaml has every setting and its default):",
          "  EDGECHAT_ORIGIN_URL          origin.url: for asynchronous chat jobs (then EDGECHAT_EDGE_TOKEN is needed)",
          "  EDGECHAT_EDGE_TOKEN          the secret shared by edges and origin",
          "  EDGECHAT_REDIS_URL           redis.url: caches embeddings",
          "  EDGECHAT_EMBEDDINGS_API_KEY  key of remote embeddings (embeddings.provider: remote)",
          "  settings: http.*, postgres.*, queue.*, knowledge.*, embeddings.* (the same as origin's)"})
  static final class Worker extends RoleCommand {
    Worker() {
      super(Role.WORKER);
    }
  }

  @Command(name = "sim", mixinStandardHelpOptions = true,
      header = "OpenAI-compatible upstream simulator for demos, tests and load tests", sortOptions = false, usageHelpWidth = 120,
      description = {
          "An OpenAI-compatible upstream simulator (/v1/chat/completions, /v1/embeddings) on http.port, for demos,",
          "tests and load tests: point llm.baseUrl at http://127.0.0.1:<port>/v1 with any API key."},
      footerHeading = "%n",
      footer = {
          "Needs: nothing.",
          "Accepts: the flags above, which win over the settings sim.* (edge-config/edgechat.yaml), and http.*."})
  static final class Sim extends RoleCommand {

    @Option(names = "--first-token-ms", description = "time to first token (sim.firstTokenMs)")
    private Integer firstTokenMs;

    @Option(names = "--tokens-per-second", description = "streaming rate (sim.tokensPerSecond)")
    private Double tokensPerSecond;

    @Option(names = "--answer-tokens", description = "tokens per answer (sim.answerTokens)")
    private Integer answerTokens;

    @Option(names = "--answer-spread",
        description = "answer lengths vary by this share around --answer-tokens (sim.answerSpread)")
    private Double answerSpread;

    @Option(names = "--embedding-latency-ms", description = "latency of an embeddings call (sim.embeddingLatencyMs)")
    private Integer embeddingLatencyMs;

    @Option(names = "--error-rate", description = "share of chat calls answered 500 (sim.errorRate)")
    private Double errorRate;

    @Option(names = "--stall-rate", description = "share of streams that go silent (sim.stallRate)")
    private Double stallRate;

    @Option(names = "--cut-rate", description = "share of streams cut half way (sim.cutRate)")
    private Double cutRate;

    Sim() {
      super(Role.SIM);
    }

    @Override
    void applyFlags(EdgechatConfig.Builder settings) {
      settings.sim(s -> {
        if (firstTokenMs != null) {
          s.firstTokenMs(firstTokenMs);
        }
        if (tokensPerSecond != null) {
          s.tokensPerSecond(tokensPerSecond);
        }
        if (answerTokens != null) {
          s.answerTokens(answerTokens);
        }
        if (embeddingLatencyMs != null) {
          s.embeddingLatencyMs(embeddingLatencyMs);
        }
        if (errorRate != null) {
          s.errorRate(errorRate);
        }
        if (stallRate != null) {
          s.stallRate(stallRate);
        }
        if (cutRate != null) {
          s.cutRate(cutRate);
        }
        if (answerSpread != null) {
          s.answerSpread(answerSpread);
        }
      });
    }
  }
}
