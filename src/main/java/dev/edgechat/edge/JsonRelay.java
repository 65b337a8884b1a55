package dev.edgechat.edge;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.ErrorResponder;
import dev.edgechat.web.SseEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Collects origin's events for one answer into the JSON form of API.md §1
 * ({@code {"conversation","message","answer","sources","cache","stale"}}); an {@code error} event
 * becomes the matching HTTP error.
 */
final class JsonRelay {

  private final HttpServerResponse response;
  private final String conversation;
  private final String message;
  private final StringBuilder answer = new StringBuilder();
  private JsonArray sources = new JsonArray();
  private OriginAnswer origin;
  private boolean finished;

  JsonRelay(HttpServerResponse response, String conversation, String message) {
    this.response = response;
    this.conversation = conversation;
    this.message = message;
  }

  void visitorLeft() {
    if (!finished && origin != null) {
      finished = true;
      origin.cancel();
    }
  }

  void relay(OriginAnswer answer) {
    if (response.closed()) {
      answer.cancel();
      return;
    }
    this.origin = answer;
    answer.start(this::event, this::fail);
  }

  void fail(ApiError error) {
    if (!finished) {
      finished = true;
      ErrorResponder.send(response, error);
    }
  }

  private void event(SseEvent event) {
    JsonObject data = event.json();
    switch (event.event()) {
      case "token" -> answer.append(data.getString("text", ""));
      case "sources" -> sources = data.getJsonArray("items", new JsonArray());
      case "done" -> {
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
      case "error" -> fail(ApiError.fromCode(data.getString("code", "upstream_unavailable"),
          data.getString("message", "the answer failed"), data.getLong("retryAfter")));
      default -> {
        // events this edge does not know are passed over
      }
    }
  }
}
