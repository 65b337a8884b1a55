package dev.edgechat.gateway;

import java.util.Locale;

/**
 * What a request asks of the cache, in its {@code X-Edgechat-Cache} header: nothing (exact
 * match, the default), {@code bypass} (neither read nor write), {@code refresh} (ask the upstream
 * and store its answer) or {@code semantic} (a cached request that means the same may answer; the
 * key's profile must allow it).
 */
enum CacheMode {
  EXACT, BYPASS, REFRESH, SEMANTIC;

  static final String HEADER = "X-Edgechat-Cache";

  /**
   * @param header the request header's value, or null
   * @throws GatewayError 400 for a value that is none of these
   */
  static CacheMode of(String header) {
    if (header == null || header.isBlank()) {
      return EXACT;
    }
    return switch (header.trim().toLowerCase(Locale.ROOT)) {
      case "exact" -> EXACT;
      case "bypass", "no-cache", "no-store" -> BYPASS;
      case "refresh" -> REFRESH;
      case "semantic" -> SEMANTIC;
      default -> throw GatewayError.invalidRequest("header " + HEADER + " must be bypass, refresh or semantic, not '"
          + header + "'", null);
    };
  }
}
