package dev.edgechat.sim;

import java.util.Locale;

/** What goes wrong with one chat call. */
enum Fault {
  /** A normal answer. */
  NONE,
  /** 500 with an OpenAI {@code server_error} body. */
  SERVER_ERROR,
  /** 429 with {@code Retry-After: 1} and a {@code rate_limit_error} body; only on request. */
  RATE_LIMITED,
  /** A stream sends its role chunk and first token, then nothing, and never ends. */
  STALL,
  /** A stream is closed after half its tokens, without a finish chunk or {@code [DONE]}. */
  CUT;

  /** The request header that forces a fault for one request. */
  static final String HEADER = "X-Sim-Fault";

  /**
   * The fault an {@code X-Sim-Fault} value names: {@code 500}, {@code 429}, {@code stall},
   * {@code cut} or {@code none}.
   *
   * @throws OpenAiError for any other value
   */
  static Fault fromHeader(String value) {
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "none" -> NONE;
      case "500" -> SERVER_ERROR;
      case "429" -> RATE_LIMITED;
      case "stall" -> STALL;
      case "cut" -> CUT;
      default -> throw OpenAiError.invalidRequest(
          HEADER + " must be one of 500, 429, stall, cut, none; got '" + value + "'", null);
    };
  }
}
