package dev.edgechat.bench;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A visitor's {@code POST /v1/chat} timed to {@code ready} and to the first {@code token} with
 * text, then left: the connection is closed once the first token came, so a slow upstream (the
 * open-streams scenario's) does not hold the probe for the whole answer.
 */
final class ProbeChatCall implements MeasuredCall {

  private final HttpClient client;
  private final RequestOptions request;
  private final String site;
  private final IntFunction<String> messages;

  ProbeChatCall(HttpClient client, String url, long idleTimeoutMs, String site, IntFunction<String> messages) {
    this.client = Objects.requireNonNull(client);
    this.request = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url).setIdleTimeout(idleTimeoutMs)
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream").putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    this.site = Objects.requireNonNull(site);
    this.messages = Objects.requireNonNull(messages);
  }

  @Override
  public List<String> milestones() {
    return List.of(EdgeChatCall.READY, EdgeChatCall.FIRST_TOKEN);
  }

  @Override
  public Future<Marks> send(int sequence) {
    JsonObject body = new JsonObject().put("site", site).put("message", messages.apply(sequence));
    return client.request(request).compose(req -> {
      Marks marks = Marks.sentNow();
      return req.send(body.toBuffer()).compose(response -> follow(response, marks));
    });
  }

  private static Future<Marks> follow(HttpClientResponse response, Marks marks) {
    if (response.statusCode() != 200) {
      return RequestFailure.unexpectedStatus(response);
    }
    Promise<Marks> answered = Promise.promise();
    response.handler(new SseParser(event -> {
      switch (event.event()) {
        case Events.READY -> marks.reach(EdgeChatCall.READY);
        case Events.TOKEN -> {
          String text = event.json().getString("text", "");
          if (!text.isEmpty() && marks.reached(EdgeChatCall.READY) && !answered.future().isComplete()) {
            marks.reach(EdgeChatCall.FIRST_TOKEN);
            answered.tryComplete(marks);
            response.request().connection().close();
          }
        }
        case Events.ERROR -> answered.tryFail(new RequestFailure("error event " + event.json().getValue("code")));
        case Events.DONE -> answered.tryFail(new RequestFailure("done before a token"));
        default -> {
          // sources and later additions to the contract are not timed
        }
      }
    }));
    response.exceptionHandler(answered::tryFail);
    response.endHandler(v -> answered.tryFail(new RequestFailure("stream ended before a token")));
    return answered.future();
  }
}
