package dev.edgechat.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Splits text into lowercased words: runs of letters and digits. */
final class Words {

  private Words() {
  }

  static List<String> of(String text) {
    List<String> words = new ArrayList<>();
    String lower = text.toLowerCase(Locale.ROOT);
    int start = -1;
    for (int i = 0; i <= lower.length(); i++) {
      boolean wordChar = i < lower.length() && Character.isLetterOrDigit(lower.charAt(i));
      if (wordChar && start < 0) {
        start = i;
      } else if (!wordChar && start >= 0) {
        words.add(lower.substring(start, i));
        start = -1;
      }
    }
    return words;
  }

  /** Number of words, at least 1 for non-blank text (punctuation alone is a token too). */
  static int count(String text) {
    int count = of(text).size();
    return count == 0 && !text.isBlank() ? 1 : count;
  }
}
