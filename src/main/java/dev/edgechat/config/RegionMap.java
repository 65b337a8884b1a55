package dev.edgechat.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A setting given for every region in one value, {@code fra=redis://…,sin=redis://…}, so that a
 * secret set once for the whole app (Fly's secrets are app-wide) can still give each region its
 * own server. Each process takes the entries of its own region (setting {@code region}: {@code
 * EDGECHAT_REGION}, else {@code FLY_REGION}).
 *
 * <p>An entry is {@code region=value}; the value is what the setting takes on its own (a URL, or
 * nothing for "none in this region") and may itself hold {@code =} (a URL's parameters) but not
 * {@code ,} (write {@code %2C}). A value is a map when one of its entries has a {@code =} before
 * any {@code :} or {@code /}, which no URL has; then every entry must be {@code region=value}.
 */
final class RegionMap {

  /** Region names as Fly's ({@code fra}) and the region files' ({@code edge-config/<region>.yaml}). */
  private static final Pattern ENTRY = Pattern.compile("([A-Za-z0-9_-]{1,64})=(.*)", Pattern.DOTALL);
  private static final Pattern LOOKS_LIKE_ENTRY = Pattern.compile("[^:/=]*=.*", Pattern.DOTALL);

  private RegionMap() {
  }

  /** The comma-separated entries of a setting's text, trimmed, blank ones left out. */
  static List<String> split(String text) {
    List<String> entries = new ArrayList<>();
    for (String entry : text.split(",")) {
      if (!entry.isBlank()) {
        entries.add(entry.trim());
      }
    }
    return entries;
  }

  /** Whether {@code entries} are a region map rather than plain values. */
  static boolean isMap(List<String> entries) {
    return entries.stream().anyMatch(entry -> LOOKS_LIKE_ENTRY.matcher(entry).matches());
  }

  /**
   * The values of each region, in the order written.
   *
   * @throws IllegalArgumentException describing the first malformed entry (values are left out of
   *     the message: they may hold passwords)
   */
  static Map<String, List<String>> parse(List<String> entries) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      String entry = entries.get(i);
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        int eq = entry.indexOf('=');
        throw new IllegalArgumentException(LOOKS_LIKE_ENTRY.matcher(entry).matches()
            ? "entry " + (i + 1) + " names region '" + entry.substring(0, eq).trim() + "'; a region is 1 to 64 letters,"
                + " digits, '_' or '-'"
            : "entry " + (i + 1) + " is not region=value; a value of region=value entries, separated by commas,"
                + " cannot also hold a plain value (write the URL as region=url)");
      }
      out.computeIfAbsent(m.group(1), region -> new ArrayList<>()).add(m.group(2).trim());
    }
    return out;
  }
}
