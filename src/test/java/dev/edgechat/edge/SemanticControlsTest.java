package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.EdgeProbe;
import dev.edgechat.support.EdgeProxy;
import dev.edgechat.support.SiteAdmin;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator's controls of the semantic cache (issue 19): a site's own switch and error bound,
 * and reports of wrong hits, through real requests on two edges that follow origin's change feed:
 * role all (origin and an edge) and an edge of its own, on the shared test Postgres and Redis, with
 * the real embedding model and meaning guard. The second edge has no Redis level, so that it
 * answers (and indexes) questions itself rather than finding the first edge's answers in Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SemanticControlsTest {

  private static final String ADMIN_TOKEN = "admin-" + Ids.next();
  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  /** A question and a paraphrase the real model and guard match (CachedChatTest holds them to it). */
  private static final String ASKED = "Is there a student discount?";
  private static final String PARAPHRASE = "Do students get a discount?";

  private static Application all;
  private static Application edge;
  private static SiteAdmin admin;
  private static EdgeProbe near;
  private static EdgeProbe far;

  @BeforeAll
  static void start(Vertx vertx) {
    all = settings(new TestSystem(vertx)).env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN).startAll().await();
    edge = otherEdge(vertx).start(Role.EDGE).await();
    admin = new SiteAdmin(URI.create("http://127.0.0.1:" + all.originPort()), ADMIN_TOKEN);
    near = new EdgeProbe(URI.create("http://127.0.0.1:" + all.edgePort()));
    far = new EdgeProbe(URI.create("http://127.0.0.1:" + edge.edgePort()));
  }

  private static TestSystem settings(TestSystem system) {
    // site entries live an hour: only the change feed (or the site fetched anew) can tell an edge
    return system.env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_EDGE_SITE_CACHE_MS", "3600000")
        .env("EDGECHAT_ORIGIN_CHANGES_HEARTBEAT_MS", "300")
        .env("EDGECHAT_EDGE_CHANGES_TIMEOUT_MS", "1200");
  }

  private static TestSystem otherEdge(Vertx vertx) {
    return settings(new TestSystem(vertx))
        .env("EDGECHAT_ORIGIN_URL", "http://127.0.0.1:" + all.originPort())
        .env("EDGECHAT_REDIS_URL", TestDatabases.redis().toString())
        .env("EDGECHAT_CACHE_L2", "false");
  }

  @AfterAll
  static void stop() {
    if (edge != null) {
      edge.close().await();
    }
    if (all != null) {
      all.close().await();
    }
  }

  /**
   * Verifies that a reported wrong hit stops the cached question from answering by meaning on both
   * edges (through the change feed) and on an edge started after the report (through the site
   * origin sends), while exact repeats of it still hit, and that the report is counted and listed.
   */
  @Test
  void wrongHit_reported_stopsMatchingOnEveryEdge_exactRepeatStillHits(Vertx vertx) {
    String site = freshSite();
    admin.putSite(site, "A shop whose semantic hit is reported wrong");
    for (EdgeProbe probe : new EdgeProbe[] {near, far}) {
      askAndIndex(probe, site, ASKED);
    }
    EdgeProbe.Reply lent = near.ask(site, PARAPHRASE);
    assertThat(lent.cache()).isEqualTo("semantic");
    JsonObject done = last(lent, "done");
    assertThat(done.getString("matched")).isEqualTo("is there a student discount");
    assertThat(far.ask(site, PARAPHRASE).cache()).as("the other edge, before the report").isEqualTo("semantic");
    double reportsBefore = metricOrZero(near, "edgechat_cache_semantic_wrong_hits_total", "site=\"" + site + "\"");

    HttpResponse<String> reported = admin.call("POST", "/admin/sites/" + site + "/cache/wrong-hits",
        new JsonObject().put("matched", done.getString("matched")).put("question", PARAPHRASE)
            .put("message", first(lent, "ready").getString("message")).encode(), "Bearer " + ADMIN_TOKEN);
    assertThat(reported.statusCode()).as(reported.body()).isEqualTo(200);
    JsonObject report = new JsonObject(reported.body());
    assertThat(report.getString("matched")).isEqualTo("is there a student discount");
    awaitApplied(near, report.getLong("change"));
    awaitApplied(far, report.getLong("change"));

    assertThat(near.ask(site, PARAPHRASE).cache()).as("this edge, after the report").isEqualTo("miss");
    assertThat(far.ask(site, PARAPHRASE).cache()).as("the other edge, after the report").isEqualTo("miss");
    assertThat(near.ask(site, ASKED).cache()).as("an exact repeat").isEqualTo("hit");
    assertThat(far.ask(site, ASKED).cache()).as("an exact repeat on the other edge").isEqualTo("hit");
    assertThat(near.metric("edgechat_cache_semantic_blocked", "")).isGreaterThanOrEqualTo(1);
    assertThat(far.metric("edgechat_changes_applied_total", "scope=\"wrong_hit\"")).isGreaterThanOrEqualTo(1);
    assertThat(near.metric("edgechat_cache_semantic_wrong_hits_total", "site=\"" + site + "\"") - reportsBefore)
        .isEqualTo(1);

    HttpResponse<String> listed = admin.call("GET", "/admin/sites/" + site + "/cache/wrong-hits", null,
        "Bearer " + ADMIN_TOKEN);
    assertThat(listed.statusCode()).isEqualTo(200);
    JsonObject listing = new JsonObject(listed.body());
    assertThat(listing.getLong("reports")).isEqualTo(1);
    JsonObject latest = listing.getJsonArray("latest").getJsonObject(0);
    assertThat(latest.getString("matched")).isEqualTo("is there a student discount");
    assertThat(latest.getString("question")).isEqualTo(PARAPHRASE);
    assertThat(latest.getString("message")).isEqualTo(first(lent, "ready").getString("message"));
    assertThat(latest.getLong("change")).isEqualTo(report.getLong("change"));

    // an edge that starts after the report, and never reaches the change feed (no snapshot either),
    // learns it with the site, before it answers anything of it
    EdgeProxy refusingFeed = EdgeProxy.start(vertx, all.originPort(), 0).await();
    refusingFeed.refuse("/internal/changes");
    Application late = otherEdge(vertx).env("EDGECHAT_ORIGIN_URL", refusingFeed.url()).start(Role.EDGE).await();
    try {
      EdgeProbe started = new EdgeProbe(URI.create("http://127.0.0.1:" + late.edgePort()));
      String control = freshSite();
      admin.putSite(control, "A shop nobody reported");
      assertThat(started.ask(site, ASKED).cache()).isEqualTo("miss");
      // the index is filled in order on one thread: once the control's question is in, the reported one was not added
      askAndIndex(started, control, ASKED);
      assertThat(started.metric("edgechat_cache_semantic_entries", "")).as("only the control's question").isEqualTo(1);
      assertThat(started.ask(control, PARAPHRASE).cache()).as("the new edge matches by meaning").isEqualTo("semantic");
      assertThat(started.ask(site, PARAPHRASE).cache()).as("the new edge, reported question").isEqualTo("miss");
      assertThat(started.metric("edgechat_cache_semantic_blocked", "")).isGreaterThanOrEqualTo(1);
      assertThat(started.metric("edgechat_changes_last_seq", "")).as("never followed the feed").isEqualTo(-1);
      // the admin call through an edge, as an operator on the public hostname makes it
      HttpResponse<String> relayed = new SiteAdmin(URI.create("http://127.0.0.1:" + edge.edgePort()), ADMIN_TOKEN)
          .call("GET", "/admin/sites/" + site + "/cache/wrong-hits", null, "Bearer " + ADMIN_TOKEN);
      assertThat(relayed.statusCode()).as(relayed.body()).isEqualTo(200);
      assertThat(new JsonObject(relayed.body()).getLong("reports")).isEqualTo(1);
    } finally {
      late.close().await();
      refusingFeed.close().await();
    }
  }

  /**
   * Verifies that a site's switch turns the semantic level off on both edges (exact repeats still
   * hit), and that switching it back on (a new version, through the feed) makes paraphrases hit again.
   */
  @Test
  void siteSwitch_off_paraphraseMissesOnEveryEdge_onAgain_hits() {
    String site = freshSite();
    JsonObject stored = putSite(site, new JsonObject().put("enabled", false).put("maxWrongShare", 0.05));
    assertThat(stored.getJsonObject("semantic")).isEqualTo(new JsonObject().put("enabled", false)
        .put("maxWrongShare", 0.05));
    for (EdgeProbe probe : new EdgeProbe[] {near, far}) {
      assertThat(probe.ask(site, ASKED).cache()).isEqualTo("miss");
      assertThat(probe.ask(site, ASKED).cache()).as("an exact repeat").isEqualTo("hit");
      assertThat(probe.ask(site, PARAPHRASE).cache()).as("a paraphrase while the site's switch is off")
          .isEqualTo("miss");
    }

    assertThat(putSite(site, new JsonObject().put("maxWrongShare", 0.05)).getJsonObject("semantic"))
        .isEqualTo(new JsonObject().put("maxWrongShare", 0.05));
    long change = admin.purge(site).getLong("change");
    awaitApplied(near, change);
    awaitApplied(far, change);
    for (EdgeProbe probe : new EdgeProbe[] {near, far}) {
      askAndIndex(probe, site, ASKED);
      assertThat(probe.ask(site, PARAPHRASE).cache()).as("switched on again")
          .isEqualTo("semantic");
    }
  }

  /**
   * Verifies that a follow-up is matched by meaning among the follow-ups asked after the very same
   * earlier turns: after the same opening (answered from the cache, so the same history) a
   * paraphrased follow-up is a semantic hit, while the same paraphrase after another opening, and a
   * follow-up differing in what matters after the same opening, are misses.
   */
  @Test
  void followUp_sameEarlierTurns_paraphraseHits_otherTurnsOrHardNegative_miss() {
    String site = freshSite();
    admin.putSite(site, "A shop with follow-up questions");
    String opening = "What are your opening hours?";
    EdgeProbe.Reply first = near.ask(site, opening);
    assertThat(first.cache()).isEqualTo("miss");
    double entries = near.metric("edgechat_cache_semantic_entries", "");
    EdgeProbe.Reply followUp = near.ask(site, ASKED, conversation(first));
    assertThat(followUp.cache()).isEqualTo("miss");
    near.awaitMetric("edgechat_cache_semantic_entries", v -> v >= entries + 1, Duration.ofSeconds(30));

    EdgeProbe.Reply second = near.ask(site, opening);
    assertThat(second.cache()).isEqualTo("hit");
    EdgeProbe.Reply paraphrased = near.ask(site, PARAPHRASE, conversation(second));
    assertThat(paraphrased.cache()).as("a paraphrased follow-up after the same turns").isEqualTo("semantic");
    assertThat(paraphrased.text()).isEqualTo(followUp.text());
    assertThat(last(paraphrased, "done").getString("matched")).isEqualTo("is there a student discount");

    EdgeProbe.Reply third = near.ask(site, opening);
    assertThat(near.ask(site, "Is there a senior discount?", conversation(third)).cache())
        .as("a follow-up differing in what matters").isEqualTo("miss");
    EdgeProbe.Reply other = near.ask(site, "Where is your shop?");
    assertThat(near.ask(site, PARAPHRASE, conversation(other)).cache()).as("the same paraphrase after other turns")
        .isEqualTo("miss");
  }

  private static String conversation(EdgeProbe.Reply reply) {
    return first(reply, "ready").getString("conversation");
  }

  /** Verifies that bad semantic settings and bad wrong-hit reports are refused with 4xx JSON errors. */
  @Test
  void badSettingsAndReports_refusedWith4xxJson() {
    String site = freshSite();
    admin.putSite(site, "A shop for bad input");
    for (Object bad : new Object[] {
        new JsonObject().put("maxWrongShare", 0.9), new JsonObject().put("maxWrongShare", 0),
        new JsonObject().put("maxWrongShare", "0.1"), new JsonObject().put("enabled", "yes"),
        new JsonObject().put("threshold", 0.5), 3, new JsonArray()}) {
      HttpResponse<String> refused = admin.call("PUT", "/admin/sites/" + site, new JsonObject().put("name", "x")
          .put("semantic", bad).encode(), "Bearer " + ADMIN_TOKEN);
      assertError(refused, 400, "invalid_request", "semantic");
    }
    String path = "/admin/sites/" + site + "/cache/wrong-hits";
    assertError(admin.call("POST", path, null, "Bearer " + ADMIN_TOKEN), 400, "invalid_request", "");
    assertError(admin.call("POST", path, "{}", "Bearer " + ADMIN_TOKEN), 400, "invalid_request", "matched");
    assertError(admin.call("POST", path, "{\"matched\":\"?? !\"}", "Bearer " + ADMIN_TOKEN), 400,
        "invalid_request", "matched");
    assertError(admin.call("POST", path, "{\"matched\":7}", "Bearer " + ADMIN_TOKEN), 400, "invalid_request",
        "matched");
    assertError(admin.call("POST", path, "{\"matched\":\"a question\",\"message\":\"not an id!\"}",
        "Bearer " + ADMIN_TOKEN), 400, "invalid_request", "message");
    assertError(admin.call("POST", path, "[1]", "Bearer " + ADMIN_TOKEN), 400, "invalid_request", "");
    assertError(admin.call("POST", path, "{\"matched\":\"a question\"}", "Bearer wrong"), 401, "unauthorized", "");
    assertError(admin.call("POST", "/admin/sites/no-such-" + Ids.next().toLowerCase() + "/cache/wrong-hits",
        "{\"matched\":\"a question\"}", "Bearer " + ADMIN_TOKEN), 404, "not_found", "");
    assertError(admin.call("GET", "/admin/sites/no-such-" + Ids.next().toLowerCase() + "/cache/wrong-hits", null,
        "Bearer " + ADMIN_TOKEN), 404, "not_found", "");
    HttpResponse<String> none = admin.call("GET", path, null, "Bearer " + ADMIN_TOKEN);
    assertThat(none.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(none.body()).getLong("reports")).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  private static String freshSite() {
    return "semctl-" + Ids.next().substring(0, 10).toLowerCase();
  }

  private static JsonObject putSite(String site, JsonObject semantic) {
    HttpResponse<String> put = admin.call("PUT", "/admin/sites/" + site, new JsonObject().put("name", "Shop " + site)
        .put("allowedOrigins", new JsonArray().add("*")).put("semantic", semantic).encode(), "Bearer " + ADMIN_TOKEN);
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    return new JsonObject(put.body());
  }

  /** Asks {@code question} (a miss) and waits until the edge has it in its semantic index. */
  private static void askAndIndex(EdgeProbe probe, String site, String question) {
    double entries = probe.metric("edgechat_cache_semantic_entries", "");
    assertThat(probe.ask(site, question).cache()).isEqualTo("miss");
    probe.awaitMetric("edgechat_cache_semantic_entries", v -> v > entries, Duration.ofSeconds(30));
  }

  private static void awaitApplied(EdgeProbe probe, long change) {
    probe.awaitMetric("edgechat_changes_last_seq", v -> v >= change, Duration.ofSeconds(30));
  }

  private static double metricOrZero(EdgeProbe probe, String name, String labels) {
    try {
      return probe.metric(name, labels);
    } catch (AssertionError none) {
      return 0;
    }
  }

  private static JsonObject first(EdgeProbe.Reply reply, String event) {
    return reply.events().stream().filter(e -> e.event().equals(event)).findFirst().map(SseEvent::json)
        .orElseThrow(() -> new AssertionError("no " + event + " event"));
  }

  private static JsonObject last(EdgeProbe.Reply reply, String event) {
    return reply.events().stream().filter(e -> e.event().equals(event)).reduce((a, b) -> b).map(SseEvent::json)
        .orElseThrow(() -> new AssertionError("no " + event + " event"));
  }

  private static void assertError(HttpResponse<String> response, int status, String code, String mentions) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type").orElse("")).startsWith("application/json");
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).contains(mentions);
  }
}
