package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.protocol.ReadAfter;
import dev.edgechat.support.SseClient;
import dev.edgechat.support.TopologyExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Read replicas on the topology (issue 15 item 4): a Postgres 15 primary and its streaming replica,
 * origin and edges as processes of their own. With the replica's replay paused, a site just created
 * answers through every edge at once, and a conversation's history right after an answer holds the
 * answer, also when that read lands on another origin instance; with the replica killed, no chat
 * fails and origin stays ready, the replica {@code degraded}.
 *
 * <p>For "another origin instance", the class starts a second origin ({@code B}, same database,
 * keeping a replica in rotation up to 60 s behind, so that only the carried position makes it
 * read fresh) and a third edge whose origin URL is a switch: answers go to origin A, conversation
 * reads to origin B, as a load balancer may send them.
 */
@ExtendWith({TopologyExtension.class, VertxExtension.class})
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadReplicaTopologyTest {

  private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
      .version(java.net.http.HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern METRIC = Pattern.compile("^(\\w+)\\{([^}]*)\\}\\s+(\\S+)$");

  private static Vertx switchVertx;
  private static RoleProcess originB;
  private static RoleProcess switchedEdge;

  @BeforeAll
  static void startOriginBAndASwitchedEdge(Topology topology) throws Exception {
    JavaCommand java = JavaCommand.current(topology.settings().jvmOptions());
    Map<String, String> env = new LinkedHashMap<>(topology.origin().environment());
    int portB = LoopbackPorts.free();
    env.put("EDGECHAT_HTTP_PORT", String.valueOf(portB));
    env.put("EDGECHAT_POSTGRES_MAX_REPLICA_LAG_MS", "60000");
    originB = RoleProcess.launch(java, "origin", topology.settings().primaryRegion(), portB, env,
        topology.baseDir().resolve(topology.settings().primaryRegion()).resolve("origin-b"));

    switchVertx = Vertx.vertx();
    HttpServer originSwitch = originSwitch(switchVertx, topology.origin().port(), portB).toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    Map<String, String> edgeEnv = new LinkedHashMap<>(topology.edge("fra").environment());
    int edgePort = LoopbackPorts.free();
    edgeEnv.put("EDGECHAT_HTTP_PORT", String.valueOf(edgePort));
    edgeEnv.put("EDGECHAT_ORIGIN_URL", "http://127.0.0.1:" + originSwitch.actualPort());
    switchedEdge = RoleProcess.launch(java, "edge", "fra", edgePort, edgeEnv,
        topology.baseDir().resolve("fra").resolve("edge-switched"));
    originB.awaitReady(Duration.ofMinutes(3));
    switchedEdge.awaitReady(Duration.ofMinutes(3));
  }

  @AfterAll
  static void stop() {
    if (switchedEdge != null) {
      switchedEdge.stop(Duration.ofSeconds(30));
    }
    if (originB != null) {
      originB.stop(Duration.ofSeconds(30));
    }
    if (switchVertx != null) {
      switchVertx.close().await();
    }
  }

  /**
   * An HTTP forwarder: {@code GET /internal/conversations/…} to origin B, everything else to origin
   * A, streaming both ways (answers are event streams).
   */
  private static Future<HttpServer> originSwitch(Vertx vertx, int portA, int portB) {
    HttpClient client = vertx.createHttpClient();
    return vertx.createHttpServer().requestHandler(request -> {
      int port = request.path().startsWith("/internal/conversations/") ? portB : portA;
      forward(client, request, port);
    }).listen(0, "127.0.0.1");
  }

  private static void forward(HttpClient client, HttpServerRequest request, int port) {
    request.pause();
    RequestOptions options = new RequestOptions().setMethod(request.method()).setHost("127.0.0.1").setPort(port)
        .setURI(request.uri());
    request.headers().forEach((name, value) -> {
      if (!name.equalsIgnoreCase("Host") && !name.equalsIgnoreCase("Connection")) {
        options.addHeader(name, value);
      }
    });
    client.request(options)
        .compose(out -> out.send(request))
        .onSuccess(response -> {
          var relay = request.response().setStatusCode(response.statusCode());
          response.headers().forEach((name, value) -> {
            if (!name.equalsIgnoreCase("Transfer-Encoding") && !name.equalsIgnoreCase("Connection")) {
              relay.headers().add(name, value);
            }
          });
          if (response.getHeader("Content-Length") == null) {
            relay.setChunked(true);
          }
          response.pipeTo(relay);
        })
        .onFailure(e -> request.response().setStatusCode(502).end());
  }

  /**
   * Verifies that with the replica's replay paused, a site created through origin's admin API (so
   * absent from the replica) answers a chat through every edge at once: a replica's "no such site"
   * is no proof, the primary decides.
   */
  @Test
  @Order(1)
  void replayPaused_siteJustCreated_answersAtOnceThroughEveryEdge(Topology topology, Vertx vertx) throws Exception {
    PostgresCluster postgres = topology.postgres();
    postgres.awaitReplicaCaughtUp(Duration.ofSeconds(30));
    postgres.pauseReplay();
    try {
      double notFoundBefore = metric(topology.origin().url(), "edgechat_db_reads_total", "target=\"primary\"",
          "reason=\"not_found\"");
      String site = "paused-" + UUID.randomUUID().toString().substring(0, 8);
      HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(topology.origin().url()
              .resolve("/admin/sites/" + site))
          .header("Authorization", "Bearer " + topology.adminToken())
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"created while replay is paused\"}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      assertThat(countOnReplica(topology, "SELECT count(*) FROM sites WHERE id = ?", site))
          .as("the replica has not replayed the site").isZero();

      for (String region : List.of("fra", "sin")) {
        SseClient.Answer answer = new SseClient(vertx, topology.edge(region).port())
            .chat(new JsonObject().put("site", site).put("message", "Are you there? (asked in " + region + ")"))
            .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

        assertThat(answer.status()).as("%s: %s", region, answer.raw()).isEqualTo(200);
        assertThat(answer.events().get(answer.events().size() - 1).event()).as("%s: %s", region, answer.raw())
            .isEqualTo("done");
        assertThat(answer.text()).isNotBlank();
      }
      assertThat(countOnReplica(topology, "SELECT count(*) FROM sites WHERE id = ?", site))
          .as("still paused: the answers came from the primary").isZero();
      assertThat(metric(topology.origin().url(), "edgechat_db_reads_total", "target=\"primary\"",
          "reason=\"not_found\"")).isGreaterThan(notFoundBefore);
    } finally {
      postgres.resumeReplay();
    }
  }

  /**
   * Verifies that with the replica's replay paused, a conversation's history read right after an
   * answer holds the question and the answer: through the edge that streamed it (origin A answered
   * and reads), and through the switched edge, whose read lands on origin B, which never wrote it
   * and keeps the paused replica in rotation: the edge carries the answer's WAL position
   * ({@code X-Edgechat-Read-After}) and origin B reads where that position is. Without it, origin B
   * serves what the replica has: the conversation without its new answer.
   */
  @Test
  @Order(2)
  void replayPaused_historyRightAfterAnAnswer_holdsBothMessages(Topology topology, Vertx vertx) throws Exception {
    PostgresCluster postgres = topology.postgres();
    SseClient switched = new SseClient(vertx, switchedEdge.port());
    SseClient.Answer first = await(switched.chat(new JsonObject().put("site", "demo")
        .put("message", "How do I reset my password? " + UUID.randomUUID())));
    assertThat(first.status()).as(first.raw()).isEqualTo(200);
    String conversation = first.first("ready").getString("conversation");
    postgres.awaitReplicaCaughtUp(Duration.ofSeconds(30));
    awaitReplicaUp(originB.url());

    postgres.pauseReplay();
    try {
      // through the edge that streamed the answer, to the origin that wrote it
      String question = "Where do I see my invoices? " + UUID.randomUUID();
      SseClient.Answer answer = await(new SseClient(vertx, topology.edge("fra").port())
          .chat(new JsonObject().put("site", "demo").put("message", question)));
      assertThat(answer.status()).as(answer.raw()).isEqualTo(200);
      assertThat(answer.first("done").containsKey(ReadAfter.FIELD)).as("the position is the edge's, not the visitor's")
          .isFalse();
      JsonArray messages = history(topology.edge("fra").url(), answer.first("ready").getString("conversation"));
      assertThat(texts(messages)).containsExactly(question, answer.text());

      // a follow-up through the switched edge: origin A answers, origin B reads
      String followUp = "And how long does that take? " + UUID.randomUUID();
      SseClient.Answer second = await(switched.chat(new JsonObject().put("site", "demo")
          .put("conversation", conversation).put("message", followUp)));
      assertThat(second.status()).as(second.raw()).isEqualTo(200);
      assertThat(second.events().get(second.events().size() - 1).event()).as(second.raw()).isEqualTo("done");

      JsonArray fromB = history(switchedEdge.url(), conversation);
      assertThat(texts(fromB)).hasSize(4).endsWith(followUp, second.text());
      // the same read without the position: origin B's replica (paused, in rotation) lacks the answer
      JsonArray stale = internalConversation(topology, originB.url(), conversation);
      assertThat(texts(stale)).as("origin B without the carried position").hasSize(2);
    } finally {
      postgres.resumeReplay();
    }
  }

  /**
   * Verifies that with the replica killed in the middle of a batch of chats (misses, each read
   * back through its edge), none fails, origin's {@code /readyz} stays 200 with the replica
   * {@code degraded}, and the replica is back in rotation once it runs again.
   */
  @Test
  @Order(3)
  void replicaKilled_batchOfChats_noneFailsAndOriginStaysReady(Topology topology, Vertx vertx) throws Exception {
    PostgresCluster postgres = topology.postgres();
    postgres.awaitReplicaCaughtUp(Duration.ofSeconds(30));
    URI origin = topology.origin().url();
    awaitReplicaUp(origin);
    double replicaReadsBefore = metric(origin, "edgechat_db_reads_total", "target=\"127.0.0.1:", "reason=\"served\"");
    int chats = 40;
    int concurrency = 8;
    AtomicInteger failed = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger started = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < concurrency; lane++) {
      lanes.add(chatLane(topology, vertx, started, chats, failed, failures));
    }
    // kill once the batch is under way
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (started.get() < 2 * concurrency && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    postgres.killReplica();
    try {
      Future.join(lanes).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);

      assertThat(started.get()).isEqualTo(chats);
      assertThat(failures).as("failed chats").isEmpty();
      assertThat(failed.get()).isZero();
      assertThat(metric(origin, "edgechat_db_reads_total", "target=\"127.0.0.1:", "reason=\"served\""))
          .as("the replica served reads before the kill").isGreaterThan(replicaReadsBefore);
      assertThat(metric(origin, "edgechat_db_reads_total", "target=\"primary\"", "reason=\"no_replica\"")
          + metric(origin, "edgechat_db_reads_total", "target=\"primary\"", "reason=\"replica_failed\""))
          .as("reads went to the primary after the kill").isPositive();
      HttpResponse<String> readyz = HTTP.send(HttpRequest.newBuilder(origin.resolve("/readyz")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(readyz.statusCode()).as(readyz.body()).isEqualTo(200);
      JsonObject replica = replicaCheck(new JsonObject(readyz.body()));
      assertThat(replica.getString("status")).as(readyz.body()).isEqualTo("degraded");
      assertThat(replica.getString("reason")).isNotBlank();
      assertThat(new JsonObject(readyz.body()).getString("status")).isEqualTo("ready");
    } finally {
      postgres.startReplica();
      postgres.awaitStreaming(Duration.ofSeconds(60));
    }
    awaitReplicaUp(origin);
  }

  /** Chats one after another until {@code total} were started in all lanes; each one's history read back. */
  private static Future<Void> chatLane(Topology topology, Vertx vertx, AtomicInteger started, int total,
      AtomicInteger failed, List<String> failures) {
    int n = started.getAndIncrement();
    if (n >= total) {
      started.decrementAndGet();
      return Future.succeededFuture();
    }
    String region = n % 2 == 0 ? "fra" : "sin";
    RoleProcess edge = topology.edge(region);
    String question = "What does plan " + n + " cost? " + UUID.randomUUID();
    return new SseClient(vertx, edge.port()).chat(new JsonObject().put("site", "demo").put("message", question))
        .compose(answer -> {
          boolean ok = answer.status() == 200 && !answer.events().isEmpty()
              && answer.events().get(answer.events().size() - 1).event().equals("done");
          if (!ok) {
            failed.incrementAndGet();
            failures.add(region + " chat " + n + ": " + answer.raw());
            return Future.succeededFuture();
          }
          String conversation = answer.first("ready").getString("conversation");
          return histories(vertx).request(io.vertx.core.http.HttpMethod.GET, edge.port(), "127.0.0.1",
                  "/v1/conversations/" + conversation)
              .compose(request -> request.send().compose(response -> response.body().map(body -> {
                if (response.statusCode() != 200 || new JsonObject(body).getJsonArray("messages").size() != 2) {
                  failed.incrementAndGet();
                  failures.add(region + " history " + n + ": " + response.statusCode() + " " + body);
                }
                return (Void) null;
              })));
        })
        .recover(e -> {
          failed.incrementAndGet();
          failures.add(region + " chat " + n + ": " + e);
          return Future.succeededFuture();
        })
        .compose(v -> chatLane(topology, vertx, started, total, failed, failures));
  }

  private static HttpClient histories;

  /** One client for every lane's history reads. */
  private static synchronized HttpClient histories(Vertx vertx) {
    if (histories == null) {
      histories = vertx.createHttpClient();
    }
    return histories;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** {@code GET /v1/conversations/{id}} through an edge: the messages. */
  private static JsonArray history(URI edge, String conversation) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(edge.resolve("/v1/conversations/"
        + conversation)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("messages");
  }

  /** {@code GET /internal/conversations/{id}} of an origin, as an edge would ask it, without a position. */
  private static JsonArray internalConversation(Topology topology, URI origin, String conversation) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(origin.resolve("/internal/conversations/"
            + conversation)).header("Authorization", "Bearer " + topology.edgeToken()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body()).getJsonArray("messages");
  }

  private static List<String> texts(JsonArray messages) {
    return messages.stream().map(m -> ((JsonObject) m).getString("text")).toList();
  }

  /** The replica's entry in a {@code /readyz} report. */
  private static JsonObject replicaCheck(JsonObject readyz) {
    JsonObject checks = readyz.getJsonObject("checks");
    return checks.fieldNames().stream().filter(name -> name.startsWith("postgres-replica "))
        .map(checks::getJsonObject).findFirst()
        .orElseThrow(() -> new AssertionError("no replica in /readyz: " + readyz.encode()));
  }

  /** Waits until origin's {@code /readyz} shows the replica up (in rotation). */
  private static void awaitReplicaUp(URI origin) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> readyz = HTTP.send(HttpRequest.newBuilder(origin.resolve("/readyz")).build(),
          HttpResponse.BodyHandlers.ofString());
      last = readyz.body();
      if (readyz.statusCode() == 200 && "up".equals(replicaCheck(new JsonObject(last)).getString("status"))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the replica is not back in rotation at " + origin + ": " + last);
  }

  /** The sum of a Prometheus counter's series whose labels contain every one of {@code labels}. */
  static double metric(URI role, String name, String... labels) throws Exception {
    HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(role.resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    for (String line : metrics.body().split("\n")) {
      Matcher m = METRIC.matcher(line.trim());
      if (m.matches() && m.group(1).equals(name)) {
        boolean all = true;
        for (String label : labels) {
          all &= m.group(2).contains(label);
        }
        if (all) {
          sum += Double.parseDouble(m.group(3));
        }
      }
    }
    return sum;
  }

  /** A count on the replica itself (JDBC), to show what it has replayed. */
  private static long countOnReplica(Topology topology, String sql, String parameter) throws Exception {
    URI url = topology.postgres().replicaUrl();
    String[] user = url.getUserInfo().split(":", 2);
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + url.getHost() + ":" + url.getPort()
        + url.getPath(), user[0], user.length > 1 ? user[1] : "");
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setString(1, parameter);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
