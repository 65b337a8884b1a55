package dev.edgechat.sim;

import dev.edgechat.web.OpenAiErrorBody;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * An error in OpenAI's shape, {@code {"error":{"message","type","param","code"}}}, with its HTTP
 * status. Request parsing throws it; handlers {@link #send} it.
 */
final class OpenAiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;

  private OpenAiError(int status, String type, String message, String param, String code) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
  }

  static OpenAiError invalidRequest(String message, String param) {
    return new OpenAiError(400, "invalid_request_error", message, param, null);
  }

  static OpenAiError tooLarge(String message) {
    return new OpenAiError(413, "invalid_request_error", message, null, null);
  }

  static OpenAiError serverError() {
    return new OpenAiError(500, "server_error",
        "The server had an error while processing your request (simulated by edgechat-sim).", null, null);
  }

  static OpenAiError rateLimited() {
    return new OpenAiError(429, "rate_limit_error",
        "Rate limit reached (simulated by edgechat-sim). Please try again in 1s.", null, "rate_limit_exceeded");
  }

  int status() {
    return status;
  }

  JsonObject toBody() {
    return OpenAiErrorBody.of(getMessage(), type, param, code);
  }

  /** Answers with this error, unless the response is already under way or gone. */
  void send(HttpServerResponse response) {
    if (response.headWritten() || response.closed()) {
      return;
    }
    response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    if (status == 429) {
      response.putHeader(HttpHeaders.RETRY_AFTER, "1");
    }
    response.end(toBody().encode());
  }
}
