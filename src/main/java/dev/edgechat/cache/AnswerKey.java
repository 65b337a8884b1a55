package dev.edgechat.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What identifies a cached answer: the site, its knowledge-base version (so changing a document
 * retires every answer built on the old one) and the question, normalized so that case, spacing
 * and trailing punctuation do not split the cache.
 */
public record AnswerKey(String site, long kbVersion, String question) {

  /** The key of {@code question} asked of {@code site} at knowledge-base {@code kbVersion}. */
  public static AnswerKey of(String site, long kbVersion, String question) {
    return new AnswerKey(site, kbVersion, normalize(question));
  }

  /** NFKC, lower case, single spaces, no trailing {@code ?!.} or spaces. */
  static String normalize(String question) {
    String text = Normalizer.normalize(question, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT);
    text = text.replaceAll("\\s+", " ").strip();
    return text.replaceAll("[\\s?!.]+$", "");
  }

  /** {@code edgechat:answer:<site>:<kbVersion>:<sha-256 of the question>}. */
  public String redisKey() {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(question.getBytes(StandardCharsets.UTF_8));
      return "edgechat:answer:" + site + ":" + kbVersion + ":" + HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
