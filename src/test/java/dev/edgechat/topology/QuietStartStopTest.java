package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.TestDatabases;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each split role as a process of its own (sim, origin, worker, edge: {@link RoleProcess}, as the
 * topology runs them), configured as documented, started until ready and stopped with SIGTERM: the
 * logs of a clean start and stop hold no warning, in logback's format or java.util.logging's, and
 * every role says it is ready (issue 21, item 7).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuietStartStopTest {

  private static final Duration READY = Duration.ofSeconds(120);
  private static final Duration GRACE = Duration.ofSeconds(40);

  @TempDir
  Path dir;

  private final List<RoleProcess> started = new ArrayList<>();

  @AfterEach
  void stopLeftovers() {
    started.forEach(RoleProcess::kill);
  }

  /** Verifies that sim, origin, worker and edge start and stop without one WARN line, and each logs "ready". */
  @Test
  void splitRoles_cleanStartAndStop_noWarning_issue21Item7() throws IOException {
    JavaCommand java = JavaCommand.current(List.of("-Xmx384m"));
    String postgres = TestDatabases.postgres().toString();
    String redis = TestDatabases.redis().toString();
    String edgeToken = "quiet-edge-token";

    RoleProcess sim = launch(java, "sim", Map.of());
    RoleProcess origin = launch(java, "origin", Map.of("EDGECHAT_POSTGRES_URL", postgres, "EDGECHAT_REDIS_URL", redis,
        "EDGECHAT_EDGE_TOKEN", edgeToken, "EDGECHAT_ADMIN_TOKEN", "quiet-admin-token",
        "EDGECHAT_LLM_BASE_URL", sim.url() + "/v1", "EDGECHAT_LLM_API_KEY", "sim"));
    RoleProcess worker = launch(java, "worker", Map.of("EDGECHAT_POSTGRES_URL", postgres, "EDGECHAT_REDIS_URL", redis,
        "EDGECHAT_ORIGIN_URL", origin.url().toString(), "EDGECHAT_EDGE_TOKEN", edgeToken));
    RoleProcess edge = launch(java, "edge", Map.of("EDGECHAT_ORIGIN_URL", origin.url().toString(),
        "EDGECHAT_EDGE_TOKEN", edgeToken, "EDGECHAT_REDIS_URL", redis));

    // last started, first stopped, as the topology and an orchestrator do
    for (RoleProcess role : List.of(edge, worker, origin, sim)) {
      assertThat(role.stop(GRACE)).as("%s's exit code%s", role.describe(), OsCommand.tail(role.log())).isIn(0, 143);
    }
    Map<String, RoleProcess> roles = Map.of("sim", sim, "origin", origin, "worker", worker, "edge", edge);
    roles.forEach((name, role) -> {
      List<String> lines = lines(role.log());
      assertThat(lines).as("%s's log", name).anyMatch(line -> line.contains(name + " ready"))
          .anyMatch(line -> line.contains("stopped [role: " + name));
      assertThat(lines).as("%s's log", name)
          .noneMatch(line -> line.contains(" WARN ") || line.startsWith("WARNING:") || line.contains(" ERROR ")
              || line.startsWith("SEVERE:"));
    });
  }

  /**
   * Verifies that an edge stopped the moment it is ready, while its semantic model is still loading
   * in the background, stops cleanly each time: ONNX Runtime releases its native environment in a
   * shutdown hook of its own, and a stop run from the JVM's hooks met that release mid-load (exit
   * 134, SIGABRT, about one CI run in seven). Three edges in a row, each with its own log.
   */
  @Test
  void edge_stoppedWhileItsModelLoads_exitsCleanly() {
    JavaCommand java = JavaCommand.current(List.of("-Xmx384m"));
    String redis = TestDatabases.redis().toString();
    String edgeToken = "quiet-edge-token";
    RoleProcess sim = launch(java, "sim", Map.of());
    RoleProcess origin = launch(java, "origin", Map.of("EDGECHAT_POSTGRES_URL", TestDatabases.postgres().toString(),
        "EDGECHAT_REDIS_URL", redis, "EDGECHAT_EDGE_TOKEN", edgeToken,
        "EDGECHAT_LLM_BASE_URL", sim.url() + "/v1", "EDGECHAT_LLM_API_KEY", "sim"));
    for (int i = 1; i <= 3; i++) {
      RoleProcess edge = launch(java, "edge", "edge-" + i, Map.of("EDGECHAT_ORIGIN_URL", origin.url().toString(),
          "EDGECHAT_EDGE_TOKEN", edgeToken, "EDGECHAT_REDIS_URL", redis));
      assertThat(edge.stop(GRACE)).as("edge %d's exit code%s", i, OsCommand.tail(edge.log())).isIn(0, 143);
      assertThat(lines(edge.log())).as("edge %d's log", i).anyMatch(line -> line.contains("stopped [role: edge"));
    }
  }

  private RoleProcess launch(JavaCommand java, String role, Map<String, String> settings) {
    return launch(java, role, role, settings);
  }

  private RoleProcess launch(JavaCommand java, String role, String folder, Map<String, String> settings) {
    int port = LoopbackPorts.free();
    Map<String, String> environment = new HashMap<>(settings);
    environment.put("EDGECHAT_HTTP_PORT", String.valueOf(port));
    environment.put("EDGECHAT_HTTP_HOST", "127.0.0.1");
    RoleProcess process = RoleProcess.launch(java, role, "local", port, environment, dir.resolve(folder));
    started.add(process);
    process.awaitReady(READY);
    return process;
  }

  private static List<String> lines(Path log) {
    try {
      return Files.readAllLines(log);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
