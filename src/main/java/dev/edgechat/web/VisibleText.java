package dev.edgechat.web;

/**
 * Whether a text holds anything to read: a character that is not white space, not a control or
 * format character (zero-width space U+200B, byte-order mark U+FEFF, bidi overrides such as
 * U+202E), not a lone surrogate, private-use, unassigned, U+FFFD or a lone combining mark. These
 * are exactly what the embedding model's tokenizer (BERT's: clean, split on white space, strip
 * accents) drops, so a text without such a character has no tokens and cannot be embedded or
 * answered: it is refused as blank at the edge of every API, and skipped where text is cut up
 * (chunks of a document).
 */
public final class VisibleText {

  private VisibleText() {
  }

  /** Whether {@code text} has at least one visible character. */
  public static boolean in(String text) {
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (isVisible(cp)) {
        return true;
      }
      i += Character.charCount(cp);
    }
    return false;
  }

  static boolean isVisible(int cp) {
    if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0xFFFD) {
      return false;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
          Character.NON_SPACING_MARK -> false;
      default -> true;
    };
  }

  /** Whether {@code text} has a surrogate not paired as UTF-16 requires (it has no UTF-8 form). */
  public static boolean hasLoneSurrogate(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        return true;
      }
      if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
