package dev.edgechat.bench;

import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;

/**
 * Sends a request whose answer is an event stream and follows the stream to its end, timing it.
 *
 * <p>It stays on the core HTTP client, not vertx-web-client: a milestone is the moment an event
 * arrives and the status decides how the body is read, while WebClient completes a response only
 * once its body has ended (its streaming codecs do pass back-pressure on, but say the status only
 * after the stream).
 */
final class StreamedCall {

  /** Reads one event of the stream: marks milestones, or fails the call. */
  interface EventReader {
    void read(SseEvent event, Marks marks, Promise<Marks> answered);
  }

  /** The milestone a good stream reaches before it ends. */
  static final String DONE = "done";

  private StreamedCall() {
  }

  /**
   * Posts {@code body}; the clock starts just before it is sent. Succeeds once the stream ended
   * having reached {@link #DONE}; fails with {@code endedEarly} when it ended before, or with what
   * {@code reader} decided.
   */
  static Future<Marks> send(HttpClient client, RequestOptions request, Buffer body, EventReader reader,
      String endedEarly) {
    return client.request(request).compose(req -> {
      Marks marks = Marks.sentNow();
      return req.send(body).compose(response -> follow(response, marks, reader, endedEarly));
    });
  }

  /** As {@link #send(HttpClient, RequestOptions, Buffer, EventReader, String)}, on a clock already started. */
  static Future<Marks> send(HttpClient client, RequestOptions request, Buffer body, EventReader reader,
      String endedEarly, Marks marks) {
    return client.request(request)
        .compose(req -> req.send(body))
        .compose(response -> follow(response, marks, reader, endedEarly));
  }

  private static Future<Marks> follow(HttpClientResponse response, Marks marks, EventReader reader,
      String endedEarly) {
    if (response.statusCode() != 200) {
      return RequestFailure.unexpectedStatus(response);
    }
    Promise<Marks> answered = Promise.promise();
    response.handler(new SseParser(event -> reader.read(event, marks, answered)));
    response.exceptionHandler(answered::tryFail);
    response.endHandler(v -> {
      if (marks.reached(DONE)) {
        answered.tryComplete(marks);
      } else {
        answered.tryFail(new RequestFailure(endedEarly));
      }
    });
    return answered.future();
  }
}
