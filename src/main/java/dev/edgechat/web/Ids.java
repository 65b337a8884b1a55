package dev.edgechat.web;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;

/** Opaque ids: 128 random bits, URL-safe Base64 (22 characters). */
public final class Ids {

  /** The 128 bits of an id, for stores that keep many ids in fewer bytes than their strings. */
  public record Bits(long high, long low) {
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final int CHARS = 22;

  private Ids() {
  }

  public static String next() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return ENCODER.encodeToString(bytes);
  }

  /**
   * The bits of {@code id} if it is spelled as {@link #next()} spells ids, else null. Only one
   * spelling per id counts: the last character's four bits beyond the 128th must be zero, so that
   * {@code text(bits(id))} is {@code id} again.
   */
  public static Bits bits(String id) {
    if (id == null || id.length() != CHARS) {
      return null;
    }
    long high = 0;
    long low = 0;
    for (int i = 0; i < CHARS - 1; i++) {
      int v = sextet(id.charAt(i));
      if (v < 0) {
        return null;
      }
      high = (high << 6) | (low >>> 58);
      low = (low << 6) | v;
    }
    int last = sextet(id.charAt(CHARS - 1));
    if (last < 0 || (last & 0xF) != 0) {
      return null;
    }
    high = (high << 2) | (low >>> 62);
    low = (low << 2) | (last >>> 4);
    return new Bits(high, low);
  }

  /** The id whose bits these are, spelled as {@link #next()} spells it. */
  public static String text(long high, long low) {
    return ENCODER.encodeToString(ByteBuffer.allocate(16).putLong(high).putLong(low).array());
  }

  /** A character's value in URL-safe Base64, or -1. */
  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    return c == '-' ? 62 : c == '_' ? 63 : -1;
  }
}
