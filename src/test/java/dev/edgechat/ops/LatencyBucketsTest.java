package dev.edgechat.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.roles.EdgechatVertx;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every latency a Prometheus histogram with the fixed buckets, Vert.x's own timers included. */
class LatencyBucketsTest {

  /**
   * Verifies that Vert.x's HTTP server timer, on a Vert.x made the way every role makes it, is
   * exposed with buckets (not as a summary without quantiles), and that a request lands in them.
   */
  @Test
  void vertxHttpServerTimer_hasBuckets() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = EdgechatVertx.create(registry);
    try {
      int port = vertx.createHttpServer().requestHandler(req -> req.response().end("ok")).listen(0)
          .await(10, TimeUnit.SECONDS).actualPort();
      vertx.createHttpClient().request(HttpMethod.GET, port, "127.0.0.1", "/")
          .compose(req -> req.send().compose(r -> r.body())).await(10, TimeUnit.SECONDS);
      String scrape = registry.scrape();
      assertThat(scrape).contains("vertx_http_server_response_time_seconds_bucket{");
      assertThat(scrape).containsPattern("vertx_http_server_response_time_seconds_bucket\\{[^}]*le=\"0\\.3\"[^}]*} 1");
      assertThat(scrape).doesNotContain("vertx_http_server_response_time_seconds{quantile");
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /** Verifies that a timer of our own gets the buckets from 1 ms to 30 s, and a second call adds no second filter. */
  @Test
  void ownTimer_fixedBucketsOnce() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    LatencyBuckets.applyTo(registry);
    LatencyBuckets.applyTo(registry);
    Timer.builder("edgechat.test.latency").register(registry).record(Duration.ofMillis(250));
    String scrape = registry.scrape();
    long buckets = scrape.lines().filter(l -> l.startsWith("edgechat_test_latency_seconds_bucket")).count();
    assertThat(buckets).isEqualTo(LatencyBuckets.LATENCY_BUCKETS_MS.length + 1); // and +Inf
    assertThat(scrape).contains("edgechat_test_latency_seconds_bucket{le=\"0.001\"} 0")
        .contains("edgechat_test_latency_seconds_bucket{le=\"0.3\"} 1")
        .contains("edgechat_test_latency_seconds_bucket{le=\"30.0\"} 1");
  }
}
