package dev.edgechat.protocol;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.RequestBodies;
import io.vertx.core.json.JsonObject;

/**
 * What an edge asks origin to answer ({@code POST /internal/answer}), and what an asynchronous
 * question's job carries ({@code POST /internal/jobs/chat}). The edge chose the ids, so it could
 * send {@code ready} before any of this work began.
 *
 * @param conversation the conversation id (new or earlier)
 * @param newConversation whether the edge just made the id up (no earlier conversation to load)
 * @param message the id of the answer message
 */
public record AnswerRequest(String site, String conversation, boolean newConversation, String message,
    String question, String visitor) {

  /**
   * The id of the question's message, derived from the answer's so that a retried request (or a
   * record of the same exchange) saves the question once.
   */
  public String questionId() {
    return message + "-q";
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("site", site)
        .put("conversation", conversation)
        .put("newConversation", newConversation)
        .put("message", message)
        .put("question", question)
        .put("visitor", visitor);
  }

  /** @throws ApiError invalid_request when a field is missing or malformed */
  public static AnswerRequest fromJson(JsonObject json) {
    String conversation = RequestBodies.optionalId(json, "conversation");
    String message = RequestBodies.optionalId(json, "message");
    if (conversation == null || message == null) {
      throw ApiError.invalidRequest("fields 'conversation' and 'message' are required");
    }
    Object isNew = json.getValue("newConversation");
    if (!(isNew instanceof Boolean)) {
      throw ApiError.invalidRequest("field 'newConversation' must be true or false");
    }
    return new AnswerRequest(
        RequestBodies.requiredText(json, "site", 64),
        conversation,
        (Boolean) isNew,
        message,
        RequestBodies.requiredVisibleText(json, "question", Limits.MAX_QUESTION_CHARS),
        RequestBodies.optionalText(json, "visitor", 128));
  }
}
