package dev.edgechat.llm;

import dev.edgechat.web.ApiError;
import java.util.Objects;

/**
 * A failed try of the chat model, as {@link UpstreamGuard} reads it: the error the visitor would
 * get ({@link #error()}, API.md §5), whether trying again may help, and the pause the upstream
 * asked for. It never leaves {@link OpenAiChatModel}, which answers with the {@link ApiError}.
 */
final class UpstreamFailure extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient ApiError error;
  private final boolean retryable;
  private final long retryAfterMs;

  private UpstreamFailure(ApiError error, boolean retryable, long retryAfterMs) {
    super(error.getMessage(), null, false, false);
    this.error = Objects.requireNonNull(error);
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }

  /** The stream failed before its first token (silence, a cut, an error chunk): worth another try. */
  static UpstreamFailure beforeFirstToken(ApiError error) {
    return new UpstreamFailure(error, true, 0);
  }

  /** The connection failed (refused, broken, timed out, the pool full): worth another try. */
  static UpstreamFailure transport(ApiError error) {
    return new UpstreamFailure(error, true, 0);
  }

  /**
   * The upstream answered {@code status}: 408, 409, 429 and 5xx may pass; any other status is a
   * refusal of this request (bad request, credentials) that would come again.
   */
  static UpstreamFailure status(int status, ApiError error) {
    boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
    long retryAfterMs = status == 429 ? error.retryAfterSeconds().orElse(1L) * 1000 : 0;
    return new UpstreamFailure(error, retryable, retryAfterMs);
  }

  /** The visitor left: nothing to try again. */
  static UpstreamFailure clientLeft() {
    return new UpstreamFailure(ApiError.upstreamUnavailable("the client left before the model answered"), false, 0);
  }

  ApiError error() {
    return error;
  }

  boolean retryable() {
    return retryable;
  }

  long retryAfterMs() {
    return retryAfterMs;
  }
}
