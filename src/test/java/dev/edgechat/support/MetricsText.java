package dev.edgechat.support;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.util.List;

/** A Prometheus exposition ({@code GET /metrics}) as tests read it. */
public final class MetricsText {

  private MetricsText() {
  }

  /** {@code GET /metrics} of the server on {@code port}; the body is read in the callback that sent the request. */
  public static Future<String> scrape(HttpClient http, int port) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(r -> r.body()))
        .map(Object::toString);
  }

  /**
   * The sum of the samples of {@code name} whose labels include every one of {@code labels}
   * ({@code key="value"}, as Prometheus writes them; a comma-separated list), 0 when none.
   */
  public static double value(String metrics, String name, String labels) {
    List<String> wanted = labels.isEmpty() ? List.of() : List.of(labels.split(",(?=[a-z_]+=\")"));
    return metrics.lines()
        .filter(line -> line.startsWith(name + "{") || line.startsWith(name + " "))
        .filter(line -> {
          String set = line.startsWith(name + "{") ? line.substring(name.length() + 1, line.lastIndexOf('}')) : "";
          List<String> have = set.isEmpty() ? List.of() : List.of(set.split(",(?=[a-z_]+=\")"));
          return have.containsAll(wanted);
        })
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }
}
