package dev.edgechat.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.support.EdgeProbe;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two edges of one region sharing a Redis: role all (origin, the admin API and an edge) in this JVM,
 * and role edge in a process of its own reaching that origin, both counting in a Redis of this
 * test's, which the last test stops. A visitor, a site's budget and a gateway key over their limits are refused by either edge;
 * a site's own limits set through the admin API reach both; without Redis nothing is limited and
 * nothing fails.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SharedLimitsTest {

  private static final String ADMIN_TOKEN = "admin-" + Ids.next();
  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  private static final String GATEWAY_KEY = "gw-" + Ids.next();
  private static final long ESTIMATE = 7777;

  private static EmbeddedRedisServer redisServer;
  private static Redis redisClient;
  private static Application sim;
  private static Application all;
  private static Process edge;
  private static Path edgeLog;
  private static URI first;
  private static URI second;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    redisServer = EmbeddedRedisServer.start(Files.createTempDirectory("limits-redis"), 0, "noeviction", "32mb");
    redisClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(redisServer.url().toString()));
    sim = new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "5").env("EDGECHAT_SIM_TOKENS_PER_SECOND", "5000")
        .start(Role.SIM).await();
    all = limits(new TestSystem(vertx)).env("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN).startAllWithSim(sim.simPort()).await();
    first = URI.create("http://127.0.0.1:" + all.edgePort());
    // the second edge allows 3 reads a minute per address (the setting is each edge's; the count is the region's)
    Map<String, String> env = new HashMap<>(limits());
    env.put("EDGECHAT_ORIGIN_URL", "http://127.0.0.1:" + all.originPort());
    env.put("EDGECHAT_LIMITS_IP_READS_PER_MINUTE", "3");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    env.put("EDGECHAT_HTTP_PORT", Integer.toString(port));
    env.put("EDGECHAT_HTTP_HOST", "127.0.0.1");
    env.put("EDGECHAT_HTTP_INSTANCES", "2");
    env.put("EDGECHAT_CONFIG_DIR", Files.createTempDirectory("limits-edge-config").toString());
    edgeLog = Files.createTempFile("limits-edge", ".log");
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath(), "dev.edgechat.Main", "edge")
        .redirectErrorStream(true).redirectOutput(edgeLog.toFile());
    builder.environment().putAll(env);
    edge = builder.start();
    second = URI.create("http://127.0.0.1:" + port);
    awaitReady(second, Duration.ofSeconds(90));
  }

  /** The settings of both edges: the default limits but for the address limit (every test is 127.0.0.1). */
  private static Map<String, String> limits() {
    Map<String, String> env = new HashMap<>();
    env.put("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN);
    env.put("EDGECHAT_REDIS_URL", redisServer.url().toString());
    env.put("EDGECHAT_LIMITS_VISITOR_CHATS_PER_MINUTE", "3");
    env.put("EDGECHAT_LIMITS_IP_CHATS_PER_MINUTE", "10000");
    env.put("EDGECHAT_LIMITS_IP_READS_PER_MINUTE", "10000");
    env.put("EDGECHAT_LIMITS_SITE_DAILY_TOKENS", "5000000");
    env.put("EDGECHAT_LIMITS_ESTIMATED_MISS_TOKENS", Long.toString(ESTIMATE));
    // on a loaded test machine a Redis call may take longer than the 50 ms default; a stopped
    // Redis refuses connections at once, so the last test still shows the fail-open path
    env.put("EDGECHAT_LIMITS_REDIS_TIMEOUT_MS", "2000");
    env.put("EDGECHAT_GATEWAY_KEYS", GATEWAY_KEY);
    env.put("EDGECHAT_GATEWAY_PROFILES_DEFAULT_REQUESTS_PER_MINUTE", "2");
    // site changes reach the edges by origin's change feed, not by the entries' age
    env.put("EDGECHAT_EDGE_SITE_CACHE_MS", "3600000");
    return env;
  }

  private static TestSystem limits(TestSystem system) {
    limits().forEach(system::env);
    return system;
  }

  /** This JVM's class path, absolute (in a Maven test, the booter jar whose manifest names the rest). */
  private static String classPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.isBlank())
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  private static void awaitReady(URI edgeUri, Duration timeout) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!edge.isAlive()) {
        throw new AssertionError("the edge process exited: " + Files.readString(edgeLog));
      }
      try {
        if (client.send(HttpRequest.newBuilder(edgeUri.resolve("/readyz")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the edge process is not ready after " + timeout + ": " + Files.readString(edgeLog));
      }
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (edge != null) {
      edge.destroy();
      if (!edge.waitFor(30, TimeUnit.SECONDS)) {
        edge.destroyForcibly();
      }
    }
    for (Application app : new Application[] {all, sim}) {
      if (app != null) {
        app.close().await();
      }
    }
    if (redisClient != null) {
      redisClient.close();
    }
    if (redisServer != null) {
      redisServer.close();
    }
  }

  /**
   * Verifies that a visitor's chats are counted by both edges together: over the limit of 3 a
   * minute, the visitor gets 429 rate_limited with a Retry-After of at most a minute from either
   * edge, while another visitor is still answered.
   */
  @Test
  @Order(1)
  void chat_visitorOverLimit_refusedByEitherEdge() throws Exception {
    awaitFreshMinute();
    String visitor = "v-" + Ids.next();
    assertThat(chat(first, "demo", visitor).statusCode()).isEqualTo(200);
    assertThat(chat(second, "demo", visitor).statusCode()).isEqualTo(200);
    assertThat(chat(first, "demo", visitor).statusCode()).isEqualTo(200);
    for (URI edgeUri : new URI[] {second, first}) {
      HttpResponse<String> refused = chat(edgeUri, "demo", visitor);
      assertRateLimited(refused, 1, 60);
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message")).contains("visitor");
    }
    assertThat(chat(second, "demo", "v-" + Ids.next()).statusCode()).isEqualTo(200);
    assertThat(new EdgeProbe(second).metric("edgechat_limits_refused_total", "kind=\"visitor\"")).isEqualTo(1);
    assertThat(new EdgeProbe(first).metric("edgechat_limits_refused_total", "kind=\"visitor\"")).isEqualTo(1);
  }

  /**
   * Verifies that a site's own limit set through the admin API reaches the other edge by origin's
   * change feed and is held there (1 chat a minute where the edges' setting allows 3), that the
   * admin API shows it, and that a malformed one is a 400.
   */
  @Test
  @Order(2)
  void siteLimits_setThroughAdminApi_heldByTheOtherEdge() throws Exception {
    String site = "lim-" + Ids.next();
    assertThat(admin("PUT", "/admin/sites/" + site, new JsonObject().put("name", "Limited")
        .put("allowedOrigins", new io.vertx.core.json.JsonArray().add("*"))).statusCode()).isEqualTo(200);
    // the other edge knows the site, without limits of its own: a visitor may chat twice
    String before = "v-" + Ids.next();
    assertThat(chat(second, site, before).statusCode()).isEqualTo(200);
    assertThat(chat(second, site, before).statusCode()).isEqualTo(200);

    HttpResponse<String> put = admin("PUT", "/admin/sites/" + site, new JsonObject().put("name", "Limited")
        .put("allowedOrigins", new io.vertx.core.json.JsonArray().add("*"))
        .put("limits", new JsonObject().put("visitorChatsPerMinute", 1)));
    assertThat(put.statusCode()).isEqualTo(200);
    assertThat(new JsonObject(put.body()).getJsonObject("limits")).isEqualTo(new JsonObject().put("visitorChatsPerMinute", 1));

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    HttpResponse<String> second1;
    HttpResponse<String> second2;
    do {
      awaitFreshMinute();
      String visitor = "v-" + Ids.next();
      second1 = chat(second, site, visitor);
      second2 = chat(second, site, visitor);
    } while (second2.statusCode() == 200 && System.nanoTime() < deadline);
    assertThat(second1.statusCode()).isEqualTo(200);
    assertRateLimited(second2, 1, 60);

    HttpResponse<String> bad = admin("PUT", "/admin/sites/" + site, new JsonObject().put("name", "Limited")
        .put("limits", new JsonObject().put("visitorsPerHour", 3)));
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
    HttpResponse<String> negative = admin("PUT", "/admin/sites/" + site, new JsonObject().put("name", "Limited")
        .put("limits", new JsonObject().put("dailyTokens", -1)));
    assertThat(negative.statusCode()).isEqualTo(400);
  }

  /**
   * Verifies the per-address limit, here a site's own (2 chats a minute): chats of different visitors
   * from one address are refused once the address has had its 2, naming the address.
   */
  @Test
  @Order(3)
  void chat_addressOverSiteLimit_refused() throws Exception {
    String site = "ip-" + Ids.next();
    assertThat(admin("PUT", "/admin/sites/" + site, new JsonObject().put("name", "Per address")
        .put("allowedOrigins", new io.vertx.core.json.JsonArray().add("*"))
        .put("limits", new JsonObject().put("ipChatsPerMinute", 2))).statusCode()).isEqualTo(200);
    awaitFreshMinute();
    assertThat(chat(first, site, "v-" + Ids.next()).statusCode()).isEqualTo(200);
    assertThat(chat(second, site, "v-" + Ids.next()).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = chat(first, site, "v-" + Ids.next());
    assertRateLimited(refused, 1, 60);
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message")).contains("address");
    // other sites are not held to this site's limit
    assertThat(chat(first, "demo", "v-" + Ids.next()).statusCode()).isEqualTo(200);
  }

  /**
   * Verifies the site's daily budget: an answer from the model costs what the model reported (not
   * the estimate), and once the budget is spent the site's chats get 429 with a Retry-After that
   * runs to midnight UTC, from either edge.
   */
  @Test
  @Order(4)
  void chat_siteBudgetSpent_refusedUntilMidnightUtc() throws Exception {
    String site = "budget-" + Ids.next();
    assertThat(admin("PUT", "/admin/sites/" + site, new JsonObject().put("name", "On a budget")
        .put("allowedOrigins", new io.vertx.core.json.JsonArray().add("*"))
        .put("limits", new JsonObject().put("dailyTokens", 1))).statusCode()).isEqualTo(200);
    assertThat(chat(first, site, "v-" + Ids.next()).statusCode()).isEqualTo(200);

    long dayStart = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    String counter = RedisWindows.PREFIX + "site_budget:" + site + ":" + dayStart;
    RedisAPI redis = RedisAPI.api(redisClient);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String spent = null;
    while (spent == null && System.nanoTime() < deadline) {
      var value = redis.get(counter).await();
      spent = value == null ? null : value.toString();
      if (spent == null) {
        Thread.sleep(50);
      }
    }
    assertThat(spent).isNotNull();
    assertThat(Long.parseLong(spent)).isPositive().isNotEqualTo(ESTIMATE);

    long toMidnight = (dayStart + 86_400_000 - System.currentTimeMillis()) / 1000;
    for (URI edgeUri : new URI[] {second, first}) {
      HttpResponse<String> refused = chat(edgeUri, site, "v-" + Ids.next());
      assertRateLimited(refused, toMidnight - 5, toMidnight + 5);
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message")).contains("today");
    }
  }

  /**
   * Verifies that a gateway key's requests per minute are counted by both edges together: with 2 a
   * minute, the third request gets OpenAI's 429 with Retry-After, from the edge that saw none before.
   */
  @Test
  @Order(5)
  void gateway_keyOverLimit_refusedByEitherEdge() throws Exception {
    awaitFreshMinute();
    assertThat(models(first).statusCode()).isEqualTo(200);
    assertThat(models(first).statusCode()).isEqualTo(200);
    HttpResponse<String> refused = models(second);
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1L, 60L);
    assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(new EdgeProbe(second).metric("edgechat_limits_refused_total", "kind=\"gateway_key\"")).isEqualTo(1);
  }

  /**
   * Verifies that with the region's Redis stopped, a visitor over the limit is answered by both
   * edges (no limit, no failure: never a 5xx), reads pass too, and the edges count the requests
   * they let through unlimited.
   */
  @Test
  @Order(7)
  void chat_redisStopped_requestsPassUnlimited() throws Exception {
    awaitFreshMinute();
    String visitor = "v-" + Ids.next();
    for (int i = 0; i < 3; i++) {
      assertThat(chat(first, "demo", visitor).statusCode()).isEqualTo(200);
    }
    assertThat(chat(second, "demo", visitor).statusCode()).isEqualTo(429);
    redisServer.close();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> answered = chat(i % 2 == 0 ? first : second, "demo", visitor);
      assertThat(answered.statusCode()).as(answered.body()).isEqualTo(200);
      assertThat(new JsonObject(answered.body()).getString("answer")).isNotBlank();
    }
    HttpResponse<String> read = http.send(HttpRequest.newBuilder(second.resolve("/v1/conversations/" + Ids.next()))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(read.statusCode()).isEqualTo(404);
    assertThat(new EdgeProbe(first).metric("edgechat_limits_failopen_total", "")).isGreaterThanOrEqualTo(3);
    assertThat(new EdgeProbe(second).metric("edgechat_limits_failopen_total", "")).isGreaterThanOrEqualTo(4);
  }

  /**
   * Verifies that history, resume and job reads are counted per address (3 a minute on the second
   * edge): the fourth is 429 rate_limited with Retry-After, whichever read it is, while the widget's
   * ping is never counted.
   */
  @Test
  @Order(6)
  void reads_addressOverLimit_refused() throws Exception {
    awaitFreshMinute();
    for (int i = 0; i < 3; i++) {
      assertThat(get(second, "/v1/conversations/" + Ids.next()).statusCode()).isEqualTo(404);
    }
    assertRateLimited(get(second, "/v1/conversations/" + Ids.next()), 1, 60);
    assertRateLimited(get(second, "/v1/chat/" + Ids.next() + "/events"), 1, 60);
    assertRateLimited(get(second, "/v1/jobs/" + Ids.next()), 1, 60);
    assertThat(get(second, "/v1/ping").statusCode()).isEqualTo(200);
    assertThat(new EdgeProbe(second).metric("edgechat_limits_refused_total", "kind=\"ip_reads\"")).isEqualTo(3);
  }

  private HttpResponse<String> get(URI edgeUri, String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(edgeUri.resolve(path)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> chat(URI edgeUri, String site, String visitor) throws IOException, InterruptedException {
    JsonObject body = new JsonObject().put("site", site).put("message", "Do you ship to Norway? " + Ids.next())
        .put("visitor", visitor);
    return http.send(HttpRequest.newBuilder(edgeUri.resolve("/v1/chat")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> models(URI edgeUri) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(edgeUri.resolve("/v1/models")).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + GATEWAY_KEY).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String method, String path, JsonObject body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(first.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertRateLimited(HttpResponse<String> response, long minSeconds, long maxSeconds) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(429);
    assertThat(Long.parseLong(response.headers().firstValue("Retry-After").orElseThrow()))
        .isBetween(minSeconds, maxSeconds);
    JsonObject error = new JsonObject(response.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo("rate_limited");
    assertThat(error.getString("message")).isNotBlank();
  }

  /** Waits, when the minute is almost over, for the next one: a test's requests then share one window. */
  private static void awaitFreshMinute() throws InterruptedException {
    long intoMinute = Instant.now().toEpochMilli() % 60_000;
    if (intoMinute > 45_000) {
      Thread.sleep(60_000 - intoMinute + 50);
    }
  }
}
