package dev.edgechat.edge;

import dev.edgechat.jobs.JobHandler;
import dev.edgechat.origin.AnswerRequest;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Asynchronous chat ({@code POST /v1/chat} with {@code Prefer: respond-async}): the edge has origin
 * put the question on the job queue and answers {@code 202 {"job","conversation","message"}} at once;
 * a worker asks origin for the answer as an edge would, and the job's result is the JSON answer of
 * API.md §1. The visitor polls {@code GET /v1/jobs/{job}}.
 */
public final class AsyncChat {

  /** The job type of an asynchronous question. */
  public static final String JOB_TYPE = "chat";

  private AsyncChat() {
  }

  /** The edge's part: enqueue through origin; succeeds with the 202 body. */
  static Future<JsonObject> submit(OriginClient origin, AnswerRequest request) {
    return origin.enqueueChat(request).map(job -> new JsonObject()
        .put("job", job.getString("id"))
        .put("conversation", request.conversation())
        .put("message", request.message()));
  }

  /**
   * The worker's part: answers the job's question through origin and results in
   * {@code {"conversation","message","answer","sources","cache":"miss","stale":false}}. A retried job
   * asks again; origin saves the question once (its id derives from the message's).
   */
  public static JobHandler handler(OriginClient origin) {
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

  private static Future<JsonObject> collect(AnswerRequest request, OriginAnswer answer) {
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
      case "token" -> text.append(data.getString("text", ""));
      case "sources" -> sources[0] = data.getJsonArray("items", new JsonArray());
      case "done" -> result.tryComplete(new JsonObject()
          .put("conversation", request.conversation())
          .put("message", request.message())
          .put("answer", text.toString())
          .put("sources", sources[0])
          .put("cache", "miss")
          .put("stale", false));
      case "error" -> result.tryFail(ApiError.fromCode(data.getString("code"), data.getString("message"), null));
      default -> {
      }
    }
  }
}
