package dev.edgechat.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The logging set-up as {@code java -jar} meets it: logback.xml's format switch, and what a role
 * that cannot start prints. Each case is a JVM of its own, with only the environment given.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LogsProcessTest {

  /** Verifies that a missing required setting is one line naming it and its variable, with exit code 1. */
  @Test
  void start_missingRequiredSetting_oneLineAndExit1() throws Exception {
    Run run = run("edge", Map.of());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.stderr()).hasSize(1);
    assertThat(run.stderr().get(0)).isEqualTo("edgechat: setting origin.url (EDGECHAT_ORIGIN_URL) is required for role edge");
    assertThat(run.stdout()).as("no stack trace").noneMatch(line -> line.contains("Exception") || line.startsWith("\tat "));
  }

  /** Verifies that an unknown {@code EDGECHAT_LOG_FORMAT} is refused like a bad setting: one line, exit code 1. */
  @Test
  void start_unknownLogFormat_oneLineAndExit1() throws Exception {
    Run run = run("sim", Map.of("EDGECHAT_LOG_FORMAT", "xml"));
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.stderr()).containsExactly("edgechat: EDGECHAT_LOG_FORMAT: expected text or json, got 'xml'");
  }

  /**
   * Verifies that with {@code EDGECHAT_LOG_FORMAT=json} every line a role writes, from its first,
   * is a JSON object with timestamp, level, logger, thread, message and role, and the region once the
   * settings are read; the log variables are not taken for unknown settings; a bad setting after
   * that is still the one plain line on standard error.
   */
  @Test
  void start_jsonFormat_everyLineIsJsonWithRole() throws Exception {
    Run run = run("sim", Map.of("EDGECHAT_LOG_FORMAT", "json", "EDGECHAT_LOG_LEVEL", "DEBUG",
        "EDGECHAT_REGION", "ams", "EDGECHAT_HTTP_PORT", "0", "EDGECHAT_HTTP_METRICS_PORT", "70000"));
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.stdout()).as("DEBUG lines of the start").isNotEmpty();
    for (String text : run.stdout()) {
      JsonObject line = new JsonObject(text);
      assertThat(line.getString("timestamp")).as(text).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
      assertThat(line.getString("level")).as(text).isNotBlank();
      assertThat(line.getString("logger")).as(text).isNotBlank();
      assertThat(line.getString("thread")).as(text).isNotBlank();
      assertThat(line.getString("message")).as(text).isNotNull();
      assertThat(line.getString("role")).as(text).isEqualTo("sim");
      assertThat(line.getString("message")).as("the log variables are known").doesNotContain("matches no setting");
    }
    assertThat(run.stderr()).hasSize(1);
    assertThat(run.stderr().get(0)).startsWith("edgechat: setting http.metricsPort");
  }

  /** What a finished JVM printed, line by line, and its exit code. */
  private record Run(int exit, List<String> stdout, List<String> stderr) {
  }

  private static Run run(String role, Map<String, String> env) throws IOException, InterruptedException {
    String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
    Path dir = Files.createTempDirectory("edgechat-logs");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, "dev.edgechat.Main", role).directory(dir.toFile());
    builder.environment().clear();
    builder.environment().put("EDGECHAT_CONFIG_DIR", dir.toString());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    List<String> stderr = new ArrayList<>();
    Thread errors = new Thread(() -> stderr.addAll(lines(process.getErrorStream())));
    errors.start();
    List<String> stdout = lines(process.getInputStream());
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the process ended").isTrue();
    errors.join();
    return new Run(process.exitValue(), stdout, stderr);
  }

  private static List<String> lines(java.io.InputStream in) {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      return reader.lines().filter(line -> !line.isBlank()).toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
