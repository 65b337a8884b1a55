package dev.edgechat.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * What this edge knows of the conversations it served: a digest of each one's turns so far, so
 * that a follow-up can be cached under its question plus everything said before it. Two
 * conversations with the same questions and the same answers have the same digest, whoever had
 * them and on whichever edge.
 *
 * <p>An edge that does not know a conversation (it was served elsewhere, or forgotten) answers its
 * follow-ups from origin without the cache; so does one whose last turn failed, because origin
 * may then hold a question this edge cannot account for.
 */
public final class ConversationDigests {

  /** The digest of a conversation with no turns yet. */
  public static final String NONE = "";

  private static final int DIGEST_HEX_CHARS = 32;

  private final Cache<String, String> digests;

  /** @param maxConversations how many conversations to remember (edge-config {@code cache.followUps}); 0 none */
  public ConversationDigests(int maxConversations, Duration idle) {
    this(maxConversations, idle, Ticker.systemTicker());
  }

  /**
   * @param maxConversations how many conversations to remember (edge-config {@code cache.followUps}); 0 none
   * @param ticker the clock a conversation's {@code idle} time is measured by
   */
  public ConversationDigests(int maxConversations, Duration idle, Ticker ticker) {
    this.digests = Caffeine.newBuilder().maximumSize(maxConversations).expireAfterAccess(idle)
        .ticker(ticker).executor(Runnable::run).build();
  }

  /** The digest of {@code conversation}'s turns so far, if this edge knows them. */
  public Optional<String> before(String conversation) {
    return Optional.ofNullable(digests.getIfPresent(conversation));
  }

  /** Records a turn: {@code question} got {@code answer} after the turns whose digest is {@code before}. */
  public void answered(String conversation, String before, String question, String answer) {
    digests.put(conversation, next(before, question, answer));
  }

  /**
   * Records a turn answered from the cache: the question of {@code key} got {@code answer} after
   * the turns whose digest is {@code key.history()}. The same as {@link #answered(String, String,
   * String, String)}, but the digest is kept with the answer: every hit of it ends the same turn.
   */
  public void answered(String conversation, AnswerKey key, CachedAnswer answer) {
    digests.put(conversation, answer.turnDigest(key.history(), key.question(),
        () -> nextNormalized(key.history(), key.question(), answer.text())));
  }

  /** Forgets {@code conversation}: its follow-ups go to origin uncached from now on. */
  public void forget(String conversation) {
    digests.invalidate(conversation);
  }

  /** The digest after one more turn: a hash of the digest before, the normalized question and the exact answer. */
  static String next(String before, String question, String answer) {
    return nextNormalized(before, AnswerKey.normalize(question), answer);
  }

  private static String nextNormalized(String before, String normalizedQuestion, String answer) {
    return AnswerKey.sha256(before + '\u0000' + normalizedQuestion + '\u0000' + answer)
        .substring(0, DIGEST_HEX_CHARS);
  }
}
