package dev.edgechat.embedding;

/**
 * An embedding call failed. The message says what happened (the upstream's status and its own
 * message, or the transport failure) and for which model.
 */
public final class EmbeddingException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;
  private final boolean retryable;

  /**
   * @param status the upstream's HTTP status, or 0 when no answer came (refused, timed out, reset)
   * @param retryable whether the same call may succeed later (429, 5xx, timeouts, connection
   *     failures); a 4xx other than 429 will fail again
   */
  public EmbeddingException(String message, int status, boolean retryable, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.retryable = retryable;
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
