package dev.edgechat.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;

/**
 * The token of an {@code Authorization: Bearer <token>} header, as every API of ours that takes one
 * reads it (admin token, edge token, gateway keys): the scheme in any case, then one or more spaces,
 * then the token (RFC 9110 §11.1: "It uses a case-insensitive token to identify the authentication
 * scheme"; §11.4 and RFC 6750 §2.1: {@code 1*SP} before the credentials). Written here because Vert.x
 * parses bearer tokens only inside its auth handlers, which bring a provider (JWT, OAuth2) we do not use.
 */
public final class BearerToken {

  private static final String SCHEME = "Bearer";

  private BearerToken() {
  }

  /** The token of {@code header}; empty when the header is absent, of another scheme, or carries no token. */
  public static Optional<String> of(String header) {
    if (header == null || header.length() <= SCHEME.length()
        || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length()) || header.charAt(SCHEME.length()) != ' ') {
      return Optional.empty();
    }
    String token = header.substring(SCHEME.length()).strip();
    return token.isEmpty() ? Optional.empty() : Optional.of(token);
  }

  /** Whether {@code header} carries exactly {@code expected}, compared in time independent of where they differ. */
  public static boolean carries(String header, String expected) {
    Objects.requireNonNull(expected);
    return of(header).map(token -> MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
        expected.getBytes(StandardCharsets.UTF_8))).orElse(false);
  }
}
