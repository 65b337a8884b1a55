package dev.edgechat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.ErrorResponder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /v1/jobs/{id}}: the job's public view, 404 not_found for unknown or malformed ids. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class JobsApiTest {

  record Reply(int status, JsonObject body) {
  }

  private static Future<Reply> get(HttpClient http, int port, String path) {
    return http.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send().compose(resp -> resp.body()
            .map(body -> new Reply(resp.statusCode(), body.toJsonObject()))));
  }

  /** Verifies that a known job is shown without its payload and that unknown or malformed ids get 404 not_found. */
  @Test
  void job_knownUnknownMalformed(Vertx vertx, VertxTestContext ctx) {
    EdgechatConfig.Queue settings = EdgechatConfig.Queue.builder().concurrency(Map.of()).maxAttempts(3).backoffMs(50)
        .maxBackoffMs(1000).stalledMs(5000).blockMs(200).keepCompleted(10).completedTtlMs(60_000).keepFailed(10)
        .failedTtlMs(60_000).drainTimeoutMs(200).build();
    JobQueue queue = JobQueue.create(vertx, TestDatabases.redis(), settings, 1000, null);
    JobsApi api = new JobsApi(queue);
    Router router = Router.router(vertx);
    api.mount(router);
    router.get("/admin/jobs/:id").handler(api::job);
    router.route().failureHandler(ErrorResponder::handle);
    HttpClient http = vertx.createHttpClient();
    Future<HttpServer> server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1");
    Future<Job> job = queue.enqueue("api-test", new JsonObject().put("secret", "payload"));
    Future.all(server, job)
        .compose(v -> {
          int port = server.result().actualPort();
          Future<Reply> known = get(http, port, "/v1/jobs/" + job.result().id());
          Future<Reply> admin = get(http, port, "/admin/jobs/" + job.result().id());
          Future<Reply> unknown = get(http, port, "/v1/jobs/AAAAAAAAAAAAAAAAAAAAAA");
          Future<Reply> malformed = get(http, port, "/v1/jobs/bad%20id%21");
          return Future.all(known, admin, unknown, malformed).map(all -> {
            ctx.verify(() -> {
              assertThat(known.result().status()).isEqualTo(200);
              JsonObject body = known.result().body();
              assertThat(body.getString("id")).isEqualTo(job.result().id());
              assertThat(body.getString("type")).isEqualTo("api-test");
              assertThat(body.getString("state")).isEqualTo("waiting");
              assertThat(body.getInteger("attempts")).isZero();
              assertThat(body.containsKey("payload")).isFalse();
              assertThat(body.encode()).doesNotContain("secret");
              assertThat(admin.result().body()).isEqualTo(body);
              for (Reply missing : new Reply[] {unknown.result(), malformed.result()}) {
                assertThat(missing.status()).isEqualTo(404);
                assertThat(missing.body().getJsonObject("error").getString("code")).isEqualTo("not_found");
              }
            });
            return null;
          });
        })
        .eventually(() -> queue.close())
        .onComplete(ctx.succeedingThenComplete());
  }
}
