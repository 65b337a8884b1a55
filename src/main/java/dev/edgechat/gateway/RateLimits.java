package dev.edgechat.gateway;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Requests per minute per key, as a token bucket: a key may burst up to its whole minute's
 * allowance, and earns it back evenly over the minute. Hand-written because it is a dozen lines
 * on an injected clock (tests move time instead of sleeping); buckets live as long as the process,
 * one per configured key.
 */
final class RateLimits {

  private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  /** @param nanoTime the clock, {@code System::nanoTime} in production */
  RateLimits(LongSupplier nanoTime) {
    this.nanoTime = Objects.requireNonNull(nanoTime);
  }

  /**
   * Takes one request of {@code key}'s allowance.
   *
   * @param perMinute the key's requests per minute; 0 = no limit
   * @return 0 when the request may go, else the whole seconds until it may
   */
  long take(String key, int perMinute) {
    if (perMinute <= 0) {
      return 0;
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(perMinute, nanoTime.getAsLong())).take(perMinute,
        nanoTime.getAsLong());
  }

  private static final class Bucket {

    private double tokens;
    private long refilledAt;

    Bucket(int perMinute, long now) {
      this.tokens = perMinute;
      this.refilledAt = now;
    }

    synchronized long take(int perMinute, long now) {
      double nanosPerToken = (double) MINUTE_NANOS / perMinute;
      tokens = Math.min(perMinute, tokens + (now - refilledAt) / nanosPerToken);
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) * nanosPerToken / 1e9));
    }
  }
}
