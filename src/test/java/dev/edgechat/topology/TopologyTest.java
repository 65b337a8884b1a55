package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SseClient;
import dev.edgechat.support.TopologyExtension;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The multi-region topology itself: real processes, a streaming replica, distances between regions. */
@ExtendWith({TopologyExtension.class, VertxExtension.class})
@Timeout(value = 10, unit = TimeUnit.MINUTES)
// the replica's faults come last: the others see the topology as it started
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TopologyTest {

  /** Verifies that every edge streams an answer of site demo from origin: ready first, tokens, done last, a miss. */
  @Test
  void chat_everyEdgeStreamsAnAnswerFromOrigin(Topology topology, Vertx vertx) {
    for (EdgeRegion region : topology.edgeRegions()) {
      RoleProcess edge = topology.edge(region.name());
      long sent = System.nanoTime();
      SseClient.Answer answer = new SseClient(vertx, edge.port()).chat(new JsonObject().put("site", "demo")
          .put("message", "How do I reset my password? (asked in " + region.name() + ")")).await();
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

      assertThat(answer.status()).as("status in %s", region.name()).isEqualTo(200);
      assertThat(answer.events()).as("events in %s: %s", region.name(), answer.raw()).isNotEmpty();
      assertThat(answer.events().get(0).event()).isEqualTo("ready");
      assertThat(answer.first("ready").getString("region")).isEqualTo(region.name());
      assertThat(answer.named("token")).isNotEmpty();
      assertThat(answer.events().get(answer.events().size() - 1).event()).as(answer.raw()).isEqualTo("done");
      assertThat(answer.first("done").getString("cache")).isEqualTo("miss");
      // a miss asks origin at least once, across the region's distance
      assertThat(tookMs).isGreaterThanOrEqualTo(region.originRttMs());
    }
  }

  /** Verifies that the primary streams to the replica through its slot and that the replica is a hot standby. */
  @Test
  void postgres_replicaStreamsFromThePrimary(Topology topology) {
    assertThat(topology.postgres().standbys())
        .anySatisfy(standby -> {
          assertThat(standby.name()).isEqualTo("replica");
          assertThat(standby.state()).isEqualTo("streaming");
        });
    assertThat(topology.postgres().replicaInRecovery()).isTrue();
    assertThat(topology.origin().environment()).containsEntry("EDGECHAT_POSTGRES_REPLICA_URLS",
        topology.postgres().replicaUrl().toString());
  }

  /** Verifies that a round trip between an edge's region and origin, through its proxy, takes at least its RTT. */
  @Test
  void originUrlFrom_roundTripTakesAtLeastTheRegionsRtt(Topology topology) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (EdgeRegion region : topology.edgeRegions()) {
      URI origin = topology.originUrlFrom(region.name());
      assertThat(topology.edge(region.name()).environment()).containsEntry("EDGECHAT_ORIGIN_URL", origin.toString());
      HttpRequest healthz = HttpRequest.newBuilder(origin.resolve("/healthz")).timeout(Duration.ofSeconds(10)).build();
      // the first request opens the connection; the second one's round trip is the distance alone
      assertThat(http.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
      long sent = System.nanoTime();
      assertThat(http.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);

      assertThat(tookMs).as("round trip to origin from %s", region.name()).isGreaterThanOrEqualTo(region.originRttMs());
    }
  }

  /** Verifies that each role is a live process of its own, ready and measured, and that topology.json says so. */
  @Test
  void roles_eachAProcessOfItsOwnDescribedInTopologyJson(Topology topology) throws Exception {
    assertThat(topology.roles()).extracting(RoleProcess::role)
        .containsExactly("sim", "origin", "worker", "edge", "edge");
    assertThat(topology.roles()).extracting(RoleProcess::pid).doesNotHaveDuplicates()
        .doesNotContain(ProcessHandle.current().pid());
    for (RoleProcess role : topology.roles()) {
      assertThat(role.alive()).as(role.describe()).isTrue();
      assertThat(role.timeToReady()).as(role.describe()).isPositive();
      assertThat(role.readyRssKb()).as(role.describe()).isPositive();
    }
    JsonObject json = new JsonObject(Files.readString(topology.baseDir().resolve("topology.json")));
    assertThat(json.getJsonArray("regions")).hasSize(1 + topology.edgeRegions().size());
    assertThat(topology.table()).contains("fra", "sin", "origin", "worker", "replica");
    System.out.println(topology.table());
  }

  /**
   * Verifies the replica's faults that later tests use: replay paused keeps the replica's data as it was
   * while the primary moves on; after a clean stop and after a kill the replica streams again.
   */
  @Test
  @Order(Integer.MAX_VALUE)
  void postgres_replicaPausesStopsAndComesBackAfterAKill(Topology topology) throws Exception {
    PostgresCluster postgres = topology.postgres();
    postgres.awaitReplicaCaughtUp(Duration.ofSeconds(30));
    postgres.pauseReplay();
    String replayed = postgres.replicaReplayLsn();
    String before = postgres.primaryLsn();
    HttpRequest putSite = HttpRequest.newBuilder(topology.origin().url().resolve("/admin/sites/paused-probe"))
        .header("Authorization", "Bearer " + topology.adminToken())
        .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"written while replay is paused\"}")).build();
    assertThat(HttpClient.newHttpClient().send(putSite, HttpResponse.BodyHandlers.ofString()).statusCode())
        .isEqualTo(200);
    Thread.sleep(300);

    assertThat(postgres.primaryLsn()).isNotEqualTo(before);
    assertThat(postgres.replicaReplayLsn()).isEqualTo(replayed);
    assertThat(postgres.replayPauseState()).isEqualTo("paused");
    postgres.resumeReplay();
    postgres.awaitReplicaCaughtUp(Duration.ofSeconds(30));
    assertThat(postgres.replayPauseState()).isEqualTo("not paused");

    postgres.stopReplica();
    assertThat(postgres.replicaRunning()).isFalse();
    postgres.startReplica();
    postgres.awaitStreaming(Duration.ofSeconds(60));

    postgres.killReplica();
    assertThat(postgres.replicaRunning()).isFalse();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (postgres.standbys().stream().anyMatch(standby -> standby.state().equals("streaming"))
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(postgres.standbys()).noneSatisfy(standby -> assertThat(standby.state()).isEqualTo("streaming"));
    postgres.startReplica();
    postgres.awaitStreaming(Duration.ofSeconds(60));
    assertThat(postgres.replicaInRecovery()).isTrue();
  }
}
