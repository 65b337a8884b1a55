package dev.edgechat.bench;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What an edge process holds at one moment: from the kernel ({@code /proc/<pid>/status} and
 * {@code /proc/<pid>/fd}, when the process runs on this machine and its id is known) and from the
 * JVM's own series on the edge's {@code /metrics} (Vert.x binds Micrometer's JVM meters). A figure
 * that could not be read is -1.
 *
 * @param rssBytes resident set ({@code VmRSS})
 * @param peakRssBytes the most resident so far ({@code VmHWM})
 * @param threads the process's threads ({@code Threads})
 * @param fds open file descriptors (sockets included)
 * @param heapUsedBytes {@code jvm_memory_used_bytes{area="heap"}}, all pools
 * @param heapCommittedBytes {@code jvm_memory_committed_bytes{area="heap"}}
 * @param nonHeapUsedBytes {@code jvm_memory_used_bytes{area="nonheap"}} (metaspace, code cache …)
 * @param directBytes {@code jvm_buffer_memory_used_bytes{id="direct"}} (Netty's pooled direct buffers among them)
 * @param gcPauses {@code jvm_gc_pause_seconds_count}, all collectors
 * @param gcPauseSeconds {@code jvm_gc_pause_seconds_sum}
 */
record EdgeProcessFigures(long rssBytes, long peakRssBytes, long threads, long fds, long heapUsedBytes,
    long heapCommittedBytes, long nonHeapUsedBytes, long directBytes, long gcPauses, double gcPauseSeconds) {

  /** Reads both sources; the metrics part is -1 when {@code /metrics} did not answer. Never fails. */
  static Future<EdgeProcessFigures> read(HttpClient client, String metricsUrl, Optional<Long> pid) {
    long[] proc = pid.map(EdgeProcessFigures::proc).orElse(new long[] {-1, -1, -1, -1});
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(metricsUrl)
            .setIdleTimeout(10_000))
        .compose(req -> req.send())
        .compose(response -> response.statusCode() == 200 ? response.body()
            : Future.failedFuture("status " + response.statusCode()))
        .map(body -> of(proc, body.toString()))
        .otherwise(e -> new EdgeProcessFigures(proc[0], proc[1], proc[2], proc[3], -1, -1, -1, -1, -1, -1));
  }

  /** The figures of {@link #proc(long)} and of a Prometheus text exposition. */
  static EdgeProcessFigures of(long[] proc, String metrics) {
    List<String> lines = metrics.lines().filter(l -> !l.startsWith("#")).toList();
    return new EdgeProcessFigures(proc[0], proc[1], proc[2], proc[3],
        (long) sum(lines, "jvm_memory_used_bytes", "area=\"heap\""),
        (long) sum(lines, "jvm_memory_committed_bytes", "area=\"heap\""),
        (long) sum(lines, "jvm_memory_used_bytes", "area=\"nonheap\""),
        (long) sum(lines, "jvm_buffer_memory_used_bytes", "id=\"direct\""),
        (long) sum(lines, "jvm_gc_pause_seconds_count", ""),
        sum(lines, "jvm_gc_pause_seconds_sum", ""));
  }

  /** The larger of each figure (peaks over samples). */
  EdgeProcessFigures max(EdgeProcessFigures other) {
    return new EdgeProcessFigures(Math.max(rssBytes, other.rssBytes), Math.max(peakRssBytes, other.peakRssBytes),
        Math.max(threads, other.threads), Math.max(fds, other.fds), Math.max(heapUsedBytes, other.heapUsedBytes),
        Math.max(heapCommittedBytes, other.heapCommittedBytes), Math.max(nonHeapUsedBytes, other.nonHeapUsedBytes),
        Math.max(directBytes, other.directBytes), Math.max(gcPauses, other.gcPauses),
        Math.max(gcPauseSeconds, other.gcPauseSeconds));
  }

  JsonObject toJson() {
    return new JsonObject().put("rssBytes", rssBytes).put("peakRssBytes", peakRssBytes).put("threads", threads)
        .put("fds", fds).put("heapUsedBytes", heapUsedBytes).put("heapCommittedBytes", heapCommittedBytes)
        .put("nonHeapUsedBytes", nonHeapUsedBytes).put("directBytes", directBytes).put("gcPauses", gcPauses)
        .put("gcPauseSeconds", gcPauseSeconds);
  }

  /** Sum of the samples of {@code name} (exactly, no suffix) whose labels contain {@code label}. */
  private static double sum(List<String> lines, String name, String label) {
    double total = 0;
    boolean found = false;
    for (String line : lines) {
      if (!line.startsWith(name) || line.length() <= name.length()) {
        continue;
      }
      char next = line.charAt(name.length());
      if ((next != '{' && next != ' ') || !line.contains(label)) {
        continue;
      }
      try {
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        found = true;
      } catch (NumberFormatException e) {
        // a sample this reader does not understand is left out
      }
    }
    return found ? total : -1;
  }

  /** VmRSS, VmHWM (bytes), Threads, open descriptors; -1 each when the process cannot be read. */
  static long[] proc(long pid) {
    long[] figures = {-1, -1, -1, -1};
    Path dir = Path.of("/proc", Long.toString(pid));
    try {
      for (String line : Files.readAllLines(dir.resolve("status"))) {
        String[] parts = line.split("\\s+");
        switch (parts[0]) {
          case "VmRSS:" -> figures[0] = Long.parseLong(parts[1]) * 1024;
          case "VmHWM:" -> figures[1] = Long.parseLong(parts[1]) * 1024;
          case "Threads:" -> figures[2] = Long.parseLong(parts[1]);
          default -> {
            // other lines are not reported
          }
        }
      }
      try (Stream<Path> fds = Files.list(dir.resolve("fd"))) {
        figures[3] = fds.count();
      }
    } catch (IOException | RuntimeException e) {
      // not on this machine, gone, or not ours to read: the figures stay -1
    }
    return figures;
  }
}
