package dev.edgechat.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * JSON logs across the edge → origin hop (issue 18, "with JSON logs on, every line of one request
 * on edge and origin carries the same trace id"): role all serves the edge and origin on two ports
 * of one JVM, the edge calling origin over HTTP as across regions; every line is captured as
 * {@link JsonLines} writes it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class JsonLogsTest {

  private static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
  private static final AppenderBase<ILoggingEvent> CAPTURE = new AppenderBase<>() {
    private final JsonLines encoder = new JsonLines();

    @Override
    protected void append(ILoggingEvent event) {
      LINES.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
    }
  };

  private static SimulatedSystem system;
  private static Level before;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    CAPTURE.setContext(logback);
    CAPTURE.start();
    logback.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(CAPTURE);
    Logger edgechat = logback.getLogger("dev.edgechat");
    before = edgechat.getLevel();
    // every request's "request done" line, and whatever else edgechat says at DEBUG
    edgechat.setLevel(Level.DEBUG);
    LogContext.process("all", "test-region");
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "10", "EDGECHAT_SIM_ANSWER_TOKENS", "10",
            "EDGECHAT_SIM_TOKENS_PER_SECOND", "500", "EDGECHAT_REGION", "test-region"),
            Map.of("EDGECHAT_REGION", "test-region"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    LoggerContext logback = (LoggerContext) LoggerFactory.getILoggerFactory();
    logback.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(CAPTURE);
    logback.getLogger("dev.edgechat").setLevel(before);
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /**
   * Verifies that two chats sent at once, each with a visitor's {@code traceparent}, are logged on
   * the edge and on origin under their own trace id only, each line naming role, region, site,
   * conversation and message; and that every captured line is a JSON object with an ISO-8601 UTC
   * timestamp, level, logger, thread, role and region.
   */
  @Test
  void chat_jsonLogs_edgeAndOriginLinesShareTheVisitorsTraceId(Vertx vertx, VertxTestContext ctx) {
    Traceparent first = Traceparent.start();
    Traceparent second = Traceparent.start();
    Future.all(chat(first, "Do you ship to Norway? (" + Ids.next() + ")"),
            chat(second, "Do you ship to Malta? (" + Ids.next() + ")"))
        // the "request done" lines are written as each response ends, after the client read it
        .compose(done -> vertx.timer(300).map(done))
        .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
          List<JsonObject> lines = LINES.stream().map(JsonObject::new).toList();
          for (JsonObject line : lines) {
            assertThat(line.getString("timestamp")).as(line.encode())
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
            assertThat(line.getString("level")).as(line.encode()).isNotBlank();
            assertThat(line.getString("logger")).as(line.encode()).isNotBlank();
            assertThat(line.getString("thread")).as(line.encode()).isNotBlank();
            assertThat(line.getString("role")).as(line.encode()).isNotBlank();
            assertThat(line.getString("region")).as(line.encode()).isEqualTo("test-region");
          }
          JsonObject firstConversation = done.<JsonObject>resultAt(0);
          JsonObject secondConversation = done.<JsonObject>resultAt(1);
          assertOneRequest(lines, first, firstConversation);
          assertOneRequest(lines, second, secondConversation);
          ctx.completeNow();
        })));
  }

  /**
   * Every line naming the chat's conversation carries its trace id, and every line carrying the
   * trace id names its conversation; among them the edge's and origin's "request done" lines.
   */
  private static void assertOneRequest(List<JsonObject> lines, Traceparent visitor, JsonObject ready) {
    String conversation = ready.getString("conversation");
    String message = ready.getString("message");
    List<JsonObject> ofTrace = lines.stream().filter(l -> visitor.traceId().equals(l.getString("trace_id"))).toList();
    List<JsonObject> ofConversation = lines.stream()
        .filter(l -> conversation.equals(l.getString("conversation_id"))).toList();
    assertThat(ofConversation).as("lines of conversation %s", conversation).isNotEmpty()
        .allSatisfy(l -> assertThat(l.getString("trace_id")).as(l.encode()).isEqualTo(visitor.traceId()));
    List<JsonObject> edgeDone = ofTrace.stream()
        .filter(l -> "edge".equals(l.getString("role")) && l.getString("message").contains("path: /v1/chat,"))
        .toList();
    List<JsonObject> originDone = ofTrace.stream()
        .filter(l -> "origin".equals(l.getString("role")) && l.getString("message").contains("path: /internal/answer,"))
        .toList();
    assertThat(edgeDone).as("the edge's line for the chat").hasSize(1);
    assertThat(originDone).as("origin's line for the answer").hasSize(1);
    for (JsonObject line : List.of(edgeDone.get(0), originDone.get(0))) {
      assertThat(line.getString("site_id")).as(line.encode()).isEqualTo("demo");
      assertThat(line.getString("conversation_id")).as(line.encode()).isEqualTo(conversation);
      assertThat(line.getString("message_id")).as(line.encode()).isEqualTo(message);
      assertThat(line.getString("span_id")).as(line.encode()).matches("[0-9a-f]{16}").isNotEqualTo(visitor.spanId());
    }
    assertThat(edgeDone.get(0).getString("span_id")).as("origin's span is its own")
        .isNotEqualTo(originDone.get(0).getString("span_id"));
  }

  /** Sends a chat with {@code traceparent}; succeeds with its {@code ready} event (conversation, message). */
  private static Future<JsonObject> chat(Traceparent traceparent, String question) {
    JsonObject body = new JsonObject().put("site", "demo").put("message", question);
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(HttpMethod.POST, system.app().edgePort(), "127.0.0.1", "/v1/chat")
        .compose(req -> req.putHeader("Content-Type", "application/json")
            .putHeader("Accept", "text/event-stream")
            .putHeader(Traceparent.HEADER, traceparent.header())
            .send(body.encode())
            .compose(resp -> resp.body()))
        .map(stream -> {
          String text = stream.toString(StandardCharsets.UTF_8);
          assertThat(text).contains("event: done");
          int at = text.indexOf("event: ready");
          String data = text.substring(text.indexOf("data: ", at) + 6, text.indexOf('\n', text.indexOf("data: ", at)));
          return new JsonObject(data);
        });
  }
}
