package dev.edgechat.jobs;

/**
 * Delay before a job's next try: {@code backoffMs} after the first failure, doubling with each
 * further one up to {@code maxBackoffMs}, less up to {@link #JITTER} of itself at random. Jitter
 * spreads the retries of jobs that failed together (an upstream outage) so they do not all come
 * back at once; taking it off the delay rather than adding it keeps consecutive delays growing.
 */
final class Backoff {

  /** Share of a delay that jitter may take off. */
  static final double JITTER = 0.2;

  private Backoff() {
  }

  /**
   * @param failedTries tries that have failed so far, at least 1
   * @param random a number in [0, 1)
   */
  static long delayMs(int failedTries, long backoffMs, long maxBackoffMs, double random) {
    double doubled = backoffMs * Math.pow(2, Math.min(failedTries - 1, 62));
    double capped = Math.min(doubled, maxBackoffMs);
    return Math.max(1, Math.round(capped * (1 - JITTER * random)));
  }
}
