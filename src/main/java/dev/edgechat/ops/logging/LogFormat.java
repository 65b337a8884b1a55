package dev.edgechat.ops.logging;

import java.util.Locale;
import java.util.Optional;

/** How lines are written ({@code EDGECHAT_LOG_FORMAT}): plain text for a terminal, or JSON lines for a collector. */
public enum LogFormat {
  TEXT, JSON;

  /** The environment variable that chooses it; read by logback.xml before anything logs. */
  public static final String VARIABLE = "EDGECHAT_LOG_FORMAT";

  /** {@code text} or {@code json} (any case); empty for anything else. Unset is text. */
  public static Optional<LogFormat> parse(String value) {
    if (value == null || value.isBlank()) {
      return Optional.of(TEXT);
    }
    return switch (value.trim().toLowerCase(Locale.ROOT)) {
      case "text" -> Optional.of(TEXT);
      case "json" -> Optional.of(JSON);
      default -> Optional.empty();
    };
  }
}
