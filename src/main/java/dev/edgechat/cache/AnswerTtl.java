package dev.edgechat.cache;

import dev.edgechat.config.EdgechatConfig;
import java.util.function.DoubleSupplier;

/**
 * How long an answer may be served from cache: 24 h when everything it cites is {@code static},
 * 1 h otherwise (both in edge-config), each with ±10 % jitter so answers cached together do not
 * all expire together.
 */
final class AnswerTtl {

  private static final double JITTER = 0.10;

  private AnswerTtl() {
  }

  /** @param random uniform in [0, 1) */
  static long millis(String freshness, EdgechatConfig.Cache settings, DoubleSupplier random) {
    long base = "static".equals(freshness) ? settings.staticTtlMs() : settings.dynamicTtlMs();
    return Math.round(base * (1 - JITTER + 2 * JITTER * random.getAsDouble()));
  }
}
