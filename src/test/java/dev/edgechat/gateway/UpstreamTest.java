package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How an upstream keeps its connections: one client per event loop. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class UpstreamTest {

  /** A client, with the thread it was asked for on. */
  private record Asked(Thread loop, HttpClientAgent client) {
  }

  /** Verifies that each event loop gets a client of its own, the same one every time, and other threads another. */
  @Test
  void client_onePerEventLoop(Vertx vertx, VertxTestContext test) throws Exception {
    EdgechatConfig.Gateway settings = new ConfigLoader(vertx, Files.createTempDirectory("cfg"), Map.of()).load()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).get().gateway();
    Upstream upstream = new Upstream(vertx, URI.create("http://127.0.0.1:9/v1"), settings, 2,
        new SimpleMeterRegistry());
    List<Asked> asked = Collections.synchronizedList(new ArrayList<>());
    // verticle instances take the event loops in turn, as the server's instances do
    Future<String> deployed = vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        asked.add(new Asked(Thread.currentThread(), upstream.client()));
        asked.add(new Asked(Thread.currentThread(), upstream.client()));
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(4));
    HttpClientAgent offLoop = upstream.client();
    deployed.onComplete(test.succeeding(id -> test.verify(() -> {
      List<Asked> answers = List.copyOf(asked);
      assertThat(answers).hasSize(8);
      assertThat(answers).extracting(Asked::loop).extracting(Thread::getName)
          .allMatch(name -> name.contains("eventloop"));
      assertThat(answers.stream().map(Asked::loop).distinct().count()).isGreaterThan(1);
      for (Asked a : answers) {
        for (Asked b : answers) {
          assertThat(a.client() == b.client()).as("same client exactly when on the same loop")
              .isEqualTo(a.loop() == b.loop());
        }
        assertThat(a.client()).isNotSameAs(offLoop);
      }
      upstream.close().onComplete(test.succeedingThenComplete());
    })));
  }
}
