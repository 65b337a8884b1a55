package dev.edgechat.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17, defect 6: a queue-Redis outage turned accepted writes into 502 (the document was stored,
 * then sat {@code pending} until the sweeper, minutes later) and a client that retried made a
 * duplicate. On a real Postgres and a real queue Redis that the test stops and starts again on the
 * same port: a write that was stored answers 202 and runs within seconds of the queue's return (not
 * the sweeper's minutes: it is left at its default, 5 minutes), a call that could store nothing
 * answers 503 with {@code Retry-After}, and document uploads are idempotent by {@code Idempotency-Key}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 240, timeUnit = TimeUnit.SECONDS)
class QueueRedisOutageTest {

  private static final String ADMIN_TOKEN = "outage-admin-" + Ids.next();
  /** Far below the sweeper's default 5 minutes: pick-up this fast is the outbox's, not the sweeper's. */
  private static final long PROMPT_MS = 10_000;

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static Path queueDir;
  private static int queuePort;
  private static volatile EmbeddedRedisServer queueRedis;
  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    queueDir = Files.createTempDirectory("outage-queue-redis");
    queueRedis = EmbeddedRedisServer.start(queueDir, 0, "noeviction", "64mb");
    queuePort = queueRedis.url().getPort();
    system = SimulatedSystem.start(vertx,
            Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "5", "EDGECHAT_SIM_TOKENS_PER_SECOND", "5000"),
            Map.of("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN, "EDGECHAT_QUEUE_REDIS_URL", queueRedis.url().toString()))
        .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) {
      system.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    if (queueRedis != null) {
      queueRedis.close();
    }
  }

