package dev.edgechat.db;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A position in the primary's write-ahead log (Postgres's {@code pg_lsn}), as Postgres writes it:
 * two hexadecimal halves of a 64-bit byte offset, {@code 16/B374D848}. A write is visible on a
 * replica once the replica has replayed past the position read after the write's commit.
 */
public record Lsn(long value) implements Comparable<Lsn> {

  /** Before any WAL: every replica has passed it. */
  public static final Lsn ZERO = new Lsn(0);

  private static final Pattern TEXT = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

  /**
   * Reads Postgres's text form.
   *
   * @throws IllegalArgumentException when {@code text} is not {@code X/Y} with X and Y of 1 to 8 hex digits
   */
  public static Lsn parse(String text) {
    Objects.requireNonNull(text, "text");
    if (!TEXT.matcher(text).matches()) {
      throw new IllegalArgumentException("not a WAL position (X/Y, hexadecimal): '"
          + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "'");
    }
    int slash = text.indexOf('/');
    long high = Long.parseLong(text.substring(0, slash), 16);
    long low = Long.parseLong(text.substring(slash + 1), 16);
    return new Lsn((high << 32) | low);
  }

  /** Whether {@code text} is a WAL position {@link #parse} reads. */
  public static boolean isLsn(String text) {
    return text != null && TEXT.matcher(text).matches();
  }

  /** The later of two positions. */
  public Lsn max(Lsn other) {
    return compareTo(other) >= 0 ? this : other;
  }

  /** Whether this position is at or past {@code other}. */
  public boolean reached(Lsn other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(Lsn other) {
    return Long.compareUnsigned(value, other.value);
  }

  /** Postgres's text form, e.g. {@code 16/B374D848}. */
  @Override
  public String toString() {
    return Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
        + Long.toHexString(value & 0xFFFF_FFFFL).toUpperCase(Locale.ROOT);
  }
}
