package dev.edgechat.jobs;

import dev.edgechat.protocol.AnswerEvents;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.Events;
import dev.edgechat.protocol.Jobs;
import dev.edgechat.protocol.OriginAnswers;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * The worker's part of asynchronous chat ({@code POST /v1/chat} with {@code Prefer: respond-async}):
 * the edge had origin put the question on the job queue (job type {@link Jobs#CHAT}) and answered
 * {@code 202 {"job","conversation","message"}} at once; a worker asks origin for the answer as an
 * edge would, and the job's result is the JSON answer of API.md §1. The visitor polls
 * {@code GET /v1/jobs/{job}}.
 */
public final class AsyncChat {

  private AsyncChat() {
  }

  /**
   * Answers a job's question through origin and results in
   * {@code {"conversation","message","answer","sources","cache":"miss","stale":false}}. A retried job
   * asks again; origin saves the question once (its id derives from the message's).
   */
  public static JobHandler handler(OriginAnswers origin) {
    Objects.requireNonNull(origin);
    return job -> {
      AnswerRequest request;
      try {
        request = AnswerRequest.fromJson(job.payload());
      } catch (ApiError e) {
        return Future.failedFuture(e);
      }
      return origin.answer(request, new Cancellation()).compose(answer -> collect(request, answer));
    };
  }

  private static Future<JsonObject> collect(AnswerRequest request, AnswerEvents answer) {
    Promise<JsonObject> result = Promise.promise();
    StringBuilder text = new StringBuilder();
    JsonArray[] sources = {new JsonArray()};
    answer.start(event -> onEvent(event, request, text, sources, result), result::tryFail);
    return result.future();
  }

  private static void onEvent(SseEvent event, AnswerRequest request, StringBuilder text, JsonArray[] sources,
      Promise<JsonObject> result) {
    JsonObject data = event.json();
    switch (event.event()) {
      case Events.TOKEN -> text.append(data.getString("text", ""));
      case Events.SOURCES -> sources[0] = data.getJsonArray("items", new JsonArray());
      case Events.DONE -> result.tryComplete(new JsonObject()
          .put("conversation", request.conversation())
          .put("message", request.message())
          .put("answer", text.toString())
          .put("sources", sources[0])
          .put("cache", "miss")
          .put("stale", false));
      case Events.ERROR -> result.tryFail(ApiError.fromCode(data.getString("code"), data.getString("message"), null));
      default -> {
      }
    }
  }
}
