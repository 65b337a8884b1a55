package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.knowledge.SiteChangeLog;
import dev.edgechat.support.EdgeProbe;
import dev.edgechat.support.EdgeProxy;
import dev.edgechat.support.SiteAdmin;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import dev.edgechat.topology.DelayProxy;
import dev.edgechat.web.Ids;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Origin's change feed and an edge following it, as separate roles: role all (origin, its jobs and
 * an edge) and an edge of its own reaching origin through a {@link DelayProxy} that the tests cut,
 * both on the shared test Postgres and Redis. Site entries live an hour on the edges, so only the
 * feed can make them learn a change in time.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChangeFeedTest {

  private static final String ADMIN_TOKEN = "admin-" + Ids.next();
  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  /** Site entries of the edge that cannot follow the feed live this long. */
  private static final long BLIND_SITE_CACHE_MS = 1_500;
  private static Application all;
  private static Application edge;
  private static DelayProxy toOrigin;
  private static Application blind;
  private static EdgeProxy refusingFeed;
  private static EdgeProbe blindEdge;
  private static SiteAdmin admin;
  private static EdgeProbe farEdge;
  private static EdgeProbe nearEdge;
  private static URI origin;

  @BeforeAll
  static void start(Vertx vertx) {
    all = settings(new TestSystem(vertx)).env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN).startAll().await();
    origin = URI.create("http://127.0.0.1:" + all.originPort());
    toOrigin = DelayProxy.start(vertx, all.originPort(), 20).await();
    edge = settings(new TestSystem(vertx))
        .env("EDGECHAT_ORIGIN_URL", "http://127.0.0.1:" + toOrigin.port())
        .env("EDGECHAT_REDIS_URL", TestDatabases.redis().toString())
        .start(Role.EDGE).await();
    // an edge that reaches origin but never its change feed
    refusingFeed = EdgeProxy.start(vertx, all.originPort(), 0).await();
    refusingFeed.refuse("/internal/changes");
    blind = settings(new TestSystem(vertx))
        .env("EDGECHAT_ORIGIN_URL", refusingFeed.url())
        .env("EDGECHAT_REDIS_URL", TestDatabases.redis().toString())
        .env("EDGECHAT_EDGE_SITE_CACHE_MS", Long.toString(BLIND_SITE_CACHE_MS))
        .start(Role.EDGE).await();
    blindEdge = new EdgeProbe(URI.create("http://127.0.0.1:" + blind.edgePort()));
    admin = new SiteAdmin(origin, ADMIN_TOKEN);
    farEdge = new EdgeProbe(URI.create("http://127.0.0.1:" + edge.edgePort()));
    nearEdge = new EdgeProbe(URI.create("http://127.0.0.1:" + all.edgePort()));
  }

  private static TestSystem settings(TestSystem system) {
    return system.env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_EDGE_SITE_CACHE_MS", "3600000")
        .env("EDGECHAT_ORIGIN_CHANGES_HEARTBEAT_MS", "300")
        .env("EDGECHAT_EDGE_CHANGES_TIMEOUT_MS", "1200");
  }

  @AfterAll
  static void stop() {
    if (blind != null) {
      blind.close().await();
    }
    if (refusingFeed != null) {
      refusingFeed.close().await();
    }
    if (edge != null) {
      edge.close().await();
    }
    if (toOrigin != null) {
      toOrigin.close();
    }
    if (all != null) {
      all.close().await();
    }
  }

  /**
   * Verifies that an edge whose link to origin is cut while five changes are made (a new name, three
   * purges, a purge by document) applies every one of them, each once and none skipped, after it
   * reconnects (resuming, not from a snapshot), and that its cached answer then misses.
   */
  @Test
  void follower_cutWhileChangesAreMade_appliesEveryOneAfterReconnecting() {
    String site = "feed-cut-" + Ids.next().toLowerCase();
    admin.putSite(site, "A site changed while an edge is cut off");
    long before = admin.purge(site).getLong("change");
    awaitApplied(farEdge, before);
    String question = "Do you ship to Iceland?";
    farEdge.ask(site, question);
    assertThat(farEdge.ask(site, question).cache()).isEqualTo("hit");
    double siteChanges = farEdge.metric("edgechat_changes_applied_total", "scope=\"site\"");
    double documentPurges = farEdge.metric("edgechat_changes_applied_total", "scope=\"documents\"");
    double snapshots = farEdge.metric("edgechat_changes_snapshots_total", "");
    double reconnects = farEdge.metric("edgechat_changes_reconnects_total", "");

    toOrigin.cut(true);
    farEdge.awaitMetric("edgechat_changes_feed_state", v -> v == 0, Duration.ofSeconds(10));
    admin.putSite(site, "Renamed while the edge is cut off");
    admin.purge(site);
    admin.purgeDocuments(site, List.of("returns-policy"));
    admin.purge(site);
    long last = admin.purge(site).getLong("change");
    toOrigin.cut(false);
    awaitApplied(farEdge, last);

    assertThat(last - before).as("changes made meanwhile (numbers have no gaps)").isEqualTo(5);
    assertThat(farEdge.metric("edgechat_changes_applied_total", "scope=\"site\"") - siteChanges).isEqualTo(4);
    assertThat(farEdge.metric("edgechat_changes_applied_total", "scope=\"documents\"") - documentPurges)
        .isEqualTo(1);
    assertThat(farEdge.metric("edgechat_changes_snapshots_total", "")).as("resumed, not restarted")
        .isEqualTo(snapshots);
    assertThat(farEdge.metric("edgechat_changes_reconnects_total", "")).isGreaterThan(reconnects);
    assertThat(farEdge.metric("edgechat_changes_feed_state", "")).isEqualTo(2);
    assertThat(farEdge.ask(site, question).cache()).isEqualTo("miss");
  }

  /**
   * Verifies that a purge by document retires, on every edge of the region, the answers that cite
   * that document, in memory and in the region's Redis (the first edge to ask again misses, although
   * the other edge had stored the answer in Redis), while an answer citing another document stays.
   */
  @Test
  void purgeByDocument_retiresOnlyTheAnswersCitingIt_onEveryEdgeOfTheRegion() {
    String site = "feed-docs-" + Ids.next().toLowerCase();
    admin.putSite(site, "A site with two unrelated documents");
    admin.addDocuments(site, List.of(
        new JsonObject().put("id", "shipping").put("title", "Shipping to Iceland")
            .put("text", "We ship parcels to Iceland by air freight. Parcels to Iceland arrive within five days."),
        new JsonObject().put("id", "cafeteria").put("title", "Cafeteria menu")
            .put("text", "The cafeteria serves vegetarian lasagna every Tuesday. Lasagna costs four euros.")),
        Duration.ofMinutes(2));
    String shipping = "Do you ship parcels to Iceland?";
    String lasagna = "When does the cafeteria serve lasagna?";
    JsonObject seen = admin.purge(site);
    awaitApplied(farEdge, seen.getLong("change"));
    awaitApplied(nearEdge, seen.getLong("change"));

    EdgeProbe.Reply shipped = farEdge.ask(site, shipping);
    EdgeProbe.Reply served = farEdge.ask(site, lasagna);
    assertThat(shipped.documents()).as("sources of '%s'", shipping).containsExactly("shipping");
    assertThat(served.documents()).as("sources of '%s'", lasagna).containsExactly("cafeteria");
    assertThat(farEdge.ask(site, shipping).cache()).isEqualTo("hit");
    // the other edge of the region finds both in Redis (and keeps them in memory)
    assertThat(nearEdge.ask(site, shipping).cache()).isEqualTo("hit");
    assertThat(nearEdge.ask(site, lasagna).cache()).isEqualTo("hit");

    JsonObject purged = admin.purgeDocuments(site, List.of("shipping"));
    awaitApplied(farEdge, purged.getLong("change"));
    awaitApplied(nearEdge, purged.getLong("change"));

    assertThat(purged.getLong("version")).as("a purge by document keeps the version").isEqualTo(seen.getLong("version"));
    assertThat(purged.getJsonArray("documents").getList()).containsExactly("shipping");
    // had Redis kept it, the far edge would find it there once its memory dropped it
    assertThat(farEdge.ask(site, shipping).cache()).as("retired in memory and in Redis").isEqualTo("miss");
    assertThat(farEdge.ask(site, lasagna).cache()).as("cites another document").isEqualTo("hit");
    assertThat(nearEdge.ask(site, lasagna).cache()).isEqualTo("hit");
    assertThat(nearEdge.ask(site, shipping).cache()).as("the answer made after the purge stays").isEqualTo("hit");
  }

  /**
   * Verifies that an edge that reaches origin but not its change feed still learns a purge by
   * document and a purge of the site within {@code edge.siteCacheMs} (plus the time to ask): each
   * time it asks origin for the site again it gets the version and the site's purges by document.
   */
  @Test
  void siteDirectory_cutOffFromTheFeed_learnsPurgesWithinSiteCacheMs() {
    String site = "feed-blind-" + Ids.next().toLowerCase();
    admin.putSite(site, "A site an edge without the feed serves");
    admin.addDocuments(site, List.of(new JsonObject().put("id", "shipping").put("title", "Shipping to Iceland")
        .put("text", "We ship parcels to Iceland by air freight. Parcels to Iceland arrive within five days.")),
        Duration.ofMinutes(2));
    String question = "Do you ship parcels to Iceland?";
    long settled = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BLIND_SITE_CACHE_MS);
    while (System.nanoTime() < settled) {
      sleep(50); // the ingestion's new version, learned the slow way
    }
    EdgeProbe.Reply first = blindEdge.ask(site, question);
    // the whole answer in the message: once in CI (1 of 534 tests, not reproduced since) it cited nothing
    assertThat(first.documents()).as("sources of the first answer, %s: %s", first.cache(), first.events())
        .containsExactly("shipping");
    assertThat(blindEdge.ask(site, question).cache()).isEqualTo("hit");
    assertThat(blindEdge.metric("edgechat_changes_feed_state", "")).as("never live").isLessThan(2);

    long sent = System.nanoTime();
    admin.purgeDocuments(site, List.of("shipping"));
    long byDocument = blindEdge.untilMiss(site, question, sent, Duration.ofMillis(20), Duration.ofSeconds(20));
    assertThat(blindEdge.ask(site, question).cache()).isEqualTo("hit");
    sent = System.nanoTime();
    admin.purge(site);
    long wholeSite = blindEdge.untilMiss(site, question, sent, Duration.ofMillis(20), Duration.ofSeconds(20));

    assertThat(byDocument).isLessThanOrEqualTo(BLIND_SITE_CACHE_MS + 1_000);
    assertThat(wholeSite).isLessThanOrEqualTo(BLIND_SITE_CACHE_MS + 1_000);
  }

  /**
   * Verifies that origin's feed, asked for the changes after one it still keeps, sends exactly the
   * changes after it, in order, each under its number, then the next one as it is made.
   */
  @Test
  void changeFeed_afterAKeptChange_replaysInOrderThenGoesLive() throws Exception {
    String site = "feed-replay-" + Ids.next().toLowerCase();
    admin.putSite(site, "A site whose changes are replayed");
    long after = admin.purge(site).getLong("change");
    long first = admin.purge(site).getLong("change");
    admin.purgeDocuments(site, List.of("faq"));
    long third = admin.purge(site).getLong("change");

    try (Feed feed = Feed.open(origin, "?after=" + after)) {
      List<SseEvent> replayed = List.of(feed.next(), feed.next(), feed.next());
      long live = admin.purge(site).getLong("change");
      SseEvent next = feed.next();

      assertThat(replayed).extracting(SseEvent::event).containsOnly("change");
      assertThat(replayed).extracting(SseEvent::id)
          .containsExactly(Long.toString(first), Long.toString(first + 1), Long.toString(third));
      assertThat(replayed.get(1).json().getJsonArray("documents").getList()).containsExactly("faq");
      assertThat(replayed.get(0).json().containsKey("documents")).isFalse();
      assertThat(replayed.get(0).json().getString("site")).isEqualTo(site);
      assertThat(next.id()).isEqualTo(Long.toString(live));
      assertThat(next.json().getLong("version")).isEqualTo(replayed.get(2).json().getLong("version") + 1);
    }
  }

  /**
   * Verifies that a feed asked without a number, or after changes the log no longer keeps, starts
   * with a snapshot (every site's version, the purges by document kept) and goes on after it.
   */
  @Test
  void changeFeed_noNumberOrPrunedChanges_startsFromASnapshot(Vertx vertx) throws Exception {
    String site = "feed-snapshot-" + Ids.next().toLowerCase();
    admin.putSite(site, "A site seen in snapshots");
    long version = admin.purge(site).getLong("version");
    admin.purgeDocuments(site, List.of("kept-doc"));

    try (Feed feed = Feed.open(origin, "")) {
      SseEvent snapshot = feed.next();
      assertThat(snapshot.event()).isEqualTo("snapshot");
      assertThat(snapshot.json().getJsonArray("sites").stream().map(JsonObject.class::cast)
          .filter(s -> s.getString("site").equals(site)).findFirst().orElseThrow().getLong("version"))
          .isEqualTo(version);
      assertThat(snapshot.json().getJsonArray("purges").stream().map(JsonObject.class::cast)
          .anyMatch(p -> p.getString("site").equals(site))).isTrue();
      long live = admin.purge(site).getLong("change");
      assertThat(feed.next().id()).isEqualTo(Long.toString(live));
    }

    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    try {
      assertThat(new SiteChangeLog(pool).prune(0).await()).isPositive();
    } finally {
      pool.close().await();
    }
    long head = admin.purge(site).getLong("change");
    try (Feed feed = Feed.open(origin, "?after=0")) {
      SseEvent snapshot = feed.next();
      assertThat(snapshot.event()).isEqualTo("snapshot");
      assertThat(snapshot.json().getLong("seq")).isGreaterThanOrEqualTo(head);
      assertThat(snapshot.json().getJsonArray("purges")).isEmpty();
    }
  }

  /** Verifies that the feed wants the edge token and a whole number. */
  @Test
  void changeFeed_noTokenOrBadNumber_401And400() {
    assertThat(admin.call("GET", "/internal/changes", null, null).statusCode()).isEqualTo(401);
    assertThat(admin.call("GET", "/internal/changes", null, "Bearer " + ADMIN_TOKEN).statusCode()).isEqualTo(401);
    HttpResponse<String> bad = admin.call("GET", "/internal/changes?after=-3", null, "Bearer " + EDGE_TOKEN);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
    assertThat(admin.call("GET", "/internal/changes?after=abc", null, "Bearer " + EDGE_TOKEN).statusCode())
        .isEqualTo(400);
  }

  private static void awaitApplied(EdgeProbe edge, long change) {
    edge.awaitMetric("edgechat_changes_last_seq", v -> v >= change, Duration.ofSeconds(30));
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Origin's feed read as an edge would, event by event, from a thread of its own. */
  private static final class Feed implements AutoCloseable {

    private final BlockingQueue<SseEvent> events = new LinkedBlockingQueue<>();
    private final InputStream body;
    private final Thread reader;

    private Feed(InputStream body) {
      this.body = body;
      SseParser parser = new SseParser(events::add);
      this.reader = new Thread(() -> {
        byte[] buffer = new byte[8192];
        try {
          for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
            parser.handle(Buffer.buffer().appendBytes(buffer, 0, n));
          }
        } catch (IOException e) {
          // closed by the test
        }
      }, "change-feed-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Feed open(URI origin, String query) throws Exception {
      HttpResponse<InputStream> response = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
          .send(HttpRequest.newBuilder(origin.resolve("/internal/changes" + query))
              .header("Authorization", "Bearer " + EDGE_TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
      return new Feed(response.body());
    }

    SseEvent next() throws InterruptedException {
      SseEvent event = events.poll(10, TimeUnit.SECONDS);
      if (event == null) {
        throw new AssertionError("no event on the change feed within 10 s");
      }
      return event;
    }

    @Override
    public void close() throws IOException {
      body.close();
      reader.interrupt();
    }
  }
}
