package dev.edgechat.knowledge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A document of a site's knowledge base.
 *
 * @param freshness {@code static} (answers citing it cache for a day) or {@code dynamic} (an hour)
 */
public record Document(String id, String title, String url, String freshness, String text) {

  /** SHA-256 of what the chunks and the sources event are made of; an unchanged document is skipped. */
  public String contentHash() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {title, url == null ? "" : url, freshness, text}) {
        digest.update(part.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
