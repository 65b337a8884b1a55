package dev.edgechat.web;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * An error of the wire contract (API.md §5): an HTTP status, a stable code and a message for people.
 * Handlers fail with it; {@link ErrorResponder} turns it into {@code {"error":{"code","message"}}}
 * and SSE streams into an {@code error} event.
 */
public final class ApiError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final Long retryAfterSeconds;

  public ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  public ApiError(int status, String code, String message, Long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiError invalidRequest(String message) {
    return new ApiError(400, "invalid_request", message);
  }

  public static ApiError unauthorized(String message) {
    return new ApiError(401, "unauthorized", message);
  }

  public static ApiError forbiddenOrigin(String message) {
    return new ApiError(403, "forbidden_origin", message);
  }

  public static ApiError notFound(String message) {
    return new ApiError(404, "not_found", message);
  }

  public static ApiError payloadTooLarge(String message) {
    return new ApiError(413, "payload_too_large", message);
  }

  public static ApiError unsupportedMediaType(String message) {
    return new ApiError(415, "unsupported_media_type", message);
  }

  /** 408: a request's line and headers did not arrive in time (http.headerTimeoutMs). */
  public static ApiError requestTimeout(String message) {
    return new ApiError(408, "request_timeout", message);
  }

  /** 414: the request line is longer than the server reads. */
  public static ApiError uriTooLong(String message) {
    return new ApiError(414, "uri_too_long", message);
  }

  /** 431: the request's headers are larger than the server reads. */
  public static ApiError headersTooLarge(String message) {
    return new ApiError(431, "headers_too_large", message);
  }

  /**
   * 400 {@code http_version_not_supported}: a request in an HTTP version other than 1.0 and 1.1
   * (HTTP/2 is not spoken in clear text). A 400, not HTTP's 505: a scanner's garbage is the
   * client's mistake, and a 5xx would count it in the server-error rate operators alert on.
   */
  public static ApiError versionNotSupported(String message) {
    return new ApiError(400, "http_version_not_supported", message);
  }

  public static ApiError upstreamUnavailable(String message) {
    return new ApiError(502, "upstream_unavailable", message);
  }

  public static ApiError overloaded(String message, long retryAfterSeconds) {
    return new ApiError(503, "overloaded", message, retryAfterSeconds);
  }

  public static ApiError timeout(String message) {
    return new ApiError(504, "timeout", message);
  }

  /** The error a code names, for errors that crossed the wire as {@code {code, message}}. */
  public static ApiError fromCode(String code, String message) {
    return fromCode(code, message, null);
  }

  /** The error a code names, with the seconds after which a retry may succeed (null: not said). */
  public static ApiError fromCode(String code, String message, Long retryAfterSeconds) {
    int status = switch (code) {
      case "invalid_request" -> 400;
      case "unauthorized" -> 401;
      case "forbidden_origin" -> 403;
      case "not_found" -> 404;
      case "request_timeout" -> 408;
      case "payload_too_large" -> 413;
      case "uri_too_long" -> 414;
      case "headers_too_large" -> 431;
      case "http_version_not_supported" -> 400;
      case "method_not_allowed" -> 405;
      case "unsupported_media_type" -> 415;
      case "wrong_region" -> 421;
      case "rate_limited" -> 429;
      case "overloaded" -> 503;
      case "timeout" -> 504;
      default -> 502;
    };
    return new ApiError(status, code, message, retryAfterSeconds);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public Optional<Long> retryAfterSeconds() {
    return Optional.ofNullable(retryAfterSeconds);
  }

  /** {@code {"code","message"}} (and {@code retryAfter} in seconds when known): the body of an SSE {@code error} event. */
  public JsonObject toEventData() {
    JsonObject data = new JsonObject().put("code", code).put("message", getMessage());
    retryAfterSeconds().ifPresent(s -> data.put("retryAfter", s));
    return data;
  }

  /** {@code {"error":{"code","message"}}}: the body of an error response. */
  public JsonObject toBody() {
    return new JsonObject().put("error", toEventData());
  }
}
