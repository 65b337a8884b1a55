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

/** What roles are assembled on: servers that share one port, and a drain and stop in the order a clean stop needs. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class RoleContextTest {

  @TempDir
  Path dir;

  private Future<RoleContext> context(Vertx vertx, int instances) {
    return context(vertx, instances, Map.of());
  }

  private Future<RoleContext> context(Vertx vertx, int instances, Map<String, String> more) {
    Map<String, String> env = new java.util.HashMap<>(more);
    env.put("EDGECHAT_HTTP_INSTANCES", Integer.toString(instances));
    env.put("EDGECHAT_CONFIG_SCAN_PERIOD_MS", "0");
    return new ConfigLoader(vertx, dir, env).load()
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
   * Verifies the stop order: the drain begins, what is under way (each server's exchanges, the
   * queue's jobs) finishes while every server is still deployed, then every part stops last
   * started first: the edge's server, its records, origin's server, the write-behind, the pools,
   * the embedded database last.
   */
  @Test
  void close_drainsUnderWayThenStopsLastStartedFirst(Vertx vertx, VertxTestContext ctx) {
    List<String> stopped = new CopyOnWriteArrayList<>();
    context(vertx, 1).compose(context -> {
      context.teardown.add(() -> stopped.add("embedded database"));
      context.teardown.add(() -> stopped.add("pool"));
      context.teardown.step(() -> later(vertx, 10, stopped, "write-behind flushed"));
      return deploy(vertx, stopped, "origin server").compose(origin -> {
        context.teardown.server(origin, () -> later(vertx, 200, stopped,
            "origin streams ended, draining: " + context.drain.draining()));
        context.teardown.underWay(() -> later(vertx, 100, stopped, "jobs drained"), 5000);
        context.teardown.step(() -> later(vertx, 10, stopped, "records flushed"));
        return deploy(vertx, stopped, "edge server");
      }).map(edge -> {
        context.teardown.server(edge, () -> later(vertx, 300, stopped, "edge streams ended"));
        return context;
      });
    }).compose(RoleContext::close).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(stopped).containsExactly("jobs drained", "origin streams ended, draining: true",
          "edge streams ended", "edge server", "records flushed", "origin server", "write-behind flushed", "pool",
          "embedded database");
      ctx.completeNow();
    })));
  }

  /** Verifies that exchanges still under way at the drain's deadline do not hold the stop: the server stops then. */
  @Test
  void close_exchangesOutlastTheDrain_serverStopsAtTheDeadline(Vertx vertx, VertxTestContext ctx) {
    List<String> stopped = new CopyOnWriteArrayList<>();
    long began = System.nanoTime();
    context(vertx, 1, Map.of("EDGECHAT_HTTP_DRAIN_TIMEOUT_MS", "300")).compose(context ->
        deploy(vertx, stopped, "server").map(id -> {
          context.teardown.server(id, () -> Future.future(never -> { }));
          return context;
        })).compose(RoleContext::close).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(stopped).containsExactly("server");
          assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began)).isBetween(300L, 10_000L);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies a drain on a real server: from close on, /readyz answers 503 draining and a new
   * stream is refused with 503 overloaded, Retry-After and Connection: close, while the stream
   * under way goes on to its end; the stop waits for it.
   */
  @Test
  void close_streamUnderWay_finishesWhileNewOnesAreRefused(Vertx vertx, VertxTestContext ctx) {
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    Map<String, String> seen = new ConcurrentHashMap<>();
    context(vertx, 2).compose(context -> context.serve("edge", "127.0.0.1", 0, router -> {
      context.ops(List.of()).mount(router);
      router.post("/stream").handler(context.drain::refuseNewStreams);
      router.post("/stream").handler(rc -> {
        rc.response().setChunked(true);
        long[] left = {10};
        vertx.setPeriodic(50, id -> {
          if (--left[0] == 0) {
            vertx.cancelTimer(id);
            rc.response().end("end");
          } else {
            rc.response().write("chunk ");
          }
        });
      });
    }).compose(port -> {
      Future<String> underWay = client.request(HttpMethod.POST, port, "127.0.0.1", "/stream")
          .compose(req -> req.send().compose(resp -> resp.body()))
          .map(Object::toString);
      Future<Void> closed = vertx.timer(150).compose(t -> {
        Future<Void> stop = context.close();
        seen.put("stopped before the stream ended", Boolean.toString(stop.isComplete()));
        return Future.join(
            client.request(HttpMethod.GET, port, "127.0.0.1", "/readyz")
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " " + b)))
                .onSuccess(r -> seen.put("readyz", r)),
            client.request(HttpMethod.POST, port, "127.0.0.1", "/stream")
                .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp.statusCode() + " retry-after="
                    + resp.getHeader("Retry-After") + " connection=" + resp.getHeader("Connection") + " " + b)))
                .onSuccess(r -> seen.put("new stream", r)))
            .compose(v -> stop);
      });
      return Future.all(underWay, closed).map(v -> underWay.result());
    })).onComplete(ctx.succeeding(body -> ctx.verify(() -> {
      assertThat(body).startsWith("chunk ").endsWith("end");
      assertThat(seen.get("stopped before the stream ended")).isEqualTo("false");
      assertThat(seen.get("readyz")).isEqualTo("503 {\"status\":\"draining\"}");
      assertThat(seen.get("new stream")).startsWith("503 retry-after=1 connection=close ")
          .contains("\"code\":\"overloaded\"");
      ctx.completeNow();
    })));
  }

  private static Future<String> deploy(Vertx vertx, List<String> stopped, String name) {
    return vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> stop() {
        stopped.add(name);
        return Future.succeededFuture();
      }
    });
  }

  private static Future<?> later(Vertx vertx, long ms, List<String> stopped, String what) {
    return vertx.timer(ms).onSuccess(t -> stopped.add(what));
  }
}
