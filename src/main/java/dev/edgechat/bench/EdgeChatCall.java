package dev.edgechat.bench;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * {@code POST /v1/chat} of API.md §1 as a widget sends it ({@code Accept: text/event-stream}),
 * timed to {@code ready}, to the first {@code token} with text, and to {@code done}.
 */
final class EdgeChatCall implements MeasuredCall {

  static final String READY = "ready";
  static final String FIRST_TOKEN = "firstToken";
  static final String DONE = StreamedCall.DONE;

  private final HttpClient client;
  private final RequestOptions request;
  private final String site;
  private final IntFunction<String> messages;

  /**
   * @param url the absolute URL of {@code /v1/chat}
   * @param messages the message text of each request number
   */
  EdgeChatCall(HttpClient client, String url, long idleTimeoutMs, String site, IntFunction<String> messages) {
    this.client = Objects.requireNonNull(client);
    this.request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setIdleTimeout(idleTimeoutMs)
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream")
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    this.site = Objects.requireNonNull(site);
    this.messages = Objects.requireNonNull(messages);
  }

  @Override
  public List<String> milestones() {
    return List.of(READY, FIRST_TOKEN, DONE);
  }

  @Override
  public Future<Marks> send(int sequence) {
    Buffer body = new JsonObject().put("site", site).put("message", messages.apply(sequence)).toBuffer();
    return StreamedCall.send(client, request, body, EdgeChatCall::onEvent, "stream ended before done");
  }

  private static void onEvent(SseEvent event, Marks marks, Promise<Marks> answered) {
    switch (event.event()) {
      case Events.READY -> marks.reach(READY);
      case Events.TOKEN -> {
        if (!text(event).isEmpty()) {
          marks.reach(FIRST_TOKEN);
        }
      }
      case Events.DONE -> {
        if (!marks.reached(READY) || !marks.reached(FIRST_TOKEN)) {
          answered.tryFail(new RequestFailure("done before ready and a token"));
        } else {
          marks.reach(DONE);
        }
      }
      case Events.ERROR -> answered.tryFail(new RequestFailure("error event " + errorCode(event)));
      default -> {
        // sources, and events added to the contract later, are not timed
      }
    }
  }

  private static String text(SseEvent event) {
    try {
      String text = event.json().getString("text");
      return text == null ? "" : text;
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static String errorCode(SseEvent event) {
    try {
      return String.valueOf(event.json().getValue("code"));
    } catch (RuntimeException e) {
      return "(unreadable)";
    }
  }
}
