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
 * <p>At most {@code maxConversations} are known, and one unused for {@code idle} is forgotten.
 * Which gives way when the store is full: every hit of an opening question starts a conversation,
 * and most never see a second turn, so a stream of them must not push out the conversations that
 * are going on. A conversation starts in a probation list and moves to a protected one at its
 * second use (a follow-up); the least recently used of probation gives way first, and the
 * protected list keeps at most four fifths of the store, its least recently used going back to
 * probation (a segmented LRU: what Caffeine's main space does, without its frequency sketch).
 *
 * <p>Written by hand, not a Caffeine cache (which it replaced), for its size: under hits the store
 * is full, and Caffeine's node, the map's entry and the id's string took ~140 bytes a
 * conversation, the largest part of a busy edge's live heap. Here a conversation is its id's 128
 * bits in {@link IdSlots}, a reference to its digest (a hit's digest is shared by every hit of the
 * same answer), its last use, its list and its two neighbours there, ~50 bytes. Each list is in
 * order of use, so its least recent is also the next of it to expire, and every conversation
 * shares the idle limit: the lists are the expiry too (one put back into probation may sit behind
 * younger ones; it is found idle when asked for, and gives way first when the store is full). The
 * arrays grow by doubling up to {@code maxConversations}. Thread-safe: every method holds the lock
 * for a few array reads and writes.
 */
public final class ConversationDigests {

  /** The digest of a conversation with no turns yet. */
  public static final String NONE = "";

  private static final int DIGEST_HEX_CHARS = 32;
  private static final int FIRST_SLOTS = 64;
  private static final int NIL = -1;
  private static final byte PROBATION = 0;
  private static final byte PROTECTED = 1;

  private final int capacity;
  private final int maxProtected;
  private final long idleNanos;
  private final LongSupplier nanoTime;

  // all guarded by this
  private IdSlots ids;
  private String[] digests;
  private long[] usedAt;
  private byte[] list;
  /** Each list by use, least recent first; for a free slot, {@code newer} links the free slots. */
  private int[] older;
  private int[] newer;
  private final int[] leastRecent = {NIL, NIL};
  private final int[] mostRecent = {NIL, NIL};
  private int free = NIL;
  private int count;
  private int protectedCount;

  /**
   * @param maxConversations how many conversations to remember (edge-config {@code cache.followUps}); 0 none
   * @param nanoTime the clock a conversation's {@code idle} time is measured by
   */
  public ConversationDigests(int maxConversations, Duration idle, LongSupplier nanoTime) {
    if (maxConversations < 0) {
      throw new IllegalArgumentException("maxConversations must not be negative: " + maxConversations);
    }
    this.capacity = maxConversations;
    this.maxProtected = maxConversations - maxConversations / 5;
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
      used(slot, now);
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
        forgetIdle(now);
        if (count == ids.slots()) {
          if (ids.slots() < capacity) {
            grow();
          } else {
            release(leastRecent[PROBATION] != NIL ? leastRecent[PROBATION] : leastRecent[PROTECTED]);
          }
        }
        slot = free;
        free = newer[slot];
        ids.put(slot, id.high(), id.low());
        usedAt[slot] = now;
        link(slot, PROBATION);
        count++;
      } else {
        used(slot, now);
      }
      digests[slot] = digest;
    }
  }

  /** Forgets, from the least recent end of each list, the conversations idle for too long. */
  private void forgetIdle(long now) {
    for (byte l = PROBATION; l <= PROTECTED; l++) {
      while (leastRecent[l] != NIL && now - usedAt[leastRecent[l]] >= idleNanos) {
        release(leastRecent[l]);
      }
    }
  }

  /** Makes {@code slot} the most recently used of the protected list; one in probation moves there. */
  private void used(int slot, long now) {
    usedAt[slot] = now;
    if (list[slot] == PROTECTED && slot == mostRecent[PROTECTED]) {
      return;
    }
    unlink(slot);
    link(slot, PROTECTED);
    if (protectedCount > maxProtected) {
      int back = leastRecent[PROTECTED];
      unlink(back);
      link(back, PROBATION);
    }
  }

  private void link(int slot, byte into) {
    list[slot] = into;
    older[slot] = mostRecent[into];
    newer[slot] = NIL;
    if (mostRecent[into] != NIL) {
      newer[mostRecent[into]] = slot;
    } else {
      leastRecent[into] = slot;
    }
    mostRecent[into] = slot;
    if (into == PROTECTED) {
      protectedCount++;
    }
  }

  private void unlink(int slot) {
    byte from = list[slot];
    if (older[slot] != NIL) {
      newer[older[slot]] = newer[slot];
    } else {
      leastRecent[from] = newer[slot];
    }
    if (newer[slot] != NIL) {
      older[newer[slot]] = older[slot];
    } else {
      mostRecent[from] = older[slot];
    }
    if (from == PROTECTED) {
      protectedCount--;
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

  /** Doubles the slots, keeping each conversation in its list and each list in its order of use. */
  private void grow() {
    int length = (int) Math.min(capacity, 2L * ids.slots());
    IdSlots oldIds = ids;
    String[] oldDigests = digests;
    long[] oldUsedAt = usedAt;
    int[] oldNewer = newer;
    int[] from = leastRecent.clone();
    allocate(length);
    for (byte l = PROBATION; l <= PROTECTED; l++) {
      for (int s = from[l]; s != NIL; s = oldNewer[s]) {
        int slot = free;
        free = newer[slot];
        ids.put(slot, oldIds.high(s), oldIds.low(s));
        digests[slot] = oldDigests[s];
        usedAt[slot] = oldUsedAt[s];
        link(slot, l);
        count++;
      }
    }
  }

  private void allocate(int length) {
    ids = new IdSlots(length);
    digests = new String[length];
    usedAt = new long[length];
    list = new byte[length];
    older = new int[length];
    newer = new int[length];
    for (int s = 0; s < length; s++) {
      newer[s] = s + 1 < length ? s + 1 : NIL;
    }
    free = length > 0 ? 0 : NIL;
    leastRecent[PROBATION] = NIL;
    leastRecent[PROTECTED] = NIL;
    mostRecent[PROBATION] = NIL;
    mostRecent[PROTECTED] = NIL;
    count = 0;
    protectedCount = 0;
  }

  /**
   * For tests: the conversations' ids in probation and then in the protected list, each from least
   * to most recently used; and a check that the index holds exactly them.
   */
  synchronized List<List<String>> byUse() {
    List<List<String>> lists = new ArrayList<>();
    boolean[] held = new boolean[ids.slots()];
    int listed = 0;
    for (byte l = PROBATION; l <= PROTECTED; l++) {
      List<String> order = new ArrayList<>();
      for (int s = leastRecent[l]; s != NIL; s = newer[s]) {
        order.add(ids.text(s));
        held[s] = true;
      }
      listed += order.size();
      lists.add(order);
    }
    if (listed != count || lists.get(1).size() != protectedCount || !ids.consistent(s -> held[s])) {
      throw new IllegalStateException("the digests' lists and index disagree");
    }
    return lists;
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
