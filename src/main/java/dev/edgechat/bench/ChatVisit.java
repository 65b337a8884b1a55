package dev.edgechat.bench;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.PlainWebClient;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.Objects;

/**
 * One question of a visitor, {@code POST /v1/chat} as API.md §1 describes it, on a clock the caller
 * started: as a stream ({@code Accept: text/event-stream}, timed to {@code ready}, the first
 * {@code token} with text and {@code done}; notes the {@code cache} outcome of {@code done} and the
 * conversation and region of {@code ready}), or with {@code Prefer: respond-async} (timed to the {@code 202};
 * notes the job id). The asynchronous question is a whole request/response on vertx-web-client;
 * the streamed one stays on the core client ({@link StreamedCall} says why). Both share one pool.
 */
final class ChatVisit {

  static final String READY = EdgeChatCall.READY;
  static final String FIRST_TOKEN = EdgeChatCall.FIRST_TOKEN;
  static final String DONE = EdgeChatCall.DONE;
  static final String ACCEPTED = "accepted";
  static final String CACHE = "cache";
  static final String CONVERSATION = "conversation";
  static final String REGION = "region";
  static final String JOB = "job";

  private final HttpClient client;
  private final WebClient web;
  private final String url;
  private final long idleTimeoutMs;

  /** @param url the absolute URL of {@code /v1/chat} */
  ChatVisit(HttpClient client, String url, long idleTimeoutMs) {
    this.client = Objects.requireNonNull(client);
    this.web = PlainWebClient.over(client);
    this.url = Objects.requireNonNull(url);
    this.idleTimeoutMs = idleTimeoutMs;
  }

  /**
   * Asks {@code message} of {@code site}, in {@code conversation} when it is not null.
   *
   * @return succeeds with the milestones once the answer ended well (or, async, was accepted);
   *     fails with a {@link RequestFailure} on a bad status or an {@code error} event, or with the
   *     transport's exception
   */
  Future<Marks> ask(String site, String message, String conversation, boolean async, Marks marks) {
    JsonObject body = new JsonObject().put("site", site).put("message", message);
    if (conversation != null) {
      body.put("conversation", conversation);
    }
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setIdleTimeout(idleTimeoutMs)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (!async) {
      request.putHeader(HttpHeaders.ACCEPT, "text/event-stream");
      return StreamedCall.send(client, request, body.toBuffer(), ChatVisit::onEvent, "stream ended before done",
          marks);
    }
    request.putHeader(HttpHeaders.ACCEPT, "application/json").putHeader("Prefer", "respond-async");
    return web.request(HttpMethod.POST, request)
        .sendBuffer(body.toBuffer())
        .compose(response -> {
          if (response.statusCode() != 202) {
            return Future.failedFuture(RequestFailure.unexpectedStatus(response));
          }
          marks.reach(ACCEPTED);
          marks.note(JOB, String.valueOf(PlainWebClient.body(response).toJsonObject().getValue("job")));
          return Future.succeededFuture(marks);
        });
  }

  private static void onEvent(SseEvent event, Marks marks, Promise<Marks> answered) {
    switch (event.event()) {
      case Events.READY -> {
        marks.reach(READY);
        marks.note(CONVERSATION, field(event, "conversation"));
        marks.note(REGION, field(event, "region"));
      }
      case Events.TOKEN -> {
        if (!field(event, "text").isEmpty()) {
          marks.reach(FIRST_TOKEN);
        }
      }
      case Events.DONE -> {
        if (!marks.reached(READY) || !marks.reached(FIRST_TOKEN)) {
          answered.tryFail(new RequestFailure("done before ready and a token"));
        } else {
          marks.note(CACHE, field(event, "cache"));
          marks.reach(DONE);
        }
      }
      case Events.ERROR -> answered.tryFail(new RequestFailure("error event " + field(event, "code")));
      default -> {
        // sources, and events added to the contract later, are not timed
      }
    }
  }

  private static String field(SseEvent event, String name) {
    try {
      Object value = event.json().getValue(name);
      return value == null ? "" : value.toString();
    } catch (RuntimeException e) {
      return "";
    }
  }
}
