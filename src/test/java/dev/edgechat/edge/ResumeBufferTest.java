package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.redis.RedisConnection;
import dev.edgechat.support.Await;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import dev.edgechat.web.SseEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The region's copy of streamed events in real Redis, from which another edge resumes a stream. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class ResumeBufferTest {

  /**
   * Verifies that events appended in a burst (batched while a write is under way) all arrive in
   * order, that reading after event n returns n+1 onwards, and that an unknown stream is empty.
   */
  @Test
  void append_burst_readBackInOrderAfterAnyEvent(Vertx vertx, VertxTestContext ctx) {
    RedisConnection redis = RedisConnection.open(vertx, "redis", TestDatabases.redis(), 2_000);
    ResumeBuffer buffer = new ResumeBuffer(redis.api(), () -> 60_000, new SimpleMeterRegistry());
    String message = Ids.next();
    vertx.runOnContext(v -> {
      ResumeBuffer.Writer writer = buffer.writer(message);
      writer.start();
      writer.append(SseEvent.of("ready", new JsonObject().put("message", message)));
      IntStream.range(0, 50).forEach(i -> writer.append(SseEvent.of("token", new JsonObject().put("text", "t" + i))));
      writer.append(SseEvent.of("done", new JsonObject().put("cache", "miss")));
    });
    Await.until(vertx, () -> buffer.eventsAfter(message, 0).map(all -> all.map(List::size).orElse(0) == 52), 10_000)
        .compose(v -> buffer.eventsAfter(message, 40))
        .compose(tail -> buffer.eventsAfter(Ids.next(), 0).map(unknown -> List.of(tail, unknown)))
        .eventually(() -> {
          redis.close();
          return io.vertx.core.Future.succeededFuture();
        })
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          List<SseEvent> tail = both.get(0).orElseThrow();
          assertThat(tail).hasSize(12);
          assertThat(tail.get(0).json().getString("text")).isEqualTo("t39");
          assertThat(tail.get(11).event()).isEqualTo("done");
          assertThat(both.get(1)).isEmpty();
          ctx.completeNow();
        })));
  }
}
