package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.support.Await;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A running system picks up a [tunable] setting from edge-config without a restart. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TunableReloadTest {

  @TempDir
  Path configDir;
  private Application app;
  /** Held for the whole test: Vert.x 5 closes an HTTP client that is no longer referenced. */
  private HttpClient http;

  @AfterEach
  void stop(VertxTestContext ctx) {
    (app == null ? Future.succeededFuture() : app.close()).onComplete(v -> ctx.completeNow());
  }

  /** Verifies that lowering edge.maxMessageChars in the file makes the running edge refuse longer questions. */
  @Test
  void maxMessageChars_loweredInFile_appliesWithoutRestart(Vertx vertx, VertxTestContext ctx) throws IOException {
    Path file = configDir.resolve("edgechat.yaml");
    Files.writeString(file, "config:\n  scanPeriodMs: 50\nedge:\n  maxMessageChars: 4000\n");
    String question = new JsonObject().put("site", "demo").put("message", "Do you accept PayPal payments?").encode();
    http = vertx.createHttpClient();
    new TestSystem(vertx).configDir(configDir).env("EDGECHAT_CONFIG_SCAN_PERIOD_MS", "50").startAll()
        .compose(started -> {
          app = started;
          return status(vertx, question);
        })
        .compose(before -> vertx.fileSystem()
            .writeFile(file.toString(), Buffer.buffer("config:\n  scanPeriodMs: 50\nedge:\n  maxMessageChars: 20\n"))
            .compose(v -> Await.until(vertx, () -> status(vertx, question).map(s -> s == 400), 10_000))
            .map(before))
        .onComplete(ctx.succeeding(before -> ctx.verify(() -> {
          assertThat(before).isEqualTo(200);
          ctx.completeNow();
        })));
  }

  private Future<Integer> status(Vertx vertx, String body) {
    return http.request(HttpMethod.POST, app.edgePort(), "127.0.0.1", "/v1/chat")
        // reads the body in the callback that sent the request: see SimulatedSystem#simStats
        .compose(req -> req.putHeader("Content-Type", "application/json").send(body)
            .compose(resp -> resp.body().map(b -> resp.statusCode())));
  }
}
