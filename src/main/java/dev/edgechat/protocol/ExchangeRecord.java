package dev.edgechat.protocol;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.RequestBodies;
import io.vertx.core.json.JsonObject;

/**
 * An exchange an edge served without origin making the answer for that visitor (from its cache,
 * or shared with an identical question), which origin saves in the visitor's conversation
 * ({@code POST /internal/records}, {@code {"records":[…]}} of at most {@link Limits#MAX_RECORDS}):
 * the answer request's JSON plus {@code "answer"}, and, when known, {@code "saved"}
 * ({@code {"inputTokens":n,"outputTokens":n}}): what making the answer cost the model, which
 * serving it again spared (origin's usage report, {@code GET /admin/sites/{site}/usage}).
 *
 * @param savedInputTokens input tokens spared, 0 when unknown
 * @param savedOutputTokens output tokens spared, 0 when unknown
 */
public record ExchangeRecord(AnswerRequest request, String answer, long savedInputTokens, long savedOutputTokens) {

  /** The field of a {@code /internal/records} body that lists the records. */
  public static final String BATCH_FIELD = "records";

  /** The largest token count a record may say it spared: far above any model's context. */
  static final long MAX_TOKENS = 100_000_000L;

  /** An exchange whose saving is unknown. */
  public ExchangeRecord(AnswerRequest request, String answer) {
    this(request, answer, 0, 0);
  }

  public JsonObject toJson() {
    JsonObject json = request.toJson().put("answer", answer);
    if (savedInputTokens + savedOutputTokens > 0) {
      json.put("saved", new JsonObject().put("inputTokens", savedInputTokens).put("outputTokens", savedOutputTokens));
    }
    return json;
  }

  /**
   * @throws ApiError invalid_request when a field is missing or malformed, or the answer is longer
   *     than {@code maxAnswerChars}
   */
  public static ExchangeRecord fromJson(JsonObject json, int maxAnswerChars) {
    AnswerRequest request = AnswerRequest.fromJson(json);
    String answer = RequestBodies.requiredText(json, "answer", maxAnswerChars);
    Object saved = json.getValue("saved");
    if (saved == null) {
      return new ExchangeRecord(request, answer);
    }
    if (!(saved instanceof JsonObject counts)) {
      throw ApiError.invalidRequest("saved must be an object {\"inputTokens\":n,\"outputTokens\":n}");
    }
    return new ExchangeRecord(request, answer, tokens(counts, "inputTokens"), tokens(counts, "outputTokens"));
  }

  private static long tokens(JsonObject counts, String field) {
    Object value = counts.getValue(field, 0);
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() < 0
        || n.longValue() > MAX_TOKENS) {
      throw ApiError.invalidRequest("saved." + field + " must be a whole number from 0 to " + MAX_TOKENS);
    }
    return n.longValue();
  }
}
