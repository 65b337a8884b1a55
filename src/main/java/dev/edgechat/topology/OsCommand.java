package dev.edgechat.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program to its end (blocking), its output appended to a log file; waits on processes. */
final class OsCommand {

  private OsCommand() {
  }

  /**
   * Runs {@code command}; fails with the log's last lines when it exits non-zero or outlives {@code timeout}.
   * The output goes to a file, never a pipe: a server the command leaves running cannot block on it.
   */
  static void run(List<String> command, Path log, Duration timeout) {
    Process process;
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()))
          .redirectInput(Redirect.from(Path.of("/dev/null").toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", command), e);
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new TopologyException(String.join(" ", command) + " did not end within " + timeout.toSeconds() + " s"
            + tail(log));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new TopologyException("interrupted while running " + String.join(" ", command), e);
    }
    if (process.exitValue() != 0) {
      throw new TopologyException(String.join(" ", command) + " failed (exit " + process.exitValue() + ")" + tail(log));
    }
  }

  /** The last lines of {@code log}, for an error message: {@code "; log …:\n…"}, or nothing without a log. */
  static String tail(Path log) {
    try {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return "; last lines of " + log + ":\n  "
          + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException | UncheckedIOException e) {
      return "; see " + log;
    }
  }

  /** Waits up to {@code seconds} for {@code process} to exit; whether it did. */
  static boolean awaitExit(Process process, int seconds) {
    try {
      return process.waitFor(seconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Sleeps between two polls of a launcher's wait (never on an event loop). */
  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopologyException("interrupted", e);
    }
  }
}
