package dev.edgechat.limits;

import java.util.Optional;

/**
 * What a counter store said of a request.
 *
 * @param refused the window that refused it, or null when it may go (and was counted)
 * @param retryAfterMs when refused, how long until that window frees
 */
public record Verdict(Window refused, long retryAfterMs) {

  /** The request may go; every window counted it. */
  public static final Verdict ALLOWED = new Verdict(null, 0);

  public boolean allowed() {
    return refused == null;
  }

  /** Whole seconds until the refusing window frees, at least 1: the {@code Retry-After}. */
  public long retryAfterSeconds() {
    return Math.max(1, (retryAfterMs + 999) / 1000);
  }

  public Optional<Window> refusedWindow() {
    return Optional.ofNullable(refused);
  }
}
