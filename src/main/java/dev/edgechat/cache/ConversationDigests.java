package dev.edgechat.cache;

import dev.edgechat.web.IdSlots;
import dev.edgechat.web.Ids;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What this edge knows of the conversations it served: a digest of each one's turns so far, so
 * that a follow-up can be cached under its question plus everything said before it. Two
 * conversations with the same questions and the same answers have the same digest, whoever had
 * them and on whichever edge.
 *
 * <p>An edge that does not know a conversation (it was served elsewhere, or forgotten) answers its
 * follow-ups from origin without the cache; so does one whose last turn failed, because origin
 * may then hold a question this edge cannot account for. Only conversations whose ids an edge
 * made ({@link Ids#next()}, which is how every conversation begins) are remembered.
 *
 * <p>The least recently used conversation gives way when {@code maxConversations} are known, and
 * one unused for {@code idle} is forgotten. Written by hand, not a Caffeine cache (which it
 * replaced), for its size: every hit of an opening question starts a conversation, so at hit
 * rates the store is full, and Caffeine's node, the map's entry and the id's string took ~140
 * bytes a conversation, the largest part of a busy edge's live heap. Here a conversation is its
 * id's 128 bits in {@link IdSlots}, a reference to its digest (a hit's digest is shared by every
 * hit of the same answer), its last use and its two neighbours in a list ordered by use, ~50
 * bytes. Because every conversation is forgotten after the same idle time, the least recently
 * used is also the next to expire: the list is both the bound and the expiry. The arrays grow by
 * doubling up to {@code maxConversations}. Thread-safe: every method holds the lock for a few
 * array reads and writes.
 */
public final class ConversationDigests {

  /** The digest of a conversation with no turns yet. */
  public static final String NONE = "";

  private static final int DIGEST_HEX_CHARS = 32;
  private static final int FIRST_SLOTS = 64;
  private static final int NIL = -1;

  private final int capacity;
  private final long idleNanos;
  private final LongSupplier nanoTime;

  // all guarded by this
  private IdSlots ids;
  private String[] digests;
  private long[] usedAt;
  /** The list by use, least recent first; for a free slot, {@code newer} links the free slots. */
  private int[] older;
  private int[] newer;
  private int leastRecent = NIL;
  private int mostRecent = NIL;
  private int free = NIL;
  private int count;

  /**
   * @param maxConversations how many conversations to remember (edge-config {@code cache.followUps}); 0 none
   * @param nanoTime the clock a conversation's {@code idle} time is measured by
   */
  public ConversationDigests(int maxConversations, Duration idle, LongSupplier nanoTime) {
    if (maxConversations < 0) {
      throw new IllegalArgumentException("maxConversations must not be negative: " + maxConversations);
    }
    this.capacity = maxConversations;
    this.idleNanos = idle.toNanos();
    this.nanoTime = nanoTime;
    allocate(Math.min(maxConversations, FIRST_SLOTS));
  }

  /** The digest of {@code conversation}'s turns so far, if this edge knows them. */
  public Optional<String> before(String conversation) {
    Ids.Bits id = Ids.bits(conversation);
    if (id == null) {
      return Optional.empty();
    }
    synchronized (this) {
      int slot = ids.find(id.high(), id.low());
      if (slot == NIL) {
        return Optional.empty();
      }
      long now = nanoTime.getAsLong();
      if (now - usedAt[slot] >= idleNanos) {
        release(slot);
        return Optional.empty();
      }
      touch(slot, now);
      return Optional.of(digests[slot]);
    }
  }

  /** Records a turn: {@code question} got {@code answer} after the turns whose digest is {@code before}. */
  public void answered(String conversation, String before, String question, String answer) {
    remember(conversation, next(before, question, answer));
  }

  /**
   * Records a turn answered from the cache: the question of {@code key} got {@code answer} after
   * the turns whose digest is {@code key.history()}. The same as {@link #answered(String, String,
   * String, String)}, but the digest is kept with the answer: every hit of it ends the same turn.
   */
  public void answered(String conversation, AnswerKey key, CachedAnswer answer) {
    remember(conversation, answer.turnDigest(key.history(), key.question(),
        () -> nextNormalized(key.history(), key.question(), answer.text())));
  }

  /** Forgets {@code conversation}: its follow-ups go to origin uncached from now on. */
  public void forget(String conversation) {
    Ids.Bits id = Ids.bits(conversation);
    if (id == null) {
      return;
    }
    synchronized (this) {
      int slot = ids.find(id.high(), id.low());
      if (slot != NIL) {
        release(slot);
      }
    }
  }

  /** How many conversations are known now, idle ones not yet forgotten included. */
  public synchronized int size() {
    return count;
  }

  private void remember(String conversation, String digest) {
    Ids.Bits id = Ids.bits(conversation);
    if (id == null || capacity == 0) {
      return;
    }
    synchronized (this) {
      long now = nanoTime.getAsLong();
      int slot = ids.find(id.high(), id.low());
      if (slot == NIL) {
        while (leastRecent != NIL && now - usedAt[leastRecent] >= idleNanos) {
          release(leastRecent);
        }
        if (count == ids.slots()) {
          if (ids.slots() < capacity) {
            grow();
          } else {
            release(leastRecent);
          }
        }
        slot = free;
        free = newer[slot];
        ids.put(slot, id.high(), id.low());
        older[slot] = NIL;
        newer[slot] = NIL;
        link(slot);
        count++;
      } else {
        touch(slot, now);
      }
      digests[slot] = digest;
      usedAt[slot] = now;
    }
  }

  /** Makes {@code slot} the most recently used. */
  private void touch(int slot, long now) {
    usedAt[slot] = now;
    if (slot != mostRecent) {
      unlink(slot);
      link(slot);
    }
  }

  private void link(int slot) {
    older[slot] = mostRecent;
    newer[slot] = NIL;
    if (mostRecent != NIL) {
      newer[mostRecent] = slot;
    } else {
      leastRecent = slot;
    }
    mostRecent = slot;
  }

  private void unlink(int slot) {
    if (older[slot] != NIL) {
      newer[older[slot]] = newer[slot];
    } else {
      leastRecent = newer[slot];
    }
    if (newer[slot] != NIL) {
      older[newer[slot]] = older[slot];
    } else {
      mostRecent = older[slot];
    }
  }

  private void release(int slot) {
    unlink(slot);
    ids.remove(slot);
    digests[slot] = null;
    newer[slot] = free;
    free = slot;
    count--;
  }

  /** Doubles the slots, keeping the conversations in their order of use. */
  private void grow() {
    int length = (int) Math.min(capacity, 2L * ids.slots());
    IdSlots oldIds = ids;
    String[] oldDigests = digests;
    long[] oldUsedAt = usedAt;
    int[] oldNewer = newer;
    int from = leastRecent;
    allocate(length);
    for (int s = from; s != NIL; s = oldNewer[s]) {
      int slot = free;
      free = newer[slot];
      ids.put(slot, oldIds.high(s), oldIds.low(s));
      digests[slot] = oldDigests[s];
      usedAt[slot] = oldUsedAt[s];
      link(slot);
      count++;
    }
  }

  private void allocate(int length) {
    ids = new IdSlots(length);
    digests = new String[length];
    usedAt = new long[length];
    older = new int[length];
    newer = new int[length];
    for (int s = 0; s < length; s++) {
      newer[s] = s + 1 < length ? s + 1 : NIL;
    }
    free = length > 0 ? 0 : NIL;
    leastRecent = NIL;
    mostRecent = NIL;
    count = 0;
  }

  /**
   * For tests: the conversations' ids from least to most recently used, and whether the index
   * holds exactly them.
   */
  synchronized List<String> byUse() {
    List<String> order = new ArrayList<>();
    boolean[] held = new boolean[ids.slots()];
    for (int s = leastRecent; s != NIL; s = newer[s]) {
      order.add(ids.text(s));
      held[s] = true;
    }
    if (order.size() != count || !ids.consistent(s -> held[s])) {
      throw new IllegalStateException("the digests' list and index disagree");
    }
    return order;
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
