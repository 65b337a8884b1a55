package dev.edgechat.cache.semantic;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads chat shorthand as the words it stands for ("can u" → "can you", "doesnt" → "does not"),
 * from the list chat-shorthand.txt, before a question is embedded or its anchors are read: the
 * embedding model sees "u" as a letter and the guard would miss the negation of "doesnt". Whole
 * words only, in any case; punctuation and spacing around them stay as written.
 */
final class ChatShorthand {

  /**
   * A word of letters (with their combining marks) and digits, standing alone: not part of a word
   * joined by an apostrophe or a hyphen ("U-turn", "u's") nor of a dotted abbreviation ("U.S.",
   * "U.K."), whose letters are not chat.
   */
  private static final Pattern WORD = Pattern.compile(
      "(?<![\\p{L}\\p{M}\\p{N}'’-])(?<!\\p{L}\\.)[\\p{L}\\p{M}\\p{N}]+(?![\\p{L}\\p{M}\\p{N}'’-])(?!\\.\\p{L})");

  private ChatShorthand() {
  }

  /** {@code question} with each shorthand word written out; the same string when it has none. */
  static String expand(String question) {
    Matcher matcher = WORD.matcher(question);
    StringBuilder out = null;
    int copied = 0;
    while (matcher.find()) {
      String meaning = Lexicon.SHORTHAND.get(matcher.group().toLowerCase(Locale.ROOT));
      if (meaning == null) {
        continue;
      }
      if (out == null) {
        out = new StringBuilder(question.length() + 16);
      }
      out.append(question, copied, matcher.start()).append(meaning);
      copied = matcher.end();
    }
    return out == null ? question : out.append(question, copied, question.length()).toString();
  }
}
