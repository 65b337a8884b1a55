package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SseClient;
import dev.edgechat.support.TopologyExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SIGTERM with answers in flight loses nothing, in every role (issue 15 item 7), and an admin call
 * reaching an edge is relayed to origin or, on Fly, replayed to the primary region (item 5): real
 * processes on the topology's Postgres (primary and replica) and Redis. The roles stopped here are
 * started by this class beside the topology's own (which stay up, to read what the stopped ones
 * left behind): a slow {@code sim} (answers take about 4 s, so they are in flight when the signal
 * comes), origin A on it, edge E in front of A, edge D ("sin", as on Fly: FLY_REGION and
 * PRIMARY_REGION set) and a worker on a queue of their own (Redis database 5 of the queue Redis),
 * then role {@code all} as one process. The tests run in order: the admin calls, then edge D,
 * the worker and origin A are stopped, then role {@code all}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 12, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DrainTest {

  @RegisterExtension
  static final TopologyExtension TOPOLOGY = new TopologyExtension(TopologySettings.defaults()
      .withEdgeRegions(List.of(new EdgeRegion("fra", 90))));

  private static final int STREAMS = 10;
  private static final Duration READY = Duration.ofMinutes(4);
  private static final Duration STOP_GRACE = Duration.ofSeconds(60);
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  /** Sim answers of 40 tokens at 10 tokens/s after 200 ms: 4.2 s each, well inside http.drainTimeoutMs (10 s). */
  private static final Map<String, String> SLOW_SIM = Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "200",
      "EDGECHAT_SIM_TOKENS_PER_SECOND", "10", "EDGECHAT_SIM_ANSWER_TOKENS", "40");

  private static JavaCommand java;
  private static Path dir;
  private static RoleProcess sim;
  private static RoleProcess origin;
  private static RoleProcess frontEdge;
  private static RoleProcess flyEdge;
  private static RoleProcess worker;
  private static final List<RoleProcess> STARTED = new CopyOnWriteArrayList<>();
  private static final List<DelayProxy> PROXIES = new CopyOnWriteArrayList<>();
  private static final String RUN = Long.toString(System.nanoTime(), 36);

  @BeforeAll
  static void startRoles(Topology topology, Vertx vertx) {
    java = JavaCommand.current(List.of());
    dir = topology.baseDir().resolve("drain");
    sim = launch("sim", "ord", new LinkedHashMap<>(SLOW_SIM));
    sim.awaitReady(READY);

    String ownQueue = topology.regionalRedisUrl(Topology.QUEUE) + "/5";
    Map<String, String> originEnv = withoutPlace(topology.origin().environment());
    originEnv.put("EDGECHAT_LLM_BASE_URL", sim.url().resolve("/v1").toString());
    originEnv.put("EDGECHAT_LLM_API_KEY", "sim");
    originEnv.put("EDGECHAT_QUEUE_REDIS_URL", ownQueue);
    originEnv.put("EDGECHAT_REGION", "ord");
    origin = launch("origin", "ord", originEnv);
    origin.awaitReady(READY);

    Map<String, String> frontEnv = new LinkedHashMap<>();
    frontEnv.put("EDGECHAT_REGION", "fra");
    frontEnv.put("EDGECHAT_ORIGIN_URL", proxyTo(vertx, origin, 90).toString());
    frontEnv.put("EDGECHAT_EDGE_TOKEN", topology.edgeToken());
    frontEnv.put("EDGECHAT_REDIS_URL", topology.regionalRedisUrl("fra") + "/5");
    frontEdge = launch("edge", "fra", frontEnv);

    // as Fly starts a machine in sin: FLY_REGION and PRIMARY_REGION, no EDGECHAT_REGION
    Map<String, String> flyEnv = new LinkedHashMap<>();
    flyEnv.put("FLY_REGION", "sin");
    flyEnv.put("PRIMARY_REGION", "ord");
    flyEnv.put("EDGECHAT_ORIGIN_URL", proxyTo(vertx, origin, 180).toString());
    flyEnv.put("EDGECHAT_EDGE_TOKEN", topology.edgeToken());
    flyEnv.put("EDGECHAT_REDIS_URL", topology.regionalRedisUrl("fra") + "/6");
    flyEdge = launch("edge", "sin", flyEnv);

    Map<String, String> workerEnv = withoutPlace(topology.worker().environment());
    workerEnv.put("EDGECHAT_ORIGIN_URL", origin.url().toString());
    workerEnv.put("EDGECHAT_QUEUE_REDIS_URL", ownQueue);
    workerEnv.put("EDGECHAT_REGION", "ord");
    worker = launch("worker", "ord", workerEnv);

    frontEdge.awaitReady(READY);
    flyEdge.awaitReady(READY);
    worker.awaitReady(READY);
  }

  @AfterAll
  static void stopRoles() {
    for (RoleProcess role : STARTED) {
      role.stop(STOP_GRACE);
    }
    PROXIES.forEach(DelayProxy::close);
  }

  /**
   * Verifies that an edge off Fly relays the admin API to origin as it came: a site and a document
   * are created, the job read back, a body over 1 MB streamed whole to origin (which judges it), a
   * wrong token refused by origin, and a body declared over the upload limit refused by the edge.
   */
  @Test
  @Order(1)
  void adminCall_edgeOffFly_forwardedToOrigin(Topology topology) throws Exception {
    String site = "relay-" + RUN;
    HttpResponse<String> put = admin(frontEdge, "PUT", "/admin/sites/" + site, topology.adminToken(),
        "{\"name\":\"Relayed\",\"allowedOrigins\":[\"*\"]}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(originKnowsSite(topology, site)).isTrue();

    HttpResponse<String> posted = admin(frontEdge, "POST", "/admin/sites/" + site + "/documents",
        topology.adminToken(), new JsonObject().put("documents", new JsonArray().add(new JsonObject()
            .put("title", "Returns").put("text", "Returns are free within 30 days.").put("freshness", "static")))
            .encode());
    assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
    String job = new JsonObject(posted.body()).getString("job");
    HttpResponse<String> jobRead = admin(frontEdge, "GET", "/admin/jobs/" + job, topology.adminToken(), null);
    assertThat(jobRead.statusCode()).as(jobRead.body()).isEqualTo(200);
    assertThat(new JsonObject(jobRead.body()).getString("id")).isEqualTo(job);

    // 1.2 MB, past the edge's own body limit (http.maxBodyBytes): origin reads it all and names the bad field
    HttpResponse<String> large = admin(frontEdge, "POST", "/admin/sites/" + site + "/documents",
        topology.adminToken(), largeDocumentsWithBadFreshness());
    assertThat(large.statusCode()).as(large.body()).isEqualTo(400);
    assertThat(large.body()).contains("invalid_request", "freshness");

    HttpResponse<String> wrongToken = admin(frontEdge, "PUT", "/admin/sites/" + site, "not-the-token", "{}");
    assertThat(wrongToken.statusCode()).isEqualTo(401);
    assertThat(wrongToken.body()).contains("unauthorized");

    assertThat(declaredTooLarge(frontEdge, topology.adminToken())).startsWith("413 ").contains("payload_too_large");
  }

  /**
   * Verifies that an edge on Fly outside the primary region answers an admin call with
   * {@code fly-replay: region=<primary>} and does not act on it, but relays a call Fly already
   * replayed ({@code fly-replay-src}) and one whose body Fly could not replay (over 1 MB).
   */
  @Test
  @Order(2)
  void adminCall_edgeOnFlyOutsidePrimary_answeredWithFlyReplay(Topology topology) throws Exception {
    String site = "replayed-" + RUN;
    HttpResponse<String> replay = admin(flyEdge, "PUT", "/admin/sites/" + site, topology.adminToken(),
        "{\"name\":\"Replayed\"}");
    assertThat(replay.statusCode()).as(replay.body()).isEqualTo(421);
    assertThat(replay.headers().firstValue("fly-replay")).hasValue("region=ord");
    assertThat(new JsonObject(replay.body()).getJsonObject("error").getString("code")).isEqualTo("wrong_region");
    assertThat(originKnowsSite(topology, site)).as("acted on before the replay").isFalse();

    HttpRequest replayed = HttpRequest.newBuilder(flyEdge.url().resolve("/admin/sites/" + site))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + topology.adminToken())
        .header("fly-replay-src", "instance=e784079b449483;region=sin;t=1700000000000000")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"name\":\"Replayed\"}")).build();
    HttpResponse<String> relayed = HTTP.send(replayed, HttpResponse.BodyHandlers.ofString());
    assertThat(relayed.statusCode()).as(relayed.body()).isEqualTo(200);
    assertThat(relayed.headers().firstValue("fly-replay")).isEmpty();
    assertThat(originKnowsSite(topology, site)).isTrue();

    HttpResponse<String> large = admin(flyEdge, "POST", "/admin/sites/" + site + "/documents",
        topology.adminToken(), largeDocumentsWithBadFreshness());
    assertThat(large.statusCode()).as("a body Fly cannot replay goes to origin: " + large.body()).isEqualTo(400);
    assertThat(large.headers().firstValue("fly-replay")).isEmpty();
  }

  /**
   * Verifies that SIGTERM on an edge with ten answers streaming (five questions asked twice: half
   * the answers are shared flights, asked upstream once, that the edge records at origin itself
   * while it stops) lets every stream
   * end with {@code done}, turns /readyz to 503 at once, refuses a new chat with 503 overloaded,
   * Retry-After and fly-replay elsewhere, and leaves every question and answer in its conversation.
   */
  @Test
  @Order(3)
  void sigterm_edgeWithStreamsInFlight_everyAnswerEndsAndIsRecorded(Vertx vertx) throws Exception {
    List<String> questions = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      questions.add("How do I reset my password, edge drain " + RUN + " question " + (i % 5) + "?");
    }
    simStats("/sim/stats/reset");
    List<SseClient.InFlight> streams = openStreams(vertx, flyEdge, questions);

    long signalled = System.nanoTime();
    Drained drained = terminate(flyEdge, false, () -> {
      HttpResponse<String> refused = chat(flyEdge, "a new question while draining " + RUN);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.body()).contains("overloaded");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      assertThat(refused.headers().firstValue("fly-replay")).hasValue("elsewhere=true");
    });

    assertThat(drained.readyz()).as("/readyz while draining").contains(503);
    assertThat(drained.exitCode()).as("exited by itself after its drain").isNotEqualTo(-1);
    List<SseClient.Answer> answers = endedWithDone(streams);
    System.out.printf("edge drained %d streams in %d ms%n", STREAMS, msSince(signalled));
    // each question was asked upstream once: the second asker's exchange reached origin only through the edge's records
    assertThat(simStats("/sim/stats").getInteger("chatCalls")).isEqualTo(5);
    for (SseClient.Answer answer : answers) {
      assertConversationHolds(frontEdge, answer);
    }
  }

  /**
   * Verifies that SIGTERM on a worker running asynchronous chat jobs lets each job finish during
   * the drain (completed at its first try), /readyz saying 503 meanwhile, and that each answer is
   * in its conversation.
   */
  @Test
  @Order(4)
  void sigterm_workerWithJobsRunning_everyJobCompletes() throws Exception {
    List<JsonObject> accepted = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      HttpRequest async = HttpRequest.newBuilder(frontEdge.url().resolve("/v1/chat"))
          .timeout(Duration.ofSeconds(30))
          .header("Content-Type", "application/json").header("Prefer", "respond-async")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("site", "demo")
              .put("message", "Is there a student discount, worker drain " + RUN + " job " + i + "?").encode()))
          .build();
      HttpResponse<String> answer = HTTP.send(async, HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
      accepted.add(new JsonObject(answer.body()));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!accepted.stream().allMatch(job -> jobState(job).getString("state").equals("active"))) {
      assertThat(System.nanoTime()).as("jobs active within 60 s").isLessThan(deadline);
      Thread.sleep(50);
    }

    Drained drained = terminate(worker, false, () -> { });

    assertThat(drained.readyz()).as("/readyz while draining").contains(503);
    for (JsonObject job : accepted) {
      JsonObject state = jobState(job);
      assertThat(state.getString("state")).as(state.encode()).isEqualTo("completed");
      assertThat(state.getInteger("attempts")).as("completed by the draining worker").isEqualTo(1);
      String answer = state.getJsonObject("result").getString("answer");
      assertThat(answer).isNotBlank();
      JsonObject conversation = conversation(frontEdge, job.getString("conversation"), 2);
      assertThat(conversation.getJsonArray("messages").getJsonObject(1).getString("text")).isEqualTo(answer);
    }
  }

  /**
   * Verifies that SIGTERM on origin with ten answers streaming through an edge lets every stream
   * end with {@code done}, turns its /readyz to 503 at once, refuses a new answer with 503
   * overloaded and Retry-After, and that after it exited each question and answer is in Postgres
   * (read through the topology's own edge and origin).
   */
  @Test
  @Order(5)
  void sigterm_originWithStreamsInFlight_everyAnswerEndsAndIsSaved(Topology topology, Vertx vertx) throws Exception {
    List<String> questions = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      questions.add("Do you ship abroad, origin drain " + RUN + " question " + i + "?");
    }
    List<SseClient.InFlight> streams = openStreams(vertx, frontEdge, questions);

    Drained drained = terminate(origin, false, () -> {
      HttpRequest answer = HttpRequest.newBuilder(origin.url().resolve("/internal/answer"))
          .timeout(Duration.ofSeconds(10))
          .header("Authorization", "Bearer " + topology.edgeToken()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("site", "demo")
              .put("conversation", "drainprobe" + RUN).put("newConversation", true).put("message", "m" + RUN)
              .put("question", "refused?").encode())).build();
      HttpResponse<String> refused = HTTP.send(answer, HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.body()).contains("overloaded");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    });

    assertThat(drained.readyz()).as("/readyz while draining").contains(503);
    assertThat(drained.exitCode()).as("exited by itself after its drain").isNotEqualTo(-1);
    for (SseClient.Answer answer : endedWithDone(streams)) {
      assertConversationHolds(topology.edge("fra"), answer);
    }
  }

  /**
   * Verifies that SIGTERM on role all, sent to its whole process group as a terminal's Ctrl-C
   * would be, with ten answers streaming, lets every stream end with {@code done}: the embedded
   * Postgres and Redis stop after the answers were saved, not at once beside the drain. After a
   * restart on the same data folder every conversation holds its question and answer.
   */
  @Test
  @Order(6)
  void sigterm_roleAllWithStreamsInFlight_nothingLostAfterRestart(Vertx vertx) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("EDGECHAT_DATA_DIR", dir.resolve("all-data").toString());
    env.put("EDGECHAT_LLM_BASE_URL", sim.url().resolve("/v1").toString());
    env.put("EDGECHAT_LLM_API_KEY", "sim");
    RoleProcess all = launch("all", "local", new LinkedHashMap<>(env));
    awaitReady(all);
    List<String> questions = new ArrayList<>();
    for (int i = 0; i < STREAMS; i++) {
      questions.add("How do I reset my password, all drain " + RUN + " question " + i + "?");
    }
    List<SseClient.InFlight> streams = openStreams(vertx, all, questions);

    Drained drained = terminate(all, true, () -> {
      HttpResponse<String> refused = chat(all, "a new question while draining " + RUN);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
    });

    assertThat(drained.readyz()).as("/readyz while draining").contains(503);
    assertThat(drained.exitCode()).as("exited by itself after its drain").isNotEqualTo(-1);
    List<SseClient.Answer> answers = endedWithDone(streams);
    RoleProcess again = launch("all", "local", new LinkedHashMap<>(env));
    awaitReady(again);
    for (SseClient.Answer answer : answers) {
      assertConversationHolds(again, answer);
    }
  }

  /** What was seen of a process between its SIGTERM and its exit. */
  private record Drained(Set<Integer> readyz, int exitCode) {
  }

  /**
   * Sends SIGTERM (to its process group when {@code group}), polls its /readyz until it exits,
   * runs {@code whileDraining} once /readyz said 503, and waits for the exit.
   */
  private static Drained terminate(RoleProcess role, boolean group, Check whileDraining) throws Exception {
    Set<Integer> statuses = new ConcurrentSkipListSet<>();
    AtomicBoolean checked = new AtomicBoolean();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    if (group) {
      new ProcessBuilder("kill", "-TERM", "--", "-" + role.pid()).inheritIO().start().waitFor();
    } else {
      ProcessHandle.of(role.pid()).orElseThrow().destroy();
    }
    Thread poller = new Thread(() -> {
      HttpRequest readyz = HttpRequest.newBuilder(role.url().resolve("/readyz")).timeout(Duration.ofSeconds(2)).build();
      while (role.alive()) {
        try {
          int status = HTTP.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode();
          statuses.add(status);
          if (status == 503 && checked.compareAndSet(false, true)) {
            whileDraining.run();
          }
        } catch (IOException e) {
          // the port closed: the drain is over
        } catch (Throwable e) {
          failures.add(e);
          checked.set(true);
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "readyz-poller");
    poller.start();
    int exit = role.stop(STOP_GRACE);
    poller.join(5000);
    if (!failures.isEmpty()) {
      throw new AssertionError("while " + role.describe() + " drained", failures.get(0));
    }
    assertThat(checked).as("a check made while draining").isTrue();
    for (String line : Files.readAllLines(role.log(), StandardCharsets.UTF_8)) {
      if (line.contains("draining [role") || line.contains("stopped [role")) {
        System.out.println(role.describe() + ": " + line);
      }
    }
    return new Drained(Set.copyOf(statuses), exit);
  }

  @FunctionalInterface
  private interface Check {
    void run() throws Exception;
  }

  /** Opens one stream per question on {@code edge} and returns once every one has streamed a token. */
  private static List<SseClient.InFlight> openStreams(Vertx vertx, RoleProcess edge, List<String> questions) {
    SseClient client = new SseClient(vertx, edge.port());
    List<SseClient.InFlight> streams = new ArrayList<>();
    for (String question : questions) {
      streams.add(client.stream(new JsonObject().put("site", "demo").put("message", question)));
    }
    Future.all(streams.stream().map(SseClient.InFlight::firstToken).toList())
        .timeout(60, TimeUnit.SECONDS).await();
    for (SseClient.InFlight stream : streams) {
      assertThat(stream.answer().isComplete()).as("a stream ended before the signal").isFalse();
    }
    return streams;
  }

  /** Every stream's answer, each checked to have ended with {@code done} after its tokens. */
  private static List<SseClient.Answer> endedWithDone(List<SseClient.InFlight> streams) {
    List<SseClient.Answer> answers = new ArrayList<>();
    for (SseClient.InFlight stream : streams) {
      SseClient.Answer answer = stream.answer().timeout(60, TimeUnit.SECONDS).await();
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.events().get(answer.events().size() - 1).event()).as(answer.raw()).isEqualTo("done");
      assertThat(answer.named("error")).as(answer.raw()).isEmpty();
      assertThat(answer.text()).isNotBlank();
      answers.add(answer);
    }
    return answers;
  }

  /** The answer's conversation, read through {@code edge}, holds its question and the very text streamed. */
  private static void assertConversationHolds(RoleProcess edge, SseClient.Answer answer) throws Exception {
    JsonObject conversation = conversation(edge, answer.first("ready").getString("conversation"), 2);
    JsonArray messages = conversation.getJsonArray("messages");
    assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("user");
    assertThat(messages.getJsonObject(1).getString("role")).isEqualTo("assistant");
    assertThat(messages.getJsonObject(1).getString("text")).isEqualTo(answer.text());
  }

  /** {@code GET /v1/conversations/{id}} through {@code edge}, asked again (a replica may lag) until it holds {@code messages}. */
  private static JsonObject conversation(RoleProcess edge, String id, int messages) throws Exception {
    HttpRequest get = HttpRequest.newBuilder(edge.url().resolve("/v1/conversations/" + id))
        .timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      HttpResponse<String> found = HTTP.send(get, HttpResponse.BodyHandlers.ofString());
      if (found.statusCode() == 200 && new JsonObject(found.body()).getJsonArray("messages").size() >= messages) {
        JsonObject conversation = new JsonObject(found.body());
        assertThat(conversation.getJsonArray("messages")).hasSize(messages);
        return conversation;
      }
      assertThat(System.nanoTime()).as("conversation %s: %s %s", id, found.statusCode(), found.body())
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** The slow sim's counters ({@code /sim/stats}), or resets them ({@code /sim/stats/reset}). */
  private static JsonObject simStats(String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(sim.url().resolve(path)).timeout(Duration.ofSeconds(10))
        .method(path.endsWith("reset") ? "POST" : "GET", HttpRequest.BodyPublishers.noBody()).build();
    HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 204);
    return answer.body().isBlank() ? new JsonObject() : new JsonObject(answer.body());
  }

  private static JsonObject jobState(JsonObject accepted) {
    try {
      HttpRequest get = HttpRequest.newBuilder(frontEdge.url().resolve("/v1/jobs/" + accepted.getString("job")))
          .timeout(Duration.ofSeconds(10)).build();
      HttpResponse<String> found = HTTP.send(get, HttpResponse.BodyHandlers.ofString());
      assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
      return new JsonObject(found.body());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> chat(RoleProcess edge, String question) throws Exception {
    HttpRequest post = HttpRequest.newBuilder(edge.url().resolve("/v1/chat"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("site", "demo").put("message", question).encode()))
        .build();
    return HTTP.send(post, HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> admin(RoleProcess edge, String method, String path, String token, String body)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(edge.url().resolve(path))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Whether origin A knows {@code site} (its internal API, with the edge token). */
  private static boolean originKnowsSite(Topology topology, String site) throws Exception {
    HttpRequest get = HttpRequest.newBuilder(origin.url().resolve("/internal/sites/" + site))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + topology.edgeToken()).build();
    int status = HTTP.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
    assertThat(status).isIn(200, 404);
    return status == 200;
  }

  /** Two documents of 600,000 characters (1.2 MB of JSON) whose second names no known freshness. */
  private static String largeDocumentsWithBadFreshness() {
    String text = "Parcels leave the warehouse within two days. ".repeat(600_000 / 45);
    return new JsonObject().put("documents", new JsonArray()
        .add(new JsonObject().put("title", "Shipping").put("text", text).put("freshness", "static"))
        .add(new JsonObject().put("title", "Shipping again").put("text", text).put("freshness", "someday")))
        .encode();
  }

  /**
   * A documents upload that declares 20 MB (over knowledge.maxUploadBytes) and sends a few bytes:
   * the edge answers before the body, which it does not read. Returns the status and body.
   */
  private static String declaredTooLarge(RoleProcess edge, String token) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", edge.port())) {
      socket.setSoTimeout(10_000);
      String head = "POST /admin/sites/too-large/documents HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Authorization: Bearer " + token + "\r\nContent-Type: application/json\r\n"
          + "Content-Length: 20000000\r\n\r\n{\"documents\":[";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String status = response.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3);
      return status + " " + response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  /** Waits until {@code role} is ready; when it is not, the failure carries every line it logged but stack frames. */
  private static void awaitReady(RoleProcess role) throws IOException {
    try {
      role.awaitReady(READY);
    } catch (TopologyException e) {
      List<String> said = Files.readAllLines(role.log(), StandardCharsets.UTF_8).stream()
          .filter(line -> !line.trim().startsWith("at ")).toList();
      throw new AssertionError(role.describe() + " did not start; it logged:\n" + String.join("\n", said), e);
    }
  }

  private static RoleProcess launch(String role, String region, Map<String, String> env) {
    int port = LoopbackPorts.free();
    env.put("EDGECHAT_HTTP_PORT", Integer.toString(port));
    env.put("EDGECHAT_HTTP_HOST", "127.0.0.1");
    RoleProcess process = RoleProcess.launch(java, role, region, port, env,
        dir.resolve(region + "-" + role + "-" + STARTED.size()));
    STARTED.add(process);
    return process;
  }

  private static URI proxyTo(Vertx vertx, RoleProcess target, long rttMs) {
    DelayProxy proxy = DelayProxy.start(vertx, target.port(), rttMs).await();
    PROXIES.add(proxy);
    return URI.create("http://127.0.0.1:" + proxy.port());
  }

  /** A role's environment without where it listens and which region it says it is in. */
  private static Map<String, String> withoutPlace(Map<String, String> environment) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.remove("EDGECHAT_HTTP_PORT");
    env.remove("EDGECHAT_HTTP_HOST");
    env.remove("EDGECHAT_REGION");
    return env;
  }

  private static long msSince(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
  }
}
