package dev.edgechat.ops.logging;

import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * A W3C Trace Context {@code traceparent} ({@code version-traceid-parentid-flags}, lower-case hex):
 * the trace an exchange belongs to and the span that sent it. An edge takes the visitor's (or
 * starts a trace), and sends its own span on to origin, so both log one trace id.
 *
 * @param traceId 32 hex digits, not all zero
 * @param spanId 16 hex digits, not all zero
 * @param flags 2 hex digits ({@code 01}: sampled)
 */
public record Traceparent(String traceId, String spanId, String flags) {

  /** The header's name. */
  public static final String HEADER = "traceparent";

  private static final Pattern FIELDS = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final String ZERO_TRACE = "0".repeat(32);
  private static final String ZERO_SPAN = "0".repeat(16);

  /**
   * The header's value, or empty when it is absent or not a valid one (then a new trace starts, as
   * the specification asks). A version above 00 may carry more fields after the four read here.
   */
  public static Optional<Traceparent> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String value = header.trim();
    if (value.length() < 55) {
      return Optional.empty();
    }
    var fields = FIELDS.matcher(value.substring(0, 55));
    if (!fields.matches()) {
      return Optional.empty();
    }
    String version = fields.group(1);
    boolean exact = value.length() == 55;
    if (version.equals("ff") || (version.equals("00") ? !exact : !exact && value.charAt(55) != '-')) {
      return Optional.empty();
    }
    String traceId = fields.group(2);
    String spanId = fields.group(3);
    if (traceId.equals(ZERO_TRACE) || spanId.equals(ZERO_SPAN)) {
      return Optional.empty();
    }
    return Optional.of(new Traceparent(traceId, spanId, fields.group(4)));
  }

  /** A new trace, sampled, with a new span. */
  public static Traceparent start() {
    return new Traceparent(hex(16), hex(8), "01");
  }

  /** A new span of this trace: what this process's work sends on (its parent is this one's span). */
  public Traceparent child() {
    return new Traceparent(traceId, hex(8), flags);
  }

  /** The header's value, version 00. */
  public String header() {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  private static String hex(int bytes) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder out = new StringBuilder(bytes * 2);
    while (out.length() < bytes * 2) {
      long word = random.nextLong();
      if (word == 0) {
        continue;
      }
      String digits = Long.toHexString(word);
      out.append("0".repeat(16 - digits.length())).append(digits);
    }
    return out.substring(0, bytes * 2);
  }
}