  record Reply(int status, String body, HttpResponse<String> raw) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  private static Reply call(String method, String path, Object body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + system.app().edgePort() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static Reply admin(String method, String path, Object body, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Authorization";
    all[1] = "Bearer " + ADMIN_TOKEN;
    System.arraycopy(headers, 0, all, 2, headers.length);
    return call(method, path, body, all);
  }

  private static String newSite(String prefix) {
    String site = prefix + "-" + Ids.next().substring(0, 8).toLowerCase();
    Reply created = admin("PUT", "/admin/sites/" + site,
        new JsonObject().put("name", "Shop " + site).put("allowedOrigins", new JsonArray().add("*")));
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    return site;
  }

  private static JsonObject upload(JsonObject... documents) {
    return new JsonObject().put("documents", new JsonArray(List.of((Object[]) documents)));
  }

  private static JsonObject document(String title, String text) {
    return new JsonObject().put("title", title).put("text", text);
  }

  private static JsonArray listing(String site) {
    Reply listed = admin("GET", "/admin/sites/" + site + "/documents", null);
    assertThat(listed.status()).as(listed.body()).isEqualTo(200);
    return new JsonArray(listed.body());
  }

  /** Polls until {@code condition} holds of the answer to {@code GET path}; fails after {@code timeoutMs}. */
  private static Reply until(String path, Predicate<Reply> condition, long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    Reply last;
    do {
      last = admin("GET", path, null);
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("GET " + path + " did not get there within " + timeoutMs + " ms; last: " + last.status()
        + " " + last.body());
  }

  private static boolean stateIs(Reply reply, String state) {
    return reply.status() == 200 && state.equals(reply.json().getString("state"));
  }

  /**
   * Verifies that with the queue Redis stopped, a document upload and a delete are stored and
   * answered 202 (their jobs readable as waiting), that a retry of the upload with its
   * Idempotency-Key gets the same answer and makes no duplicate, that a site update (Postgres only)
   * is untouched, that what could store nothing (an asynchronous chat, a job's state on the admin and
   * the visitor API) answers 503 with Retry-After, and that once the queue
   * Redis is back the jobs run within seconds.
   */
  @Test
  void queueRedisDown_acceptedWrites202_runWithinSecondsOfItsReturn() throws Exception {
    String site = newSite("outage");
    // a document to delete during the outage, ingested while the queue is up
    Reply before = admin("POST", "/admin/sites/" + site + "/documents",
        upload(document("Shipping", "We ship to every country in Europe within five days.").put("id", "shipping")));
    assertThat(before.status()).as(before.body()).isEqualTo(202);
    until("/admin/jobs/" + before.json().getString("job"), r -> stateIs(r, "completed"), 60_000);

    queueRedis.close();
    String key = "upload-" + Ids.next();
    JsonObject body = upload(document("Returns", "Returns are free within 30 days of delivery."),
        document("Gift cards", "Gift cards never expire and can be used online."));
    Reply posted = admin("POST", "/admin/sites/" + site + "/documents", body, "Idempotency-Key", key);
    Reply again = admin("POST", "/admin/sites/" + site + "/documents", body, "Idempotency-Key", key);
    Reply deleted = admin("DELETE", "/admin/sites/" + site + "/documents/shipping", null);
    Reply waiting = admin("GET", "/admin/jobs/" + posted.json().getString("job"), null);
    Reply unknownJob = admin("GET", "/admin/jobs/" + Ids.next(), null);
    Reply siteUpdated = admin("PUT", "/admin/sites/" + site,
        new JsonObject().put("name", "Renamed " + site).put("allowedOrigins", new JsonArray().add("*")));
    Reply asyncChat = call("POST", "/v1/chat", new JsonObject().put("site", site).put("message", "Gift cards?"),
        "Prefer", "respond-async");
    Reply visitorJob = call("GET", "/v1/jobs/" + Ids.next(), null);
    Reply ready = call("GET", "/readyz", null);
    JsonArray duringOutage = listing(site);

    assertThat(posted.status()).as(posted.body()).isEqualTo(202);
    JsonArray ids = posted.json().getJsonArray("documents");
    assertThat(ids).hasSize(2);
    assertThat(again.status()).as(again.body()).isEqualTo(202);
    assertThat(again.json()).isEqualTo(posted.json());
    assertThat(again.header("Idempotency-Replayed")).isEqualTo("true");
    assertThat(duringOutage).hasSize(3);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    assertThat(deleted.json().getString("job")).isNotBlank();
    assertThat(waiting.status()).as(waiting.body()).isEqualTo(200);
    assertThat(waiting.json().getString("state")).isEqualTo("waiting");
    assertThat(waiting.json().getString("type")).isEqualTo("ingest");
    assertThat(unknownJob.status()).as(unknownJob.body()).isEqualTo(503);
    assertThat(unknownJob.errorCode()).isEqualTo("overloaded");
    assertThat(unknownJob.header("Retry-After")).matches("\\d+");
    assertThat(siteUpdated.status()).as(siteUpdated.body()).isEqualTo(200);
    assertThat(asyncChat.status()).as(asyncChat.body()).isEqualTo(503);
    assertThat(asyncChat.errorCode()).isEqualTo("overloaded");
    assertThat(asyncChat.header("Retry-After")).matches("\\d+");
    assertThat(visitorJob.status()).as(visitorJob.body()).isEqualTo(503);
    assertThat(visitorJob.header("Retry-After")).matches("\\d+");
    // answers and writes go on without the queue: origin stays ready, the queue degraded
    assertThat(ready.status()).as(ready.body()).isEqualTo(200);
    assertThat(ready.json().getJsonObject("checks").getJsonObject("queue-redis").getString("status"))
        .isEqualTo("degraded");

    queueRedis = EmbeddedRedisServer.start(queueDir, queuePort, "noeviction", "64mb");
    long back = System.nanoTime();
    Reply ingested = until("/admin/jobs/" + posted.json().getString("job"), r -> stateIs(r, "completed"), PROMPT_MS);
    Reply gone = until("/admin/jobs/" + deleted.json().getString("job"), r -> stateIs(r, "completed"), PROMPT_MS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
    JsonArray after = listing(site);

    assertThat(ingested.json().getJsonObject("result").getInteger("ready")).isEqualTo(2);
    assertThat(gone.json().getJsonObject("result").getBoolean("deleted")).isTrue();
    assertThat(after).hasSize(2);
    after.forEach(d -> assertThat(((JsonObject) d).getString("status")).isEqualTo("ready"));
    assertThat(after.stream().map(d -> ((JsonObject) d).getString("id")).toList())
        .containsExactlyInAnyOrderElementsOf(ids.stream().map(String::valueOf).toList());
    assertThat(tookMs).isLessThan(PROMPT_MS);
    System.out.printf("queue Redis back -> upload and delete jobs completed in %d ms%n", tookMs);
  }

  /**
   * Verifies that the same upload sent five times at once with one Idempotency-Key stores its
   * documents (given no ids: each call would make new ones) once, and every call gets the same answer.
   */
  @Test
  void postDocuments_sameIdempotencyKeyAtOnce_oneUploadOneAnswer() throws Exception {
    String site = newSite("idem");
    String key = Ids.next();
    JsonObject body = upload(document("Opening hours", "We are open from nine to five, Monday to Friday."));
    List<CompletableFuture<Reply>> calls = IntStream.range(0, 5)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> admin("POST", "/admin/sites/" + site + "/documents", body,
            "Idempotency-Key", key)))
        .toList();
    List<Reply> replies = calls.stream().map(CompletableFuture::join).toList();

    assertThat(replies).allSatisfy(r -> assertThat(r.status()).as(r.body()).isEqualTo(202));
    assertThat(replies.stream().map(Reply::json).distinct()).hasSize(1);
    assertThat(replies.stream().filter(r -> "true".equals(r.header("Idempotency-Replayed")))).hasSize(4);
    assertThat(listing(site)).hasSize(1);
    until("/admin/jobs/" + replies.get(0).json().getString("job"), r -> stateIs(r, "completed"), 60_000);
  }

  /**
   * Verifies that an Idempotency-Key used again with another body is refused 422 in the API's error
   * shape and stores nothing, that the key is per site, and that a malformed key is a 400.
   */
  @Test
  void postDocuments_idempotencyKeyReusedWithOtherBody_422() {
    String site = newSite("reuse");
    String other = newSite("reuse");
    String key = Ids.next();
    Reply first = admin("POST", "/admin/sites/" + site + "/documents",
        upload(document("Delivery", "Delivery takes two days.")), "Idempotency-Key", key);
    Reply changed = admin("POST", "/admin/sites/" + site + "/documents",
        upload(document("Delivery", "Delivery takes three days.")), "Idempotency-Key", key);
    Reply elsewhere = admin("POST", "/admin/sites/" + other + "/documents",
        upload(document("Delivery", "Delivery takes three days.")), "Idempotency-Key", key);
    Reply malformed = admin("POST", "/admin/sites/" + site + "/documents",
        upload(document("Delivery", "Delivery takes four days.")), "Idempotency-Key", "k".repeat(300));

    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(changed.status()).as(changed.body()).isEqualTo(422);
    assertThat(changed.errorCode()).isEqualTo("idempotency_key_reused");
    assertThat(elsewhere.status()).as(elsewhere.body()).isEqualTo(202);
    assertThat(malformed.status()).as(malformed.body()).isEqualTo(400);
    assertThat(malformed.errorCode()).isEqualTo("invalid_request");
    assertThat(listing(site)).hasSize(1);
    assertThat(listing(site).getJsonObject(0).getString("id")).isEqualTo(first.json().getJsonArray("documents")
        .getString(0));
  }
}
