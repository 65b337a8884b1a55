package dev.edgechat.cache.semantic;

/**
 * Whether two words are one typing slip apart. Written here rather than taken from a library
 * because only "at most one edit" is asked, which a single pass answers without the full edit
 * distance table (Apache Commons Text's LevenshteinDistance also lacks the swap of neighbours,
 * the commonest slip).
 */
final class Typos {

  private Typos() {
  }

  /**
   * Whether {@code one} becomes {@code other} by one letter inserted, left out or replaced, or two
   * neighbouring letters swapped; false for equal words.
   */
  static boolean oneEditApart(String one, String other) {
    if (one.equals(other)) {
      return false;
    }
    int a = one.length();
    int b = other.length();
    if (Math.abs(a - b) > 1) {
      return false;
    }
    int start = 0;
    while (start < Math.min(a, b) && one.charAt(start) == other.charAt(start)) {
      start++;
    }
    if (a == b) {
      String oneRest = one.substring(start + 1);
      if (oneRest.equals(other.substring(start + 1))) {
        return true; // one replaced
      }
      return start + 1 < a && one.charAt(start) == other.charAt(start + 1)
          && one.charAt(start + 1) == other.charAt(start)
          && one.substring(start + 2).equals(other.substring(start + 2)); // neighbours swapped
    }
    String longer = a > b ? one : other;
    String shorter = a > b ? other : one;
    return longer.substring(start + 1).equals(shorter.substring(start)); // one inserted or left out
  }
}
