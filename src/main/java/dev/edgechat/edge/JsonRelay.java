package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.ErrorResponder;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Context;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Collects an {@link dev.edgechat.answer.AnswerFlight} into the JSON form of API.md §1
 * ({@code {"conversation","message","answer","sources","cache","stale"}}); an {@code error} event
 * becomes the matching HTTP error.
 */
final class JsonRelay {

  private final HttpServerResponse response;
  private final String conversation;
  private final String message;
  private final StringBuilder answer = new StringBuilder();
  private JsonArray sources = new JsonArray();
  private AnswerFlight flight;
  private AnswerFlight.Follower follower;
  private int cursor;
  private boolean finished;

  JsonRelay(HttpServerResponse response, String conversation, String message) {
    this.response = response;
    this.conversation = conversation;
    this.message = message;
  }

  void follow(AnswerFlight answer, Context context) {
    if (finished) {
      return;
    }
    this.flight = answer;
    this.follower = answer.follow(context, this::pump);
    pump();
  }

  void visitorLeft() {
    if (!finished) {
      finished = true;
      if (follower != null) {
        follower.leave();
      }
    }
  }

  private void pump() {
    SseEvent event;
    while (!finished && (event = flight.event(cursor)) != null) {
      cursor++;
      JsonObject data = event.json();
      switch (event.event()) {
        case Events.TOKEN -> answer.append(data.getString("text", ""));
        case Events.SOURCES -> sources = data.getJsonArray("items", new JsonArray());
        case Events.DONE -> {
          finished = true;
          response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
              .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
              .end(new JsonObject()
                  .put("conversation", conversation)
                  .put("message", message)
                  .put("answer", answer.toString())
                  .put("sources", sources)
                  .put("cache", data.getString("cache", "miss"))
                  .put("stale", data.getBoolean("stale", false))
                  .encode());
        }
        case Events.ERROR -> {
          finished = true;
          ApiError error = ApiError.fromCode(data.getString("code", "upstream_unavailable"),
              data.getString("message", "the answer failed"), data.getLong("retryAfter"));
          if ("upstream_unavailable".equals(error.code()) && error.retryAfterSeconds().isPresent()) {
            // the model's breaker is open: unavailable for a time it names, which HTTP says with 503
            error = new ApiError(503, error.code(), error.getMessage(), error.retryAfterSeconds().get());
          }
          ErrorResponder.send(response, error);
        }
        default -> {
          // events this edge does not know are passed over
        }
      }
    }
  }
}
