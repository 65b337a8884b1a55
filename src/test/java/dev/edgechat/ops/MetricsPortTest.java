package dev.edgechat.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Role;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code http.metricsPort}: /metrics off the public port, for a scraper on the private network. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class MetricsPortTest {

  /**
   * Verifies that with {@code http.metricsPort} set, /metrics answers only on that port (the public
   * port answers 404 there) while /healthz and /readyz stay on the public port.
   */
  @Test
  void metricsPort_set_metricsOnlyThere(Vertx vertx, VertxTestContext ctx) throws IOException {
    int metricsPort = freePort();
    WebClient client = WebClient.create(vertx);
    new TestSystem(vertx).env("EDGECHAT_HTTP_METRICS_PORT", String.valueOf(metricsPort)).start(Role.SIM)
        .compose(app -> Future.all(
                client.get(app.simPort(), "127.0.0.1", "/metrics").send(),
                client.get(metricsPort, "127.0.0.1", "/metrics").send(),
                client.get(app.simPort(), "127.0.0.1", "/readyz").send(),
                client.get(metricsPort, "127.0.0.1", "/healthz").send())
            .eventually(() -> app.close()))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          assertThat(answers.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(0).statusCode())
              .as("public port").isEqualTo(404);
          io.vertx.ext.web.client.HttpResponse<?> metrics = answers.resultAt(1);
          assertThat(metrics.statusCode()).as("metrics port").isEqualTo(200);
          assertThat(metrics.getHeader("Content-Type")).as("Prometheus text").startsWith("text/plain");
          assertThat(answers.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(2).statusCode()).isEqualTo(200);
          assertThat(answers.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(3).statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that with an operations port, role all's public /readyz answers its status alone (no
   * dependency names, addresses or reasons) and /metrics is not there, while the operations port's
   * /readyz reports every dependency of the process's roles (the edge's and origin's).
   */
  @Test
  void metricsPort_set_readinessDetailsOnlyThere(Vertx vertx, VertxTestContext ctx) throws IOException {
    int metricsPort = freePort();
    WebClient client = WebClient.create(vertx);
    new TestSystem(vertx).env("EDGECHAT_HTTP_METRICS_PORT", String.valueOf(metricsPort)).startAll()
        .compose(app -> Future.all(
                client.get(app.edgePort(), "127.0.0.1", "/readyz").send(),
                client.get(metricsPort, "127.0.0.1", "/readyz").send(),
                client.get(app.edgePort(), "127.0.0.1", "/metrics").send())
            .eventually(() -> app.close()))
        .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
          io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> publicReady = answers.resultAt(0);
          io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> opsReady = answers.resultAt(1);
          assertThat(publicReady.statusCode()).isEqualTo(opsReady.statusCode()).isEqualTo(200);
          assertThat(publicReady.bodyAsJsonObject().fieldNames()).containsExactly("status");
          assertThat(publicReady.bodyAsJsonObject().getString("status")).isEqualTo("ready");
          assertThat(opsReady.bodyAsJsonObject().getString("status")).isEqualTo("ready");
          assertThat(opsReady.bodyAsJsonObject().getJsonObject("checks").fieldNames())
              .as("the edge's and origin's dependencies").contains("postgres", "origin");
          assertThat(answers.<io.vertx.ext.web.client.HttpResponse<?>>resultAt(2).statusCode()).isEqualTo(404);
          ctx.completeNow();
        })));
  }

  /** Verifies that without the setting /metrics stays on the public port, as before. */
  @Test
  void metricsPort_unset_metricsOnPublicPort(Vertx vertx, VertxTestContext ctx) {
    WebClient client = WebClient.create(vertx);
    new TestSystem(vertx).start(Role.SIM)
        .compose(app -> client.get(app.simPort(), "127.0.0.1", "/metrics").send().eventually(() -> app.close()))
        .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
          assertThat(answer.statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
