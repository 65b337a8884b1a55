package dev.edgechat.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.jobs.Job;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.jobs.JobState;
import dev.edgechat.support.Await;
import dev.edgechat.topology.TlsServers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against a real redis-server 7 that speaks only TLS (a certificate for {@code
 * localhost} from a certificate authority made for the test): the cache connection, the job queue
 * and the site invalidations, each with the authority given by {@code sslrootcert}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class RedisTlsTest {

  @TempDir
  static Path dir;
  private static TlsServers servers;

  /** Held until the test ends (Vert.x 5 closes clients nobody references), then closed. */
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void startServers() {
    servers = TlsServers.startOrSkip(dir);
  }

  @AfterAll
  static void stopServers() {
    TlsServers.stop(servers);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : open) {
      closeable.close();
    }
  }

  /**
   * Verifies the cache connection over TLS: verify-full (the default of rediss://) with the
   * authority to {@code localhost}, verify-ca to {@code 127.0.0.1}, and require with no authority
   * all write and read a key; its /readyz check passes.
   */
  @Test
  void open_rediss_writesAndReads(Vertx vertx, VertxTestContext ctx) {
    RedisConnection full = connect(vertx, servers.redisUrl("localhost", "sslrootcert=" + servers.ca()));
    RedisConnection ca = connect(vertx, servers.redisUrl("127.0.0.1", "sslmode=verify-ca&sslrootcert=" + servers.ca()));
    RedisConnection require = connect(vertx, servers.redisUrl("127.0.0.1", "sslmode=require"));
    full.api().set(List.of("tls:key", "over tls"))
        .compose(ok -> full.api().get("tls:key"))
        .compose(value -> ca.api().get("tls:key").map(other -> List.of(value.toString(), other.toString())))
        .compose(values -> require.api().get("tls:key").map(third -> {
          List<String> all = new ArrayList<>(values);
          all.add(third.toString());
          return all;
        }))
        .compose(values -> full.readiness().check().map(values))
        .onComplete(ctx.succeeding(values -> ctx.verify(() -> {
          assertThat(values).containsExactly("over tls", "over tls", "over tls");
          ctx.completeNow();
        })));
  }

  /**
   * Verifies what must fail: verify-full to a name the certificate lacks, an authority that did not
   * sign it, the runtime's authorities (which never signed a test certificate), and plain text
   * ({@code redis://}) to a server that speaks only TLS.
   */
  @Test
  void open_wrongHostAuthorityOrScheme_fails(Vertx vertx, VertxTestContext ctx) {
    Future<?> wrongHost = ping(vertx, servers.redisUrl("127.0.0.1", "sslrootcert=" + servers.ca()));
    Future<?> wrongCa = ping(vertx, servers.redisUrl("localhost", "sslmode=verify-ca&sslrootcert=" + servers.otherCa()));
    Future<?> runtimeCas = ping(vertx, servers.redisUrl("localhost", ""));
    Future<?> plain = ping(vertx, URI.create("redis://localhost:" + servers.redisPort()));
    Future.join(wrongHost, wrongCa, runtimeCas, plain).onComplete(v -> ctx.verify(() -> {
      assertThat(wrongHost.cause()).as("verify-full to a name the certificate lacks")
          .isInstanceOf(SSLHandshakeException.class);
      assertThat(wrongCa.cause()).as("an authority that did not sign").isInstanceOf(SSLHandshakeException.class);
      assertThat(runtimeCas.cause()).as("the runtime's authorities").isInstanceOf(SSLHandshakeException.class);
      assertThat(plain.failed()).as("plain text to a TLS port").isTrue();
      ctx.completeNow();
    }));
  }

  /** Verifies the job queue over rediss:// with the authority: a job is enqueued, run by a worker and completed. */
  @Test
  void jobQueue_rediss_runsAJob(Vertx vertx, VertxTestContext ctx) {
    String type = "tls";
    EdgechatConfig.Queue settings = EdgechatConfig.Queue.builder().concurrency(Map.of(type, 1)).maxAttempts(1)
        .backoffMs(50).maxBackoffMs(1000).stalledMs(5000).blockMs(200).keepCompleted(10).completedTtlMs(60_000)
        .keepFailed(10).failedTtlMs(60_000).drainTimeoutMs(200).build();
    JobQueue queue = JobQueue.create(vertx, servers.redisUrl("localhost", "sslrootcert=" + servers.ca()), settings,
        2000, null);
    open.add(() -> queue.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    queue.handle(type, job -> Future.succeededFuture(new JsonObject().put("echo", job.payload().getString("say"))));
    queue.startWorker()
        .compose(v -> queue.enqueue(type, new JsonObject().put("say", "over tls")))
        .compose(job -> Await.until(vertx, () -> queue.find(job.id())
                .map(found -> found.map(j -> j.state() == JobState.COMPLETED).orElse(false)), 20_000)
            .compose(v -> queue.find(job.id())))
        .onComplete(ctx.succeeding(found -> ctx.verify(() -> {
          Job job = found.orElseThrow();
          assertThat(job.result()).isEqualTo(new JsonObject().put("echo", "over tls"));
          ctx.completeNow();
        })));
  }

  private RedisConnection connect(Vertx vertx, URI url) {
    RedisConnection connection = RedisConnection.open(vertx, "redis", url, 2000);
    open.add(connection);
    return connection;
  }

  private Future<?> ping(Vertx vertx, URI url) {
    return connect(vertx, url).readiness().check();
  }
}
