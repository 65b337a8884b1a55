package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.Await;
import dev.edgechat.support.EdgeProbe;
import dev.edgechat.support.EdgeProxy;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cache hit served while origin cannot save it still reaches the visitor's conversation: role
 * all (origin) and an edge of its own reaching origin through an {@link EdgeProxy} that answers
 * {@code /internal/records} 503 for a while, as an origin that is restarting or overloaded does.
 * Waits poll on Vert.x timers ({@link Await}), no sleeping thread.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HitRecordsOutageTest {

  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  private static final String QUESTION = "Which browsers does the widget support on mobile?";
  private static Application all;
  private static EdgeProxy toOrigin;
  private static Application edge;
  private static EdgeProbe probe;
  private static WebClient web;

  @BeforeAll
  static void start(Vertx vertx) {
    all = new TestSystem(vertx).env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN).startAll().await();
    toOrigin = EdgeProxy.start(vertx, all.originPort(), 0).await();
    edge = new TestSystem(vertx).env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_ORIGIN_URL", toOrigin.url())
        .start(Role.EDGE).await();
    probe = new EdgeProbe(URI.create("http://127.0.0.1:" + edge.edgePort()));
  }

  @AfterAll
  static void stop() {
    if (web != null) {
      web.close();
    }
    if (edge != null) {
      edge.close().await();
    }
    if (toOrigin != null) {
      toOrigin.close().await();
    }
    if (all != null) {
      all.close().await();
    }
  }

  /**
   * Verifies that a hit whose record origin refuses, again and again, is saved in its conversation
   * once origin takes records again, and that nothing is counted dropped.
   */
  @Test
  void hit_originRefusesItsRecordForAWhile_conversationHoldsItAfterwards(Vertx vertx) {
    assertThat(probe.ask("demo", QUESTION).cache()).isEqualTo("miss");
    toOrigin.refuse("/internal/records");
    EdgeProbe.Reply hit = probe.ask("demo", QUESTION);
    assertThat(hit.cache()).isEqualTo("hit");
    String conversation = hit.events().get(0).json().getString("conversation");
    // refused, paused, refused again: before, the second refusal dropped the exchange
    Await.until(vertx, () -> Future.succeededFuture(toOrigin.count("POST /internal/records") >= 3), 30_000).await();
    assertThat(read(vertx, conversation).await().statusCode()).as("not saved while refused").isEqualTo(404);

    toOrigin.refuse(null);
    Await.until(vertx, () -> read(vertx, conversation).map(r -> r.statusCode() == 200), 30_000).await();
    JsonObject saved = read(vertx, conversation).await().bodyAsJsonObject();
    assertThat(saved.getJsonArray("messages")).hasSize(2);
    assertThat(saved.getJsonArray("messages").getJsonObject(0).getString("text")).isEqualTo(QUESTION);
    assertThat(saved.getJsonArray("messages").getJsonObject(1).getString("text")).isEqualTo(hit.text());
    assertThat(probe.metric("edgechat_records_dropped_total", "")).isZero();
  }

  /** The conversation as the edge shows it ({@code GET /v1/conversations/{id}}). */
  private static Future<HttpResponse<Buffer>> read(Vertx vertx, String conversation) {
    return client(vertx).get(edge.edgePort(), "127.0.0.1", "/v1/conversations/" + conversation).send();
  }

  private static synchronized WebClient client(Vertx vertx) {
    if (web == null) {
      web = WebClient.create(vertx);
    }
    return web;
  }
}
