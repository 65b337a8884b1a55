package dev.edgechat.support;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts roles in-process the way {@code java -jar} does, on port 0, against the shared test
 * databases. Settings come from an environment map, as in production.
 */
public final class TestSystem {

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, String> env = new HashMap<>();
  private Path configDir;

  public TestSystem(Vertx vertx) {
    this.vertx = vertx;
    env.put("EDGECHAT_HTTP_PORT", "0");
    env.put("EDGECHAT_HTTP_INSTANCES", "2");
    env.put("EDGECHAT_CONFIG_SCAN_PERIOD_MS", "0");
    // every test class of a run shares the test Redis and chats from 127.0.0.1: the abuse limits count
    // (the code runs in every test) but are far above what any test sends; limit tests set their own
    env.put("EDGECHAT_LIMITS_VISITOR_CHATS_PER_MINUTE", "1000000");
    env.put("EDGECHAT_LIMITS_IP_CHATS_PER_MINUTE", "1000000");
    env.put("EDGECHAT_LIMITS_IP_READS_PER_MINUTE", "1000000");
    env.put("EDGECHAT_LIMITS_SITE_DAILY_TOKENS", "0");
  }

  /** Sets an environment variable the next started role sees. */
  public TestSystem env(String name, String value) {
    env.put(name, value);
    return this;
  }

  /** Uses {@code dir} for edgechat.yaml and region files instead of an empty folder. */
  public TestSystem configDir(Path dir) {
    this.configDir = dir;
    return this;
  }

  /** Role all on the shared test Postgres and Redis, unless the environment names others. */
  public Future<Application> startAll() {
    env.putIfAbsent("EDGECHAT_POSTGRES_URL", TestDatabases.postgres().toString());
    env.putIfAbsent("EDGECHAT_REDIS_URL", TestDatabases.redis().toString());
    return start(Role.ALL);
  }

  /** Role all answering with the simulator at {@code simPort}. */
  public Future<Application> startAllWithSim(int simPort) {
    env.put("EDGECHAT_LLM_BASE_URL", "http://127.0.0.1:" + simPort + "/v1");
    env.put("EDGECHAT_LLM_API_KEY", "test-key");
    return startAll();
  }

  public Future<Application> start(Role role) {
    Path dir = configDir != null ? configDir : emptyDir();
    ConfigLoader loader = new ConfigLoader(vertx, dir, Map.copyOf(env));
    return loader.load().compose((LiveConfig config) -> Application.start(vertx, registry, config, role));
  }

  private static Path emptyDir() {
    try {
      return Files.createTempDirectory("edgechat-config");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
