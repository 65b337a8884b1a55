package dev.edgechat.protocol;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.RequestBodies;
import io.vertx.core.json.JsonObject;

/**
 * An exchange an edge served without origin making the answer for that visitor (from its cache,
 * or shared with an identical question), which origin saves in the visitor's conversation
 * ({@code POST /internal/records}, {@code {"records":[…]}} of at most {@link Limits#MAX_RECORDS}):
 * the answer request's JSON plus {@code "answer"}.
 */
public record ExchangeRecord(AnswerRequest request, String answer) {

  /** The field of a {@code /internal/records} body that lists the records. */
  public static final String BATCH_FIELD = "records";

  public JsonObject toJson() {
    return request.toJson().put("answer", answer);
  }

  /**
   * @throws ApiError invalid_request when a field is missing or malformed, or the answer is longer
   *     than {@code maxAnswerChars}
   */
  public static ExchangeRecord fromJson(JsonObject json, int maxAnswerChars) {
    AnswerRequest request = AnswerRequest.fromJson(json);
    return new ExchangeRecord(request, RequestBodies.requiredText(json, "answer", maxAnswerChars));
  }
}
