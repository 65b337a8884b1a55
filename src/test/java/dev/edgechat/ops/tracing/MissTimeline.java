package dev.edgechat.ops.tracing;

import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where a miss's time goes before the model is asked, from the spans themselves: an OTLP receiver
 * (port {@code args[0]}) keeps what the edge and origin send for {@code args[1]} seconds, then prints,
 * over the traces whose edge server span says {@code miss}, each span's start and end as offsets from
 * that server span's start (p50 and p90, ms), in order of median start. A profiling tool, run by hand
 * beside a bench (docs/benchmarks.md, "The miss path"); not a test.
 */
public final class MissTimeline {

  private MissTimeline() {
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long seconds = Long.parseLong(args[1]);
    Vertx vertx = Vertx.vertx();
    OtlpReceiver receiver = OtlpReceiver.start(vertx, port).await();
    System.out.println("receiving on " + receiver.url() + " for " + seconds + " s");
    Thread.sleep(seconds * 1000);
    List<OtlpReceiver.Received> spans = receiver.spans();
    vertx.close().await();
    Map<String, List<OtlpReceiver.Received>> byTrace = spans.stream()
        .collect(Collectors.groupingBy(OtlpReceiver.Received::traceId));
    Map<String, List<double[]>> offsets = new LinkedHashMap<>();
    int misses = 0;
    for (List<OtlpReceiver.Received> trace : byTrace.values()) {
      OtlpReceiver.Received root = trace.stream()
          .filter(r -> r.span().getKind() == Span.SpanKind.SPAN_KIND_SERVER
              && r.name().contains("/v1/chat"))
          .findFirst().orElse(null);
      if (root == null || !"miss".equals(outcome(root))) {
        continue;
      }
      misses++;
      long zero = root.span().getStartTimeUnixNano();
      Map<String, Integer> seen = new TreeMap<>();
      List<OtlpReceiver.Received> inOrder = new ArrayList<>(trace);
      inOrder.sort(Comparator.comparingLong(r -> r.span().getStartTimeUnixNano()));
      for (OtlpReceiver.Received r : inOrder) {
        // role all names both sides of a hop alike: the kind tells the edge's call from origin's handling
        String kind = switch (r.span().getKind()) {
          case SPAN_KIND_SERVER -> " (server)";
          case SPAN_KIND_CLIENT -> " (client)";
          default -> "";
        };
        String name = r.service().replace("edgechat-", "") + " " + r.name() + kind;
        int n = seen.merge(name, 1, Integer::sum);
        if (n > 3) {
          continue;
        }
        String key = n == 1 ? name : name + " #" + n;
        offsets.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {
            (r.span().getStartTimeUnixNano() - zero) / 1e6, (r.span().getEndTimeUnixNano() - zero) / 1e6});
      }
    }
    System.out.printf(Locale.ROOT, "%d spans, %d traces, %d misses%n", spans.size(), byTrace.size(), misses);
    if (misses == 0) { // nothing matched: list what came (service, name, kind, attributes), to see why
      spans.stream().collect(Collectors.groupingBy(r -> r.service() + " | " + r.name() + " | " + r.span().getKind()
              + " | " + r.attributes().keySet(), TreeMap::new, Collectors.counting()))
          .forEach((k, n) -> System.out.println(n + "  " + k));
    }
    System.out.printf(Locale.ROOT, "%-55s %6s %8s %8s %8s %8s %8s%n", "span (service name)", "count", "start50",
        "start90", "end50", "end90", "dur50");
    offsets.entrySet().stream()
        .sorted(Comparator.comparingDouble(e -> percentile(e.getValue(), 0, 0.5)))
        .forEach(e -> {
          List<double[]> v = e.getValue();
          List<double[]> durations = v.stream().map(x -> new double[] {x[1] - x[0]}).toList();
          System.out.printf(Locale.ROOT, "%-55s %6d %8.2f %8.2f %8.2f %8.2f %8.2f%n", e.getKey(), v.size(),
              percentile(v, 0, 0.5), percentile(v, 0, 0.9), percentile(v, 1, 0.5), percentile(v, 1, 0.9),
              percentile(durations, 0, 0.5));
        });
  }

  private static String outcome(OtlpReceiver.Received span) {
    var value = span.attributes().get("edgechat.cache.outcome");
    return value == null ? null : value.getStringValue();
  }

  private static double percentile(List<double[]> values, int index, double p) {
    double[] sorted = values.stream().mapToDouble(x -> x[index]).sorted().toArray();
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }
}
