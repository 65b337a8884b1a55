package dev.edgechat;

import dev.edgechat.bench.BenchCommand;
import dev.edgechat.config.Artifact;
import dev.edgechat.config.ConfigException;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Migrations;
import dev.edgechat.roles.EdgechatVertx;
import dev.edgechat.topology.TopologyCommand;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code java -jar edgechat.jar [all|edge|origin|sim] [options]}: starts one role and runs until stopped. */
@Command(name = "edgechat", mixinStandardHelpOptions = true, version = "edgechat 0.1",
    description = {
        "Backend and widget for embeddable AI chat. One jar, several roles:",
        "  all     edge + origin in one process; embedded Postgres and Redis unless URLs are set (default)",
        "  edge    chat API and widget; forwards misses to origin (needs EDGECHAT_ORIGIN_URL, EDGECHAT_EDGE_TOKEN)",
        "  origin  retrieval, prompt, LLM stream, conversations (needs EDGECHAT_POSTGRES_URL, EDGECHAT_EDGE_TOKEN)",
        "  worker  runs the job queue's jobs (needs EDGECHAT_QUEUE_REDIS_URL or EDGECHAT_REDIS_URL)",
        "  sim     OpenAI-compatible upstream simulator for demos, tests and load tests",
        "  bench   load generator against a running edge (and sim): see `edgechat bench --help`",
        "  topology  the edge network as deployed, real processes on this machine: see `edgechat topology --help`",
        "  migrate   apply the database migrations to EDGECHAT_POSTGRES_URL and exit (Fly's release_command)",
        "Settings: edge-config/edgechat.yaml, edge-config/<region>.yaml, EDGECHAT_* environment variables."},
    sortOptions = false, usageHelpWidth = 120)
public final class Main implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @Parameters(index = "0", arity = "0..1", defaultValue = "all", paramLabel = "ROLE",
      description = "all, edge, origin, worker or sim (default: ${DEFAULT-VALUE})")
  private String role;

  @Option(names = "--config-dir", paramLabel = "DIR",
      description = "folder of edgechat.yaml and <region>.yaml (default: $EDGECHAT_CONFIG_DIR or edge-config)")
  private Path configDir;

  @Option(names = "--port", paramLabel = "PORT", description = "public HTTP port (overrides http.port)")
  private Integer port;

  @Option(names = "--first-token-ms", description = "sim: time to first token")
  private Integer firstTokenMs;

  @Option(names = "--tokens-per-second", description = "sim: streaming rate")
  private Double tokensPerSecond;

  @Option(names = "--answer-tokens", description = "sim: tokens per answer")
  private Integer answerTokens;

  @Option(names = "--embedding-latency-ms", description = "sim: latency of an embeddings call")
  private Integer embeddingLatencyMs;

  @Option(names = "--answer-spread", description = "sim: answer lengths vary by this share around --answer-tokens")
  private Double answerSpread;

  @Option(names = "--error-rate", description = "sim: share of chat calls answered 500")
  private Double errorRate;

  @Option(names = "--stall-rate", description = "sim: share of streams that go silent")
  private Double stallRate;

  @Option(names = "--cut-rate", description = "sim: share of streams cut half way")
  private Double cutRate;

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("bench") && !Artifact.holds("dev.edgechat.bench.BenchCommand")) {
      System.err.println("edgechat: the bench is not in this artifact (edgechat-slim.jar, for deployments);"
          + " run it from the developer's jar: java -jar edgechat.jar bench --help");
      System.exit(2);
    }
    int exit = args.length > 0 && args[0].equals("bench")
        ? BenchCommand.execute(Arrays.copyOfRange(args, 1, args.length))
        : args.length > 0 && args[0].equals("topology")
        ? TopologyCommand.execute(Arrays.copyOfRange(args, 1, args.length))
        : args.length == 1 && args[0].equals("migrate")
        ? migrate()
        : new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  @Override
  public Integer call() throws Exception {
    Role chosen;
    try {
      chosen = Role.valueOf(role.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      System.err.println("edgechat: unknown role '" + role + "'; expected all, edge, origin, worker or sim (see --help)");
      return 2;
    }
    Map<String, String> env = System.getenv();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = EdgechatVertx.create(registry);
    LOG.debug("network transport [native: {}]", vertx.isNativeTransportEnabled());
    ConfigLoader loader = new ConfigLoader(vertx, configDir != null ? configDir : ConfigLoader.configDir(env), env);
    Application app;
    try {
      LiveConfig config = loader.load().toCompletionStage().toCompletableFuture().get();
      config.replace(withFlags(config.get()));
      app = Application.start(vertx, registry, config, chosen).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException) {
        System.err.println("edgechat: " + cause.getMessage());
      } else {
        LOG.error("edgechat did not start [role: {}]", chosen.label(), cause);
      }
      loader.close();
      vertx.close();
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // SIGTERM and SIGINT: drain, then stop (Application#close). The embedded Postgres and Redis of
    // role all register no hook of their own (they would stop at once, beside this one): they stop
    // last, in this hook, after the answers under way were saved.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      long began = System.nanoTime();
      LOG.info("draining [role: {}, at most: {} ms]", chosen.label(), app.stopBoundMs());
      loader.close();
      try {
        app.close().toCompletionStage().toCompletableFuture().get(app.stopBoundMs(), TimeUnit.MILLISECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        LOG.info("stopped [role: {}, took: {} ms]", chosen.label(),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));
      } catch (Exception e) {
        LOG.warn("stop did not finish cleanly", e);
      }
      stopped.countDown();
    }, "edgechat-shutdown"));
    stopped.await();
    return 0;
  }

  /**
   * {@code edgechat migrate}: applies the database migrations to {@code postgres.url} and exits, so a
   * deployment runs them once before any new process starts (Fly's {@code release_command}); the roles
   * that migrate at start (origin, worker) then find nothing to do. Exit 0 when the schema is current.
   */
  private static int migrate() {
    Map<String, String> env = System.getenv();
    Vertx vertx = Vertx.vertx();
    ConfigLoader loader = new ConfigLoader(vertx, ConfigLoader.configDir(env), env);
    try {
      EdgechatConfig settings = loader.load().toCompletionStage().toCompletableFuture().get().get();
      java.net.URI url = settings.postgres().url().orElseThrow(() -> new ConfigException(
          "setting postgres.url (EDGECHAT_POSTGRES_URL) is required for migrate"));
      Migrations.migrate(url);
      LOG.info("migrations applied [postgres: {}:{}]", url.getHost(), url.getPort());
      return 0;
    } catch (ConfigException e) {
      System.err.println("edgechat: " + e.getMessage());
      return 1;
    } catch (ExecutionException e) {
      System.err.println("edgechat: " + e.getCause().getMessage());
      return 1;
    } catch (RuntimeException | InterruptedException e) {
      System.err.println("edgechat: migrations failed: " + e.getMessage());
      LOG.debug("migrations failed", e);
      return 1;
    } finally {
      loader.close();
      vertx.close();
    }
  }

  /** Command-line flags win over every settings layer. */
  private EdgechatConfig withFlags(EdgechatConfig c) {
    EdgechatConfig.Builder flagged = c.toBuilder();
    if (port != null) {
      flagged.http(h -> h.port(port));
    }
    flagged.sim(s -> {
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
    return flagged.build();
  }
}
