package dev.edgechat.roles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.LiveConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** What roles are assembled on: servers that share one port, and a stop in the order a clean stop needs. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class RoleContextTest {

  @TempDir
  Path dir;

  private Future<RoleContext> context(Vertx vertx, int instances) {
    return new ConfigLoader(vertx, dir, Map.of("EDGECHAT_HTTP_INSTANCES", Integer.toString(instances),
        "EDGECHAT_CONFIG_SCAN_PERIOD_MS", "0")).load()
        .map((LiveConfig config) -> new RoleContext(vertx, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
            config));
  }

  /**
   * Verifies that for port 0 every instance of a server listens on the one port it reports (none
   * binds a port of its own), and that two servers on port 0 get two ports.
   */
  @Test
  void serve_anyPort_instancesShareOnePortServersDoNot(Vertx vertx, VertxTestContext ctx) {
    Set<Integer> answering = ConcurrentHashMap.newKeySet();
    HttpClient fresh = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    context(vertx, 3).compose(context -> {
      Future<Integer> first = context.serve("first", "127.0.0.1", 0, router -> router.get("/").handler(rc ->
          rc.end(Integer.toString(System.identityHashCode(Vertx.currentContext())))));
      Future<Integer> second = context.serve("second", "127.0.0.1", 0, router -> router.get("/").handler(rc ->
          rc.end("second")));
      return Future.all(first, second)
          .compose(v -> askUntilThree(fresh, first.result(), answering, 30))
          .map(v -> {
            ctx.verify(() -> {
              assertThat(first.result()).isPositive().isNotEqualTo(second.result());
              assertThat(answering).hasSize(3);
            });
            return context;
          });
    }).compose(RoleContext::close).onComplete(ctx.succeedingThenComplete());
  }

  /** Asks {@code port} on new connections until three instances answered, at most {@code tries} times. */
  private static Future<Void> askUntilThree(HttpClient client, int port, Set<Integer> answering, int tries) {
    if (answering.size() == 3 || tries == 0) {
      return Future.succeededFuture();
    }
    return client.request(HttpMethod.GET, port, "127.0.0.1", "/")
        .compose(req -> req.send().compose(resp -> resp.body()))
        .compose(body -> {
          answering.add(Integer.parseInt(body.toString()));
          return askUntilThree(client, port, answering, tries - 1);
        });
  }

  /**
   * Verifies the stop order: servers undeployed first, then the job queues drain, then the other
   * resources, last added first (embedded databases, added first, stop last).
   */
  @Test
  void close_serversThenQueuesThenResourcesLastAddedFirst(Vertx vertx, VertxTestContext ctx) {
    List<String> stopped = new CopyOnWriteArrayList<>();
    context(vertx, 1).compose(context -> vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> stop() {
        stopped.add("server");
        return Future.succeededFuture();
      }
    }).map(id -> {
      context.teardown.add(() -> stopped.add("embedded database"));
      context.teardown.add(() -> stopped.add("pool"));
      context.teardown.server(id);
      context.teardown.queue(() -> stopped.add("queue"));
      context.teardown.add(() -> stopped.add("cache connection"));
      return context;
    })).compose(RoleContext::close).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(stopped).containsExactly("server", "queue", "cache connection", "pool", "embedded database");
      ctx.completeNow();
    })));
  }
}
