package dev.edgechat.embedding;

import static dev.edgechat.embedding.EmbeddingBatcherTest.assertSimVectors;
import static dev.edgechat.embedding.EmbeddingBatcherTest.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.EmbeddedRedisServer;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.config.SimSettings;
import dev.edgechat.support.Await;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Ids;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.RedisAPI;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The stack of a remote provider, Cached(Batcher(Remote)), against the real simulator and a real
 * Redis, with Vert.x timers: how many upstream calls, what is cached, and what happens when Redis or
 * the upstream fails.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class CachedEmbeddingModelTest {

  private static final long TTL_MS = 30L * 86_400_000;

  private static SimServer sim;
  private static RedisConnection redis;

  private SimpleMeterRegistry registry;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    redis = RedisConnection.open(vertx, "test", TestDatabases.redis(), 2000);
    SimServer.start(vertx).onComplete(ctx.succeeding(started -> {
      sim = started;
      ctx.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    redis.close();
    sim.close().onComplete(ctx.succeedingThenComplete());
  }

  @BeforeEach
  void resetCounters() {
    sim.api().stats().reset();
    registry = new SimpleMeterRegistry();
  }

  @AfterEach
  void restoreSim() {
    sim.api().settings(SimServer.SETTINGS);
  }

  /**
   * Verifies that 100 distinct chunks asked for concurrently, one call each, reach the upstream in
   * at most five calls (batches of 20), and that every caller gets its own text's vector.
   */
  @Test
  void embed_100ConcurrentChunks_atMostFiveUpstreamCalls(Vertx vertx, VertxTestContext ctx) {
    EmbeddingModel model = remoteStack(vertx, redis.api(), 20, 50);
    List<String> chunks = texts("concurrent " + Ids.next(), 100);
    List<Future<List<float[]>>> calls = new ArrayList<>();
    chunks.forEach(chunk -> calls.add(model.embed(List.of(chunk))));
    Future.all(calls).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < chunks.size(); i++) {
        assertSimVectors(List.of(chunks.get(i)), calls.get(i).result());
      }
      assertThat(sim.api().stats().embeddingInputs()).isEqualTo(100);
      assertThat(sim.api().stats().embeddingCalls()).isLessThanOrEqualTo(5);
      DistributionSummary sizes = registry.get("edgechat.embedding.batch.size").summary();
      assertThat(sizes.count()).isEqualTo(sim.api().stats().embeddingCalls());
      assertThat(sizes.mean()).isGreaterThanOrEqualTo(20);
      assertThat(registry.get("edgechat.embedding.cache.lookups").tag("result", "miss").counter().count())
          .isEqualTo(100);
      ctx.completeNow();
    })));
  }

  /** Verifies that texts embedded once are served from Redis the second time: no new upstream call. */
  @Test
  void embed_sameTextsAgain_servedFromRedis(Vertx vertx, VertxTestContext ctx) {
    CachedEmbeddingModel model = remoteStack(vertx, redis.api(), 20, 5);
    List<String> chunks = texts("again " + Ids.next(), 30);
    model.embed(chunks)
        .compose(first -> Await.until(vertx, () -> redis.api()
                .exists(chunks.stream().map(model::key).toList()).map(n -> n.toInteger() == chunks.size()), 10_000)
            .map(first))
        .compose(first -> {
          long callsBefore = sim.api().stats().embeddingCalls();
          return model.embed(chunks).map(second -> {
            ctx.verify(() -> {
              assertThat(sim.api().stats().embeddingCalls()).isEqualTo(callsBefore);
              assertSimVectors(chunks, second);
              assertThat(registry.get("edgechat.embedding.cache.lookups").tag("result", "hit").counter().count())
                  .isEqualTo(30);
            });
            return second;
          });
        })
        .compose(v -> redis.api().pttl(model.key(chunks.get(0))))
        .onComplete(ctx.succeeding(pttl -> ctx.verify(() -> {
          assertThat(pttl.toLong()).isBetween(TTL_MS - 60_000, TTL_MS);
          ctx.completeNow();
        })));
  }

  /** Verifies that with its Redis stopped the cache embeds without it (fails open) and counts the errors. */
  @Test
  void embed_redisDown_stillEmbeds(Vertx vertx, VertxTestContext ctx) throws IOException {
    EmbeddedRedisServer doomed = EmbeddedRedisServer.start(Files.createTempDirectory("embedding-redis"), 0,
        "allkeys-lru", "16mb");
    RedisConnection connection = RedisConnection.open(vertx, "doomed", doomed.url(), 500);
    EmbeddingModel model = remoteStack(vertx, connection.api(), 20, 5);
    List<String> before = texts("before outage " + Ids.next(), 3);
    List<String> after = texts("during outage " + Ids.next(), 3);
    model.embed(before)
        .compose(v -> vertx.executeBlocking(() -> {
          doomed.close();
          return null;
        }))
        .compose(v -> model.embed(after))
        .onComplete(ctx.succeeding(vectors -> ctx.verify(() -> {
          assertSimVectors(after, vectors);
          assertThat(registry.get("edgechat.embedding.cache.errors").counter().count()).isGreaterThanOrEqualTo(1);
          connection.close();
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that an upstream error fails the caller with a clear exception and caches nothing,
   * not even the batch's valid texts.
   */
  @Test
  void embed_upstreamError_failsClearlyNothingCached(Vertx vertx, VertxTestContext ctx) {
    CachedEmbeddingModel model = remoteStack(vertx, redis.api(), 20, 0);
    String valid = "A valid chunk about delivery times " + Ids.next();
    model.embed(List.of(valid, ""))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(EmbeddingException.class)
              .hasMessageContaining("HTTP 400")
              .hasMessageContaining("'input' cannot be an empty string")
              .hasMessageContaining("text-embedding-3-small");
          assertThat(((EmbeddingException) e).status()).isEqualTo(400);
          assertThat(sim.api().stats().embeddingCalls()).isZero(); // refused requests are not counted by the sim
          redis.api().exists(List.of(model.key(valid), model.key("")))
              .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
                assertThat(n.toInteger()).isZero();
                ctx.completeNow();
              })));
        })));
  }

  /** Verifies that an upstream that cannot be reached, or answers too slowly, fails callers saying so. */
  @Test
  void embed_upstreamUnreachableOrSlow_failsClearly(Vertx vertx, VertxTestContext ctx) throws IOException {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    RemoteEmbeddingModel unreachable = new RemoteEmbeddingModel(vertx,
        URI.create("http://127.0.0.1:" + closedPort + "/v1"), "text-embedding-3-small", 256, "k", 2000, null);
    RemoteEmbeddingModel impatient = sim.model(vertx, 200);
    sim.api().settings(SimServer.SETTINGS.toBuilder().embeddingLatencyMs(5000).build());
    Future<List<float[]>> refused = unreachable.embed(List.of("anything"));
    Future<List<float[]>> slow = impatient.embed(List.of("anything"));
    Future.join(refused, slow).onComplete(v -> ctx.verify(() -> {
      assertThat(refused.cause()).isInstanceOf(EmbeddingException.class).hasMessageContaining("cannot be reached");
      assertThat(((EmbeddingException) refused.cause()).retryable()).isTrue();
      assertThat(slow.cause()).isInstanceOf(EmbeddingException.class)
          .hasMessageContaining("did not answer within embeddings.timeoutMs (200 ms)");
      assertThat(((EmbeddingException) slow.cause()).status()).isZero();
      ctx.completeNow();
    }));
  }

  private CachedEmbeddingModel remoteStack(Vertx vertx, RedisAPI api, int maxBatch, long windowMs) {
    EmbeddingBatcher batcher = new EmbeddingBatcher(vertx.getOrCreateContext(), sim.model(vertx, 10_000), maxBatch,
        windowMs, Scheduler.of(vertx), registry);
    return new CachedEmbeddingModel(batcher, api, TTL_MS, 1000, registry);
  }
}
