package dev.edgechat.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What identifies a cached answer: the site, its knowledge-base version (so changing a document
 * retires every answer built on the old one), the question, normalized so that case, spacing and
 * trailing punctuation do not split the cache, and the digest of the conversation's earlier turns
 * ({@link ConversationDigests}; empty for the first question), because a follow-up's answer
 * depends on what came before it.
 */
public record AnswerKey(String site, long kbVersion, String question, String history) {

  private static final Pattern SPACES = Pattern.compile("\\s+");
  private static final Pattern TRAILING = Pattern.compile("[\\s?!.]+$");

  public AnswerKey {
    Objects.requireNonNull(site, "site");
    Objects.requireNonNull(question, "question");
    Objects.requireNonNull(history, "history");
  }

  /** The key of {@code question} opening a conversation on {@code site} at knowledge-base {@code kbVersion}. */
  public static AnswerKey of(String site, long kbVersion, String question) {
    return of(site, kbVersion, question, ConversationDigests.NONE);
  }

  /** The key of {@code question} asked after the earlier turns whose digest is {@code history}. */
  public static AnswerKey of(String site, long kbVersion, String question, String history) {
    return new AnswerKey(site, kbVersion, normalize(question), history);
  }

  /** Whether this is the first question of a conversation: only those are matched by meaning. */
  public boolean opensConversation() {
    return history.isEmpty();
  }

  /** NFKC, lower case, single spaces, no trailing {@code ?!.} or spaces. */
  static String normalize(String question) {
    for (int i = 0; i < question.length(); i++) {
      if (question.charAt(i) >= 0x80) {
        return normalizeByPatterns(question);
      }
    }
    return normalizeAscii(question);
  }

  /** {@link #normalize} of any text: the definition. */
  static String normalizeByPatterns(String question) {
    String text = Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    text = SPACES.matcher(text).replaceAll(" ").strip();
    return TRAILING.matcher(text).replaceAll("");
  }

  /**
   * {@link #normalize} of ASCII text (every question a hit repeats, in practice) in one pass, with
   * the same result as the definition: NFKC leaves ASCII as it is, and once runs of {@code \s} are
   * single spaces no line terminator is left for {@code $} to stop before.
   */
  private static String normalizeAscii(String question) {
    StringBuilder out = new StringBuilder(question.length());
    boolean inSpaces = false;
    for (int i = 0; i < question.length(); i++) {
      char c = question.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r') {
        inSpaces = true;
        continue;
      }
      if (inSpaces) {
        out.append(' ');
        inSpaces = false;
      }
      out.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
    }
    if (inSpaces) {
      out.append(' ');
    }
    int start = 0;
    int end = out.length();
    while (start < end && Character.isWhitespace(out.charAt(start))) {
      start++;
    }
    while (end > start && Character.isWhitespace(out.charAt(end - 1))) {
      end--;
    }
    while (end > start && isTrailing(out.charAt(end - 1))) {
      end--;
    }
    return out.substring(start, end);
  }

  private static boolean isTrailing(char c) {
    return c == ' ' || c == '?' || c == '!' || c == '.';
  }

  /**
   * {@code edgechat:answer:<site>:<kbVersion>:<sha-256 of the question>}, with {@code :<history>}
   * inserted before the hash for a follow-up.
   */
  public String redisKey() {
    return "edgechat:answer:" + site + ":" + kbVersion + ":" + (history.isEmpty() ? "" : history + ":")
        + sha256(question);
  }

  static String sha256(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
