package dev.edgechat.gateway;

import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.web.BearerToken;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The keys the gateway accepts ({@code EDGECHAT_GATEWAY_KEYS}: entries {@code key} or
 * {@code profile:key}) and the profile each one is held to. Keys are kept as SHA-256 digests and
 * looked up by the digest of what a caller presents, so neither a heap dump nor the time a
 * comparison takes gives a key away.
 */
final class GatewayKeys {

  /** An authenticated caller: {@code id} names its key in logs and rate limits without revealing it. */
  record Caller(String id, GatewayProfile profile) {
  }

  private final Map<String, Caller> byDigest = new HashMap<>();

  /** @param entries the entries of {@code EDGECHAT_GATEWAY_KEYS}, checked at start (their profiles exist) */
  GatewayKeys(List<String> entries, Map<String, GatewayProfile> profiles) {
    for (String entry : entries) {
      int colon = entry.indexOf(':');
      String profile = colon < 0 ? "default" : entry.substring(0, colon).trim();
      String key = colon < 0 ? entry : entry.substring(colon + 1).trim();
      String digest = digest(key);
      byDigest.put(digest, new Caller("key-" + digest.substring(0, 12),
          Objects.requireNonNull(profiles.get(profile), "profile " + profile)));
    }
  }

  /** Whether any key is configured: without one the gateway is off. */
  boolean any() {
    return !byDigest.isEmpty();
  }

  /**
   * The caller of {@code request}, from its {@code Authorization: Bearer <key>} header.
   *
   * @throws GatewayError 401 when the header is missing or the key is not one of ours
   */
  Caller authenticate(HttpServerRequest request) {
    if (!any()) {
      throw GatewayError.invalidKey("The OpenAI-compatible gateway of this edge is off: no key is configured "
          + "(EDGECHAT_GATEWAY_KEYS).");
    }
    String key = BearerToken.of(request.getHeader(HttpHeaders.AUTHORIZATION)).orElseThrow(() ->
        GatewayError.invalidKey("You didn't provide an API key. You need to provide your API key in an "
            + "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."));
    Caller caller = byDigest.get(digest(key));
    if (caller == null) {
      throw GatewayError.invalidKey("Incorrect API key provided.");
    }
    return caller;
  }

  private static String digest(String key) {
    return CompletionRequest.sha256(key);
  }
}
