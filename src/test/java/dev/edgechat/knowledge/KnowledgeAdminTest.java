package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.Await;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The knowledge base through the admin API, on real Postgres and Redis with the local embedding
 * model: documents are accepted at once, ingested by a job on the queue, and retrieved by vector
 * similarity; changes and deletes reach the answers; asynchronous chat completes via polling.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class KnowledgeAdminTest {

  private static final String ADMIN_TOKEN = "test-admin-" + Ids.next();
  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx,
            Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "5", "EDGECHAT_SIM_TOKENS_PER_SECOND", "5000"),
            Map.of("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN, "EDGECHAT_KNOWLEDGE_MAX_UPLOAD_BYTES", "262144",
                "EDGECHAT_KNOWLEDGE_SWEEP_INTERVAL_MS", "200", "EDGECHAT_KNOWLEDGE_SWEEP_AFTER_MS", "1000"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    JsonArray array() {
      return new JsonArray(body);
    }

    String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  private static Future<Reply> call(HttpMethod method, String uri, Object body, String token) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1")
        .setPort(system.app().edgePort()).setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    Buffer payload = body == null ? Buffer.buffer() : body instanceof Buffer b ? b : Buffer.buffer(body.toString());
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(options).compose(req -> req.send(payload)
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))));
  }

  private static Future<Reply> admin(HttpMethod method, String uri, Object body) {
    return call(method, uri, body, ADMIN_TOKEN);
  }

  private static Future<Reply> putSite(Vertx vertx, String site) {
    return admin(HttpMethod.PUT, "/admin/sites/" + site,
        new JsonObject().put("name", "Shop " + site).put("allowedOrigins", new JsonArray().add("*")));
  }

  /** Polls a job until it is completed or failed; succeeds with it. */
  private static Future<JsonObject> finished(Vertx vertx, String path) {
    JsonObject[] last = new JsonObject[1];
    return Await.until(vertx, () -> call(HttpMethod.GET, path, null, ADMIN_TOKEN).map(reply -> {
      last[0] = reply.json();
      String state = last[0].getString("state");
      return "completed".equals(state) || "failed".equals(state);
    }), 120_000).map(v -> last[0]);
  }

  private static final String[] ANIMALS = {"parrot", "hamster", "goldfish", "rabbit", "tortoise", "ferret",
      "canary", "guinea pig", "iguana", "chinchilla", "gecko", "budgie", "axolotl", "hedgehog", "cockatiel",
      "rat", "snail", "chameleon", "gerbil", "duck"};
  private static final String[] ASPECTS = {"feeding", "grooming", "housing", "training", "vet visits"};
  private static final String[] DETAILS = {
      "what to feed it, how much and how often, and which foods are poisonous",
      "brushing, bathing, trimming claws and keeping it clean",
      "the cage or tank it needs, its size, bedding and temperature",
      "teaching it tricks and good habits with rewards",
      "vaccinations, check-ups and signs of illness to watch for"};

  /** One of 100 care guides: each animal and aspect once, so each question has one right document. */
  private static JsonObject guide(int i) {
    String animal = ANIMALS[i / ASPECTS.length];
    int aspect = i % ASPECTS.length;
    return new JsonObject()
        .put("id", "guide-" + i)
        .put("title", "The " + animal + ": " + ASPECTS[aspect])
        .put("url", "https://pets.example/" + animal.replace(' ', '-') + "/" + aspect)
        .put("freshness", i % 2 == 0 ? "static" : "dynamic")
        .put("text", "A guide to " + ASPECTS[aspect] + " for your " + animal + ".\n\nIt covers "
            + DETAILS[aspect] + ", for a healthy and happy " + animal + ".");
  }

  private static JsonObject ask(String site, String question) {
    return new JsonObject().put("site", site).put("message", question);
  }

  /**
   * Verifies that 100 documents posted through the admin API reach ready by one job, are listed with
   * their status, and that a question about one of them retrieves it as a source.
   */
  @Test
  void postDocuments_hundred_readyAndRetrievable(Vertx vertx, VertxTestContext ctx) {
    String site = "kb-" + Ids.next().substring(0, 8).toLowerCase();
    JsonArray docs = new JsonArray(IntStream.range(0, 100).mapToObj(KnowledgeAdminTest::guide).toList());
    putSite(vertx, site)
        .compose(created -> admin(HttpMethod.POST, "/admin/sites/" + site + "/documents",
            new JsonObject().put("documents", docs)).map(posted -> new Reply[] {created, posted}))
        .compose(r -> finished(vertx, "/admin/jobs/" + r[1].json().getString("job")).map(job -> new Object[] {r, job}))
        .compose(r -> admin(HttpMethod.GET, "/admin/sites/" + site + "/documents", null)
            .compose(listed -> system.sse().chat(ask(site, "What should I feed my chinchilla?"))
                .map(answer -> new Object[] {r[0], r[1], listed, answer})))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          Reply[] replies = (Reply[]) r[0];
          assertThat(replies[0].status()).isEqualTo(200);
          assertThat(replies[0].json().getString("name")).isEqualTo("Shop " + site);
          assertThat(replies[1].status()).isEqualTo(202);
          assertThat(replies[1].json().getJsonArray("documents")).hasSize(100).contains("guide-45");
          JsonObject job = (JsonObject) r[1];
          assertThat(job.getString("state")).isEqualTo("completed");
          // the sweeper of this test runs every 200 ms, so it may hand some of the documents to a second job
          // at the same time: together they ingest each document once
          JsonObject result = job.getJsonObject("result");
          assertThat(result.getInteger("ready") + result.getInteger("skipped")).isEqualTo(100);
          assertThat(result.getInteger("ready")).isPositive();
          JsonArray listed = ((Reply) r[2]).array();
          assertThat(listed).hasSize(100);
          listed.forEach(d -> {
            assertThat(((JsonObject) d).getString("status")).isEqualTo("ready");
            assertThat(((JsonObject) d).getLong("chunks")).as("chunks of %s", d).isEqualTo(1L);
          });
          SseClient.Answer answer = (SseClient.Answer) r[3];
          assertThat(answer.first("sources").getJsonArray("items").stream()
              .map(s -> ((JsonObject) s).getString("title")).toList()).contains("The chinchilla: feeding");
          ctx.completeNow();
        })));
  }

  /** The texts of a site's chunks, read from Postgres. */
  private static Future<List<String>> chunkTexts(Vertx vertx, String site) {
    io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
        .connectingTo(dev.edgechat.support.TestDatabases.postgres().toString()).using(vertx).build();
    return pool.preparedQuery("SELECT text FROM chunks WHERE site_id = $1 ORDER BY id")
        .execute(io.vertx.sqlclient.Tuple.of(site))
        .map(rows -> {
          List<String> texts = new java.util.ArrayList<>();
          rows.forEach(row -> texts.add(row.getString(0)));
          return texts;
        })
        .eventually(pool::close);
  }

  /**
   * Verifies that re-posting a changed document replaces its chunks (no duplicates) and retires the
   * cached answer (new knowledge-base version), that an unchanged one is skipped, and that a deleted
   * document leaves the listing, the chunks and the answers.
   */
  @Test
  @SuppressWarnings("unchecked")
  void changeAndDelete_reachChunksAndAnswers(Vertx vertx, VertxTestContext ctx) {
    String site = "kbc-" + Ids.next().substring(0, 8).toLowerCase();
    JsonObject v1 = new JsonObject().put("id", "returns").put("title", "Returns policy")
        .put("text", "You can return any item within 14 days of delivery.");
    JsonObject v2 = v1.copy().put("text", "You can return any item within 60 days of delivery.");
    String question = "How many days do I have to return an item?";
    String path = "/admin/sites/" + site + "/documents";
    List<Object> seen = new java.util.ArrayList<>();
    putSite(vertx, site)
        .compose(x -> admin(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray().add(v1))))
        .compose(posted -> finished(vertx, "/admin/jobs/" + posted.json().getString("job")))
        .compose(x -> system.sse().chat(ask(site, question)))
        .compose(first -> system.sse().chat(ask(site, question)).map(hit -> seen.add(hit.first("done"))))
        .compose(x -> admin(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray().add(v1))))
        .compose(same -> finished(vertx, "/admin/jobs/" + same.json().getString("job")).map(seen::add))
        .compose(x -> admin(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray().add(v2))))
        .compose(changed -> finished(vertx, "/admin/jobs/" + changed.json().getString("job")).map(seen::add))
        .compose(x -> Await.until(vertx, () -> system.sse().chat(ask(site, question))
            .map(after -> "miss".equals(after.first("done").getString("cache"))), 10_000))
        .compose(x -> chunkTexts(vertx, site).map(seen::add))
        .compose(x -> admin(HttpMethod.DELETE, path + "/returns", null))
        .compose(deleted -> finished(vertx, "/admin/jobs/" + deleted.json().getString("job")))
        .compose(x -> admin(HttpMethod.GET, path, null).map(listed -> seen.add(listed.array())))
        .compose(x -> chunkTexts(vertx, site).map(seen::add))
        .compose(x -> system.sse().chat(ask(site, question + " " + Ids.next())).map(seen::add))
        .onComplete(ctx.succeeding(x -> ctx.verify(() -> {
          assertThat(((JsonObject) seen.get(0)).getString("cache")).isEqualTo("hit");
          JsonObject unchanged = ((JsonObject) seen.get(1)).getJsonObject("result");
          assertThat(unchanged.getInteger("ready")).isZero();
          assertThat(unchanged.getInteger("skipped")).isEqualTo(1);
          assertThat(((JsonObject) seen.get(2)).getJsonObject("result").getInteger("ready")).isEqualTo(1);
          assertThat((List<Object>) seen.get(3)).containsExactly((Object) "You can return any item within 60 days of delivery.");
          assertThat((JsonArray) seen.get(4)).isEmpty();
          assertThat((List<Object>) seen.get(5)).isEmpty();
          assertThat(((SseClient.Answer) seen.get(6)).first("sources").getJsonArray("items")).isEmpty();
          ctx.completeNow();
        })));
  }

  /** Verifies that a document left pending without a job (lost with the queue) gets one from the sweeper. */
  @Test
  void pendingWithoutJob_sweptAndIngested(Vertx vertx, VertxTestContext ctx) {
    String site = "kbs-" + Ids.next().substring(0, 8).toLowerCase();
    io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
        .connectingTo(dev.edgechat.support.TestDatabases.postgres().toString()).using(vertx).build();
    DocumentStore store = new DocumentStore(pool);
    putSite(vertx, site)
        .compose(x -> store.accept(site, List.of(new Document("lost", "Lost job", null, "static",
            "This document's job was never enqueued."))))
        .compose(x -> Await.until(vertx, () -> admin(HttpMethod.GET, "/admin/sites/" + site + "/documents", null)
            .map(reply -> "ready".equals(reply.array().getJsonObject(0).getString("status"))),
            30_000))
        .eventually(pool::close)
        .onComplete(ctx.succeeding(v -> ctx.completeNow()));
  }

  /** The usage row of an answer message (what the model reported it cost), or null. */
  private static Future<JsonObject> usageOf(Vertx vertx, String message) {
    io.vertx.sqlclient.Pool pool = io.vertx.pgclient.PgBuilder.pool()
        .connectingTo(dev.edgechat.support.TestDatabases.postgres().toString()).using(vertx).build();
    return pool.preparedQuery("SELECT prompt_tokens, completion_tokens FROM usage WHERE message_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(message))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().toJson())
        .eventually(pool::close);
  }

  /**
   * Verifies that a question asked with Prefer: respond-async is answered by a job, read by polling,
   * saved in the conversation with what the model reported it cost.
   */
  @Test
  void chat_respondAsync_completesViaPollingWithUsage(Vertx vertx, VertxTestContext ctx) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(system.app().edgePort()).setURI("/v1/chat").putHeader("Content-Type", "application/json")
        .putHeader("Prefer", "respond-async");
    Buffer body = ask("demo", "Do you ship abroad? " + Ids.next()).toBuffer();
    JsonObject[] usageRow = new JsonObject[1];
    system.http().request(options)
        .compose(req -> req.send(body).compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString()))))
        .compose(accepted -> Await.until(vertx, () -> call(HttpMethod.GET, "/v1/jobs/" + accepted.json().getString("job"),
                null, null).map(job -> "completed".equals(job.json().getString("state"))), 30_000)
            .compose(v -> call(HttpMethod.GET, "/v1/jobs/" + accepted.json().getString("job"), null, null))
            .compose(job -> call(HttpMethod.GET, "/v1/conversations/" + accepted.json().getString("conversation"),
                null, null).map(conversation -> new Reply[] {accepted, job, conversation})))
        .compose(r -> usageOf(vertx, r[0].json().getString("message")).map(usage -> {
          usageRow[0] = usage;
          return r;
        }))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(usageRow[0]).as("usage row of the answer").isNotNull();
          assertThat(usageRow[0].getInteger("completion_tokens")).isPositive();
          assertThat(r[0].status()).isEqualTo(202);
          JsonObject accepted = r[0].json();
          assertThat(accepted.getString("conversation")).isNotBlank();
          assertThat(accepted.getString("message")).isNotBlank();
          JsonObject job = r[1].json();
          assertThat(job.getString("type")).isEqualTo("chat");
          JsonObject result = job.getJsonObject("result");
          assertThat(result.getString("message")).isEqualTo(accepted.getString("message"));
          assertThat(result.getString("answer")).isNotBlank();
          assertThat(r[2].json().getJsonArray("messages").stream()
              .map(m -> ((JsonObject) m).getString("id")).toList()).contains(accepted.getString("message"));
          ctx.completeNow();
        })));
  }

  /** Verifies that bad admin input gets the API.md §5 errors, never a 500. */
  @Test
  void badAdminInput_clearErrors(Vertx vertx, VertxTestContext ctx) {
    String site = "kbe-" + Ids.next().substring(0, 8).toLowerCase();
    String path = "/admin/sites/" + site + "/documents";
    JsonObject good = new JsonObject().put("title", "T").put("text", "Some text.");
    putSite(vertx, site).compose(x -> {
      List<Future<Reply>> replies = List.of(
          call(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray().add(good)), null),
          call(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray().add(good)), "wrong"),
          admin(HttpMethod.POST, path, Buffer.buffer("{not json")),
          admin(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray())),
          admin(HttpMethod.POST, path, new JsonObject().put("documents", new JsonArray().add(good.copy().remove("title")))),
          admin(HttpMethod.POST, path, new JsonObject().put("documents",
              new JsonArray().add(good.copy().put("url", "javascript:alert(1)")))),
          admin(HttpMethod.POST, path, new JsonObject().put("documents",
              new JsonArray().add(good.copy().put("freshness", "sometimes")))),
          admin(HttpMethod.POST, path, new JsonObject().put("documents",
              new JsonArray().add(good.copy().put("id", "a")).add(good.copy().put("id", "a")))),
          admin(HttpMethod.POST, "/admin/sites/no-such-site-" + Ids.next().substring(0, 6) + "/documents",
              new JsonObject().put("documents", new JsonArray().add(good))),
          admin(HttpMethod.POST, path, new JsonObject().put("documents",
              new JsonArray().add(good.copy().put("text", "x".repeat(300_000))))),
          admin(HttpMethod.PUT, "/admin/sites/" + site, new JsonObject().put("name", "N")
              .put("allowedOrigins", new JsonArray().add("https://shop.example/path"))),
          admin(HttpMethod.PUT, "/admin/sites/bad%20id", new JsonObject().put("name", "N")),
          admin(HttpMethod.DELETE, path + "/no-such-doc", null),
          admin(HttpMethod.GET, "/admin/jobs/no-such-job", null));
      return Future.all(replies).map(v -> replies.stream().map(Future::result).toList());
    }).onComplete(ctx.succeeding(replies -> ctx.verify(() -> {
      int[] statuses = {401, 401, 400, 400, 400, 400, 400, 400, 404, 413, 400, 400, 404, 404};
      String[] codes = {"unauthorized", "unauthorized", "invalid_request", "invalid_request", "invalid_request",
          "invalid_request", "invalid_request", "invalid_request", "not_found", "payload_too_large",
          "invalid_request", "invalid_request", "not_found", "not_found"};
      for (int i = 0; i < statuses.length; i++) {
        assertThat(replies.get(i).status()).as("reply %d: %s", i, replies.get(i).body()).isEqualTo(statuses[i]);
        assertThat(replies.get(i).errorCode()).as("reply %d", i).isEqualTo(codes[i]);
      }
      ctx.completeNow();
    })));
  }
}
