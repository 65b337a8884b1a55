package dev.edgechat.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.ManualTime;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.Ids;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The write-behind batcher on real Postgres: order, callers' contexts, a bad row alone failing, close flushing. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class MessageWriterTest {

  private static final String SITE = "writer-site";
  private Pool pool;

  @BeforeEach
  void open(Vertx vertx, VertxTestContext ctx) {
    pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    pool.query("INSERT INTO sites (id, name) VALUES ('" + SITE + "', 'Writer') ON CONFLICT DO NOTHING").execute()
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    pool.close().onComplete(ctx.succeedingThenComplete());
  }

  private static MessageWriter.Row row(String conversation, int i, String text) {
    return new MessageWriter.Row(conversation, SITE, null, conversation + "-m" + i, i % 2 == 0 ? "user" : "assistant",
        text);
  }

  private Future<List<String>> texts(String conversation) {
    return pool.preparedQuery("SELECT text FROM messages WHERE conversation_id = $1 ORDER BY seq")
        .execute(Tuple.of(conversation))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(r -> out.add(r.getString(0)));
          return out;
        });
  }

  /**
   * Verifies that saves from two event loops commit in the order each made them, and that each
   * saver hears of its commit on its own context (never the event loop that wrote the batch).
   */
  @Test
  void save_fromTwoEventLoops_orderKeptAndCallersContext(Vertx vertx, VertxTestContext ctx) {
    MessageWriter writer = new MessageWriter(Scheduler.of(vertx), pool, 7, 2);
    String a = "conv-a-" + Ids.next();
    String b = "conv-b-" + Ids.next();
    AtomicInteger wrongContext = new AtomicInteger();
    List<Future<Void>> all = new ArrayList<>();
    for (String conversation : List.of(a, b)) {
      Context loop = vertx.getOrCreateContext();
      Promise<Void> sent = Promise.promise();
      loop.runOnContext(v -> {
        List<Future<Void>> saves = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
          saves.add(writer.save(List.of(row(conversation, i, "message " + i)))
              .andThen(ar -> {
                if (Vertx.currentContext() != loop) {
                  wrongContext.incrementAndGet();
                }
              }));
        }
        Future.all(saves).<Void>mapEmpty().onComplete(sent);
      });
      all.add(sent.future());
    }
    Future.all(all)
        .compose(v -> Future.all(texts(a), texts(b)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          List<String> expected = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            expected.add("message " + i);
          }
          assertThat(both.<List<String>>resultAt(0)).containsExactlyElementsOf(expected);
          assertThat(both.<List<String>>resultAt(1)).containsExactlyElementsOf(expected);
          assertThat(wrongContext.get()).isZero();
          ctx.completeNow();
        })));
  }

  /** Verifies that a row Postgres refuses fails its own save only; the others of its batch commit. */
  @Test
  void save_badRowInBatch_onlyItsSaveFails(Vertx vertx, VertxTestContext ctx) {
    ManualTime time = new ManualTime();
    MessageWriter writer = new MessageWriter(time, pool, 500, 50);
    String conversation = "conv-bad-" + Ids.next();
    vertx.runOnContext(go -> {
      Future<Void> before = writer.save(List.of(row(conversation, 0, "fine before")));
      Future<Void> bad = writer.save(List.of(row(conversation, 1, "nul \u0000 inside")));
      Future<Void> after = writer.save(List.of(row(conversation, 2, "fine after")));
      // the three share a batch: its window ends
      time.advanceMs(50);
      Future.join(before, bad, after)
          .transform(v -> texts(conversation))
          .onComplete(ctx.succeeding(texts -> ctx.verify(() -> {
            assertThat(before.succeeded()).isTrue();
            assertThat(bad.failed()).isTrue();
            assertThat(after.succeeded()).isTrue();
            assertThat(texts).containsExactly("fine before", "fine after");
            ctx.completeNow();
          })));
    });
  }

  /** Verifies that close writes what waits (a long window would otherwise hold it) and refuses later saves. */
  @Test
  void close_flushesWaitingRows(Vertx vertx, VertxTestContext ctx) {
    MessageWriter writer = new MessageWriter(new ManualTime(), pool, 500, 60_000);
    String conversation = "conv-close-" + Ids.next();
    vertx.runOnContext(go -> {
      Future<Void> saved = writer.save(List.of(row(conversation, 0, "kept"), row(conversation, 1, "also kept")));
      writer.close()
          .compose(v -> texts(conversation))
          .onComplete(ctx.succeeding(texts -> ctx.verify(() -> {
            assertThat(saved.succeeded()).isTrue();
            assertThat(texts).containsExactly("kept", "also kept");
            assertThat(writer.save(List.of(row(conversation, 2, "late"))).failed()).isTrue();
            ctx.completeNow();
          })));
    });
  }
}
