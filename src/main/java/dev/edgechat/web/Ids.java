package dev.edgechat.web;

import java.security.SecureRandom;
import java.util.Base64;

/** Opaque ids: 128 random bits, URL-safe Base64 (22 characters). */
public final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Ids() {
  }

  public static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }
}
