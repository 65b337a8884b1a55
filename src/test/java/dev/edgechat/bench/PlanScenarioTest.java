package dev.edgechat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CI smoke of {@code bench plan}: a few seconds of the scenario against in-process servers
 * (embedded Postgres and Redis, the sim made fast). It checks that the run ends and writes a
 * report that parses; it never judges the speed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PlanScenarioTest {

  /** Verifies that a short run of the plan scenario writes plan.md, plan.json and the SVG chart. */
  @Test
  void execute_shortRunWritesReport(@TempDir Path out) throws Exception {
    int exit = BenchCommand.execute(new String[] {"--scenario", "plan", "--rate", "4", "--phase-seconds", "1",
        "--drain-seconds", "5", "--only", "phase3,burst-async", "--burst", "20", "--first-token-ms", "20",
        "--tokens-per-second", "500", "--answer-tokens", "10", "--embedding-latency-ms", "5",
        "--out", out.toString()});

    assertThat(exit).isZero();
    JsonObject report = new JsonObject(Files.readString(out.resolve("plan.json")));
    assertThat(report.getJsonArray("phases")).extracting(p -> ((JsonObject) p).getString("name"))
        .containsExactly("baseline", "phase3", "burst-async");
    assertThat(report.getJsonArray("claims")).hasSize(10);
    assertThat(report.getJsonArray("phases").getJsonObject(0).getLong("succeeded")).isPositive();
    assertThat(Files.readString(out.resolve("plan.md"))).contains("## Plan vs. ours, per phase");
    assertThat(Files.readString(out.resolve("plan-latency.svg"))).startsWith("<svg").contains("polyline");
  }
}
