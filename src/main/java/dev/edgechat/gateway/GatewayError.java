package dev.edgechat.gateway;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.OpenAiErrorBody;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An error as OpenAI answers it, {@code {"error":{"message","type","param","code"}}}, with the
 * status OpenAI uses for it, so that an SDK raises the matching exception (400 bad request, 401
 * authentication, 404 not found, 429 rate limit with {@code Retry-After}, 5xx server error).
 */
public final class GatewayError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Long retryAfterSeconds;
  /** Whether trying the same request again may succeed: what retries and the breaker count. */
  private final boolean retryable;

  GatewayError(int status, String type, String code, String param, String message, Long retryAfterSeconds,
      boolean retryable) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
    this.retryable = retryable;
  }

  static GatewayError invalidRequest(String message, String param) {
    return new GatewayError(400, "invalid_request_error", null, param, message, null, false);
  }

  static GatewayError invalidKey(String message) {
    return new GatewayError(401, "invalid_request_error", "invalid_api_key", null, message, null, false);
  }

  static GatewayError modelNotFound(String model) {
    return new GatewayError(404, "invalid_request_error", "model_not_found", "model",
        "The model '" + model + "' does not exist or you do not have access to it.", null, false);
  }

  static GatewayError notFound(String message) {
    return new GatewayError(404, "invalid_request_error", "not_found", null, message, null, false);
  }

  static GatewayError rateLimited(String message, long retryAfterSeconds) {
    return new GatewayError(429, "rate_limit_error", "rate_limit_exceeded", null, message, retryAfterSeconds, false);
  }

  /** The upstream cannot answer now: 502 (broken, 5xx), 503 (overloaded, breaker open) or 504 (silent). */
  static GatewayError upstream(int status, String code, String message, Long retryAfterSeconds) {
    return new GatewayError(status, "server_error", code, null, message, retryAfterSeconds, true);
  }

  /** What the upstream answered with a status other than 200, passed on with its own status and body's fields. */
  static GatewayError fromUpstream(int status, JsonObject error, Long retryAfterSeconds) {
    String message = error.getString("message", "the upstream answered HTTP " + status);
    boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
    if (status >= 500) {
      return new GatewayError(502, "server_error", "upstream_unavailable", null,
          "the upstream failed (HTTP " + status + "): " + message, retryAfterSeconds, true);
    }
    return new GatewayError(status, error.getString("type", "invalid_request_error"), stringOrNull(error, "code"),
        stringOrNull(error, "param"), message, retryAfterSeconds, retryable);
  }

  /** The project's own errors (the body reader's 413 and 415, the edge's 5xx) in OpenAI's shape. */
  static GatewayError from(ApiError error) {
    String type = error.status() >= 500 ? "server_error" : "invalid_request_error";
    return new GatewayError(error.status(), type, error.code(), null, error.getMessage(),
        error.retryAfterSeconds().orElse(null), error.status() >= 500);
  }

  private static String stringOrNull(JsonObject json, String field) {
    return json.getValue(field) instanceof String s ? s : null;
  }

  public int status() {
    return status;
  }

  public Optional<Long> retryAfterSeconds() {
    return Optional.ofNullable(retryAfterSeconds);
  }

  boolean retryable() {
    return retryable;
  }

  /** The error codes of the gateway's own that {@link #kind()} passes on as they are. */
  private static final Set<String> OWN_KINDS = Set.of("timeout", "overloaded",
      "upstream_unavailable", Upstream.BREAKER_OPEN, "answer_too_long", "client_closed");

  /** Every {@link #kind()}: the labels the gateway's error counters start with. */
  static final List<String> KINDS = List.of("timeout", "overloaded", "upstream_unavailable", Upstream.BREAKER_OPEN,
      "answer_too_long", "rate_limited", "refused");

  /**
   * What kind of failure this is, for the metrics' {@code kind} and {@code error.type} labels: one
   * of a fixed set, never the upstream's own code (which an upstream, or a caller's made-up model,
   * could make anything): the gateway's codes ({@code timeout}, {@code overloaded},
   * {@code upstream_unavailable}, {@code upstream_circuit_open}, {@code answer_too_long},
   * {@code client_closed}), else {@code rate_limited} for a 429 and {@code refused} for another 4xx.
   */
  String kind() {
    if (code != null && OWN_KINDS.contains(code)) {
      return code;
    }
    if (status == 429) {
      return "rate_limited";
    }
    return status >= 400 && status < 500 ? "refused" : "upstream_unavailable";
  }

  /** The error's body. */
  public JsonObject toBody() {
    return OpenAiErrorBody.of(getMessage(), type, param, code);
  }

  /** Answers with this error, unless the response has ended or its head is out. */
  void send(HttpServerResponse response) {
    if (response.ended() || response.closed() || response.headWritten()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    retryAfter(response);
    response.end(toBody().encode());
  }

  void retryAfter(HttpServerResponse response) {
    if (retryAfterSeconds != null) {
      response.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfterSeconds));
    }
  }
}
