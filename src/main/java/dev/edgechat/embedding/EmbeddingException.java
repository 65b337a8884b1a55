package dev.edgechat.embedding;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * An embedding call failed. The message says what happened (the upstream's status and its own
 * message, or the transport failure) and for which model, never the upstream's address.
 */
public final class EmbeddingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final boolean retryable;
  private final JsonObject upstreamError;

  /**
   * @param status the upstream's HTTP status, or 0 when no answer came (refused, timed out, reset)
   * @param retryable whether the same call may succeed later (429, 5xx, timeouts, connection
   *     failures); a 4xx other than 429 will fail again
   */
  public EmbeddingException(String message, int status, boolean retryable, Throwable cause) {
    this(message, status, retryable, cause, null);
  }

  /** @param upstreamError the {@code error} object of the upstream's answer (OpenAI's shape), or null */
  public EmbeddingException(String message, int status, boolean retryable, Throwable cause, JsonObject upstreamError) {
    super(message, cause);
    this.status = status;
    this.retryable = retryable;
    this.upstreamError = upstreamError;
  }

  /**
   * The upstream's own {@code error} object ({@code message}, and {@code type}, {@code param},
   * {@code code} when it sent them), for an error status; empty when no error answer came.
   */
  public Optional<JsonObject> upstreamError() {
    return Optional.ofNullable(upstreamError).map(JsonObject::copy);
  }

  /** The upstream's HTTP status, or 0 when it never answered. */
  public int status() {
    return status;
  }

  /** Whether trying the same texts again later may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
