package dev.edgechat.bench;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/**
 * A request that got an answer, but a bad one. The message is short and free of per-request
 * detail (e.g. {@code status 429 rate_limited}), so failures can be counted by it.
 */
final class RequestFailure extends RuntimeException {

  RequestFailure(String reason) {
    super(reason, null, false, false);
  }

  /**
   * Reads the body of a response with an unexpected status and fails with the status and the error
   * code of an API.md §5 or OpenAI error body, when it has one.
   */
  static <T> Future<T> unexpectedStatus(HttpClientResponse response) {
    int status = response.statusCode();
    return response.body().transform(body -> Future.failedFuture(
        new RequestFailure("status " + status + errorCode(body.succeeded() ? body.result() : null))));
  }

  /** As {@link #unexpectedStatus(HttpClientResponse)}, for a whole response of the web client. */
  static RequestFailure unexpectedStatus(HttpResponse<Buffer> response) {
    return new RequestFailure("status " + response.statusCode() + errorCode(response.body()));
  }

  private static String errorCode(Buffer body) {
    try {
      if (body != null && body.length() > 0 && body.toJsonValue() instanceof JsonObject json
          && json.getValue("error") instanceof JsonObject error) {
        Object code = error.getValue("code") != null ? error.getValue("code") : error.getValue("type");
        return code == null ? "" : " " + code;
      }
    } catch (RuntimeException e) {
      // not JSON: the status alone says enough
    }
    return "";
  }
}
