package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.SiteAdmin;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Origin and worker as separate roles, each on a Vert.x of its own, sharing the test Postgres and
 * queue Redis: a document whose ingestion job the worker completed is cited by origin's very next
 * answer, although origin never hears of the change.
 *
 * <p>Origin connects as a Postgres role that may not read the site change log ({@code
 * site_changes}: only its {@code at}, which a change's insert returns), so its change hub fails at
 * every read and the refresh it would start on the worker's change never runs; only the 5-minute
 * resync would bring the chunks in. The answer must find them anyway: its search catches the
 * index up with the site's version first.
 */
@Timeout(120)
class IngestedOnWorkerTest {

  private static final String EDGE_TOKEN = "edge-token-ingested-on-worker";
  private static final String ADMIN_TOKEN = "admin-token-ingested-on-worker";
  /** A Postgres role with every right of the schema but reading the site change log. */
  private static final String DEAF_ROLE = "edgechat_deaf_origin";

  private static Vertx workerVertx;
  private static Vertx originVertx;
  private static Application worker;
  private static Application origin;
  private static URI originUrl;
  private static SiteAdmin admin;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    URI postgres = TestDatabases.postgres();
    URI redis = TestDatabases.redis();
    workerVertx = Vertx.vertx();
    originVertx = Vertx.vertx();
    URI deaf = deafRole(postgres);
    worker = new TestSystem(workerVertx)
        .env("EDGECHAT_POSTGRES_URL", postgres.toString())
        .env("EDGECHAT_QUEUE_REDIS_URL", redis.toString())
        .start(Role.WORKER).await();
    origin = new TestSystem(originVertx)
        .env("EDGECHAT_POSTGRES_URL", deaf.toString())
        .env("EDGECHAT_QUEUE_REDIS_URL", redis.toString())
        .env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN)
        .start(Role.ORIGIN).await();
    originUrl = URI.create("http://127.0.0.1:" + origin.originPort());
    admin = new SiteAdmin(originUrl, ADMIN_TOKEN);
  }

  /** The role origin connects as, made (again) by the test Postgres's superuser; its URL. */
  private static URI deafRole(URI postgres) {
    Vertx vertx = Vertx.vertx();
    Pool pool = PgBuilder.pool().connectingTo(postgres.toString()).using(vertx).build();
    try {
      for (String sql : List.of(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + DEAF_ROLE + "') THEN CREATE ROLE "
              + DEAF_ROLE + " LOGIN PASSWORD 'deaf'; END IF; END $$",
          "GRANT ALL ON ALL TABLES IN SCHEMA public TO " + DEAF_ROLE,
          "GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO " + DEAF_ROLE,
          "REVOKE SELECT ON site_changes FROM " + DEAF_ROLE,
          "GRANT SELECT (at) ON site_changes TO " + DEAF_ROLE)) {
        pool.query(sql).execute().await();
      }
    } finally {
      pool.close().await();
      vertx.close().await();
    }
    return URI.create("postgres://" + DEAF_ROLE + ":deaf@" + postgres.getHost() + ":" + postgres.getPort()
        + postgres.getPath());
  }

  @AfterAll
  static void stop() {
    if (origin != null) {
      origin.close().await();
    }
    if (worker != null) {
      worker.close().await();
    }
    if (originVertx != null) {
      originVertx.close().await();
    }
    if (workerVertx != null) {
      workerVertx.close().await();
    }
  }

  /**
   * Verifies that the answer origin gives right after the worker completed a document's ingestion
   * job cites that document, when origin's chunk index has not heard of the change, and that the
   * search counted its catch-up.
   */
  @Test
  void answer_rightAfterWorkerIngested_citesTheDocument() throws Exception {
    String site = "worker-" + UUID.randomUUID().toString().substring(0, 8);
    admin.putSite(site, "Parcel shop");
    admin.addDocuments(site, List.of(new JsonObject().put("id", "returns").put("title", "Returns")
        .put("text", "Returns are free within 30 days of delivery. Print the label from your account and drop "
            + "the parcel at any post office.")), Duration.ofSeconds(60));

    String answer = ask(site, "Are returns free?");

    assertThat(sourcesOf(answer)).as("the answer's sources: %s", answer).contains("\"id\":\"returns\"");
    assertThat(get("/metrics")).containsPattern("edgechat_retrieval_catchup_total\\{[^}]*outcome=\"caught-up\"[^}]*} 1\\.0");
  }

  /** {@code POST /internal/answer} as an edge asks it; the whole event stream. */
  private String ask(String site, String question) throws IOException, InterruptedException {
    String id = UUID.randomUUID().toString().replace("-", "");
    JsonObject body = new JsonObject().put("site", site).put("conversation", "c" + id).put("newConversation", true)
        .put("message", "m" + id).put("question", question).put("visitor", "visitor-1");
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(originUrl.resolve("/internal/answer"))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + EDGE_TOKEN)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response.body();
  }

  private String get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(originUrl.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The data of the stream's {@code sources} event. */
  private static String sourcesOf(String stream) {
    String[] lines = stream.split("\n");
    for (int i = 0; i + 1 < lines.length; i++) {
      if (lines[i].equals("event: sources")) {
        return lines[i + 1];
      }
    }
    throw new AssertionError("no sources event in: " + stream);
  }
}
