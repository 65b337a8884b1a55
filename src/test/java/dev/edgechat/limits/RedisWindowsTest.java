package dev.edgechat.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The batching of {@link RedisWindows}: many requests arriving on one event loop are decided in
 * fewer script calls, with exactly the outcomes they would have had one call each. A Redis of the
 * test's own, so that its command statistics count only this test's calls; two edges are two Vert.x
 * instances, each with its own client of that Redis.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class RedisWindowsTest {

  private static final long NOW = Instant.parse("2030-01-01T00:00:20Z").toEpochMilli();

  private EmbeddedRedisServer server;
  private final List<Vertx> edges = new ArrayList<>();
  private final List<RedisAPI> clients = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    server = EmbeddedRedisServer.start(Files.createTempDirectory("windows-redis"), 0, "noeviction", "16mb");
    edges.add(vertx);
    edges.add(Vertx.vertx());
    for (Vertx edge : edges) {
      clients.add(RedisAPI.api(Redis.createClient(edge, new RedisOptions().setConnectionString(server.url().toString()))));
    }
  }

  @AfterEach
  void stop() {
    clients.forEach(RedisAPI::close);
    edges.get(1).close().await();
    server.close();
  }

  /**
   * Verifies that 30 concurrent chats of one visitor with a limit of 20, 15 arriving on the event
   * loop of each of two edges sharing a Redis, are decided in 4 script calls (each edge's first
   * alone, the other 14 together) instead of 30: exactly 20 accepted, 10 refused naming the
   * visitor's window with the time until the minute ends, and the refusals cost the address nothing.
   */
  @Test
  void take_concurrentChatsOnTwoEdges_fewerCallsSameOutcomes() {
    String site = Ids.next();
    Window budget = new Window("site_budget", site, 1_000_000, VisitorLimits.DAY_MS, 0);
    Window visitor = new Window("visitor", site + ":" + Ids.next(), 20, VisitorLimits.MINUTE_MS, 1);
    Window address = new Window("ip", site + ":192.0.2.7", 0, VisitorLimits.MINUTE_MS, 1);
    RedisWindows first = new RedisWindows(clients.get(0));
    RedisWindows second = new RedisWindows(clients.get(1));
    // the script known to Redis, and the statistics reset: only the calls below are counted
    first.take(List.of(new Window("warm", Ids.next(), 0, 1000, 0)), NOW).await();
    clients.get(0).config(List.of("RESETSTAT")).await();

    CompletableFuture<List<Future<Verdict>>> onFirst = onLoop(edges.get(0), () -> takeMany(first, 15,
        List.of(budget, visitor, address)));
    CompletableFuture<List<Future<Verdict>>> onSecond = onLoop(edges.get(1), () -> takeMany(second, 15,
        List.of(budget, visitor, address)));
    List<Verdict> verdicts = new ArrayList<>();
    for (Future<Verdict> f : onFirst.join()) {
      verdicts.add(f.await());
    }
    for (Future<Verdict> f : onSecond.join()) {
      verdicts.add(f.await());
    }

    assertThat(verdicts.stream().filter(Verdict::allowed)).hasSize(20);
    List<Verdict> refused = verdicts.stream().filter(v -> !v.allowed()).toList();
    assertThat(refused).hasSize(10).allSatisfy(v -> {
      assertThat(v.refused()).isEqualTo(visitor);
      assertThat(v.retryAfterMs()).isEqualTo(40_000);
    });
    assertThat(scriptCalls()).isEqualTo(4);
    assertThat(counter(visitor)).isEqualTo(20);
    assertThat(counter(address)).isEqualTo(20);
  }

  /**
   * Verifies that a batch decides its requests in their order of arrival, each all or none: 120
   * requests of three visitors behind one address, sharing the site's budget, taken on one loop,
   * get verdict for verdict what the in-process store gives them one at a time (the same windows'
   * logic, unbatched), in fewer calls than requests.
   */
  @Test
  void take_mixedRequestsOnOneLoop_sameVerdictsAsOneAtATime() {
    String site = Ids.next();
    Random random = new Random(20);
    List<List<Window>> requests = new ArrayList<>();
    long[] visitorLimits = {5, 12, 40};
    for (int i = 0; i < 120; i++) {
      int who = random.nextInt(3);
      boolean async = random.nextInt(4) == 0;
      requests.add(List.of(
          new Window("site_budget", site, 13_000, VisitorLimits.DAY_MS, async ? 2000 : 0),
          new Window("visitor", site + ":v" + who, visitorLimits[who], VisitorLimits.MINUTE_MS, 1),
          new Window("ip", site + ":192.0.2.9", 40, VisitorLimits.MINUTE_MS, 1)));
    }
    LocalWindows oneAtATime = new LocalWindows();
    List<Verdict> expected = requests.stream().map(r -> oneAtATime.take(r, NOW).await()).toList();
    RedisWindows windows = new RedisWindows(clients.get(0));
    windows.take(List.of(new Window("warm", Ids.next(), 0, 1000, 0)), NOW).await();
    clients.get(0).config(List.of("RESETSTAT")).await();

    List<Future<Verdict>> futures = onLoop(edges.get(0), () -> requests.stream()
        .map(r -> windows.take(r, NOW)).toList()).join();
    List<Verdict> batched = futures.stream().map(f -> f.await()).toList();

    assertThat(batched).isEqualTo(expected);
    // the mix refuses by each of the three kinds, so the comparison covers every path of the script
    assertThat(expected.stream().filter(v -> !v.allowed()).map(v -> v.refused().kind()).distinct())
        .containsExactlyInAnyOrder("site_budget", "visitor", "ip");
    assertThat(scriptCalls()).isEqualTo(2);
  }

  /** Verifies that with Redis stopped, every request waiting on a loop fails at once (the limiter lets it pass), none hangs. */
  @Test
  void take_redisStopped_everyWaitingRequestFails() {
    RedisWindows windows = new RedisWindows(clients.get(0));
    Window visitor = new Window("visitor", Ids.next(), 20, VisitorLimits.MINUTE_MS, 1);
    windows.take(List.of(visitor), NOW).await();
    server.close();
    List<Future<Verdict>> futures = onLoop(edges.get(0), () -> takeMany(windows, 30, List.of(visitor))).join();
    for (Future<Verdict> f : futures) {
      assertThat(f.transform(done -> Future.succeededFuture(done.failed())).await()).isTrue();
    }
  }

  private static List<Future<Verdict>> takeMany(RedisWindows windows, int count, List<Window> request) {
    List<Future<Verdict>> futures = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      futures.add(windows.take(request, NOW));
    }
    return futures;
  }

  /** Runs {@code work} in one task on an event loop of {@code vertx}: everything it takes arrives in one turn. */
  /**
   * Verifies that a warmed-up counter's first request is one script call by its SHA-1: the script is
   * loaded beforehand, so the request does not first hear NOSCRIPT and send it whole, inside the
   * limiter's deadline.
   */
  @Test
  void warmUp_firstRequestRunsTheLoadedScript() {
    clients.get(0).script(List.of("FLUSH")).await();
    RedisWindows windows = new RedisWindows(clients.get(0));
    windows.warmUp().await();
    clients.get(0).config(List.of("RESETSTAT")).await();

    Verdict verdict = windows.take(List.of(new Window("visitor", Ids.next(), 5, VisitorLimits.MINUTE_MS, 1)), NOW)
        .await();

    assertThat(verdict).isEqualTo(Verdict.ALLOWED);
    assertThat(commandCalls("evalsha")).isEqualTo(1);
    assertThat(commandCalls("eval")).isZero();
  }

  private long commandCalls(String command) {
    String stats = clients.get(0).info(List.of("commandstats")).await().toString();
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith("cmdstat_" + command + ":")) {
        return Long.parseLong(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
      }
    }
    return 0;
  }

  private static <T> CompletableFuture<T> onLoop(Vertx vertx, Supplier<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.getOrCreateContext().runOnContext(v -> result.complete(work.get()));
    return result;
  }

  private long scriptCalls() {
    return commandCalls("evalsha") + commandCalls("eval");
  }

  private long counter(Window w) {
    return clients.get(0).get(RedisWindows.PREFIX + w.name(NOW)).await().toLong();
  }
}
