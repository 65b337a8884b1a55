package dev.edgechat.topology;

import java.util.regex.Pattern;

/**
 * A region that runs an edge, and its distance to the primary region: the round trip between its
 * edge and origin.
 *
 * @param name a region name as Fly.io spells them ({@code fra}, {@code sin}): 2 to 16 lower-case letters or digits
 * @param originRttMs the round trip between this region's edge and origin, 0 to 10,000 ms
 */
public record EdgeRegion(String name, long originRttMs) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9]{2,16}");

  public EdgeRegion {
    checkName(name);
    if (originRttMs < 0 || originRttMs > 10_000) {
      throw new IllegalArgumentException("the round trip of region " + name + " to origin must be 0 to 10000 ms, was "
          + originRttMs);
    }
  }

  /** Reads {@code name:rttMs}, e.g. {@code fra:90}. */
  public static EdgeRegion parse(String text) {
    String[] parts = text.trim().split(":", 2);
    if (parts.length != 2) {
      throw new IllegalArgumentException("a region is name:rttMs, e.g. fra:90, got '" + text + "'");
    }
    try {
      return new EdgeRegion(parts[0], Long.parseLong(parts[1]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the round trip in '" + text + "' is not a whole number of milliseconds");
    }
  }

  /** Fails unless {@code name} is a region name: 2 to 16 lower-case letters or digits. */
  static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a region name is 2 to 16 lower-case letters or digits, got '" + name + "'");
    }
    return name;
  }

  @Override
  public String toString() {
    return name + ":" + originRttMs;
  }
}
