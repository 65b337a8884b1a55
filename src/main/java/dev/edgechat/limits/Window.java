package dev.edgechat.limits;

/**
 * One counter to take from: {@code cost} units of {@code key}'s allowance of {@code limit} per
 * fixed window of {@code windowMs}, windows aligned on the epoch (a day's window is a UTC day).
 *
 * @param kind what is limited ({@code visitor}, {@code ip}, …): the metrics' tag, and part of the counter's name
 * @param key whose allowance it is, within the kind (a site and a visitor id, a key's id, …)
 * @param limit the most the window holds; 0 = no limit (the cost is still counted)
 * @param cost what this request adds; 0 only checks that the window is not full yet
 */
public record Window(String kind, String key, long limit, long windowMs, long cost) {

  public Window {
    if (windowMs < 1 || limit < 0 || cost < 0) {
      throw new IllegalArgumentException("window " + kind + ":" + key + ": windowMs >= 1, limit and cost >= 0");
    }
  }

  /** The counter's name for the window holding {@code nowMs}. */
  String name(long nowMs) {
    return kind + ":" + key + ":" + start(nowMs);
  }

  /** The start of the window holding {@code nowMs}. */
  long start(long nowMs) {
    return Math.floorDiv(nowMs, windowMs) * windowMs;
  }

  /** The end of the window holding {@code nowMs}: when it frees. */
  long end(long nowMs) {
    return start(nowMs) + windowMs;
  }

  /** Whether a window already holding {@code count} refuses this request: a check (cost 0) is refused once it is full. */
  boolean refuses(long count) {
    return limit > 0 && count + Math.max(cost, 1) > limit;
  }
}
