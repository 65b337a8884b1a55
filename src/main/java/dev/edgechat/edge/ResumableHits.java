package dev.edgechat.edge;

import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.web.IdSlots;
import dev.edgechat.web.Ids;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The cache hits this edge keeps resumable: up to {@code capacity} of them, each for the resume
 * time-to-live, in about 66 bytes apiece (the conversation id included).
 *
 * <p>Written by hand, not a Caffeine cache (which it replaced), because of what it holds and how
 * many: a hit is kept in the order it was sent and every hit lives equally long, so the oldest is
 * always the next to expire and also the one to give way when the store is full. A ring in time
 * order is therefore both the bound and the expiry, with no policy to run. Its message ids
 * (always this edge's own: 128 random bits, {@link Ids}) are kept as two {@code long}s, not
 * strings, and found through an open-addressing index of slots ({@link IdSlots}); so are the
 * conversations' ids when this edge made them (a string otherwise). Caffeine's
 * nodes, the map entry, the record and the id's string took about 200 bytes per hit; at the
 * default of 100,000 kept hits, which the API's "resumable for at least five minutes" asks for at
 * ~330 hits/s, that was a third of the edge's live heap (docs/benchmarks.md, "Lean edge").
 *
 * <p>The arrays grow by doubling up to {@code capacity}, so an edge that serves few hits holds
 * little. Thread-safe: every method holds the lock for a few array reads and writes.
 */
final class ResumableHits {

  private static final int FIRST_SLOTS = 64;

  private final int capacity;
  private final long ttlNanos;
  private final LongSupplier nanoTime;

  // all guarded by this. Slot s holds a hit when it is among the count slots from oldest, in ring order
  private IdSlots messages;
  /** The conversation's id as bits, or (an id this edge did not make) in {@code otherConversations}. */
  private long[] conversationHigh;
  private long[] conversationLow;
  private String[] otherConversations;
  private String[] regions;
  private CachedAnswer[] answers;
  private int[] millis;
  private long[] keptAt;
  private int oldest;
  private int count;

  /**
   * @param capacity how many hits at most ({@code edge.resumableHits}); 0 keeps none
   * @param ttlNanos how long each stays resumable ({@code edge.resumeTtlMs}, set at start)
   * @param nanoTime the clock their age is measured by
   */
  ResumableHits(int capacity, long ttlNanos, LongSupplier nanoTime) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
    this.ttlNanos = ttlNanos;
    this.nanoTime = nanoTime;
    allocate(Math.min(capacity, FIRST_SLOTS));
  }

  /** Keeps {@code hit} resumable; the oldest kept gives way when the store is full. */
  void keep(ReplayedMessage hit) {
    Ids.Bits id = Ids.bits(hit.message());
    if (id == null || capacity == 0) {
      return; // none kept, or not an id this edge made: no visitor can hold it either
    }
    Ids.Bits conversation = Ids.bits(Objects.requireNonNull(hit.conversation(), "conversation"));
    synchronized (this) {
      keep(hit, id, conversation);
    }
  }

  private void keep(ReplayedMessage hit, Ids.Bits id, Ids.Bits conversation) {
    long now = nanoTime.getAsLong();
    dropExpired(now);
    if (count == messages.slots()) {
      if (messages.slots() < capacity) {
        grow();
      } else {
        drop();
      }
    }
    int slot = (oldest + count) % messages.slots();
    if (conversation != null) {
      conversationHigh[slot] = conversation.high();
      conversationLow[slot] = conversation.low();
    } else {
      otherConversations[slot] = hit.conversation();
    }
    regions[slot] = hit.regionJson();
    answers[slot] = hit.answer();
    millis[slot] = (int) Math.min(Integer.MAX_VALUE, hit.ms());
    keptAt[slot] = now;
    count++;
    messages.put(slot, id.high(), id.low());
  }

  /** The hit sent as {@code message}, while it is kept and not expired; null otherwise. */
  ReplayedMessage find(String message) {
    Ids.Bits id = Ids.bits(message);
    if (id == null) {
      return null;
    }
    synchronized (this) {
      int slot = messages.find(id.high(), id.low());
      if (slot < 0 || nanoTime.getAsLong() - keptAt[slot] >= ttlNanos) {
        return null;
      }
      return new ReplayedMessage(conversation(slot), message, regions[slot], answers[slot], millis[slot]);
    }
  }

  /** How many hits are kept now, expired ones not yet given way included. */
  synchronized int size() {
    return count;
  }

  private String conversation(int slot) {
    return otherConversations[slot] != null ? otherConversations[slot]
        : Ids.text(conversationHigh[slot], conversationLow[slot]);
  }

  private void dropExpired(long now) {
    while (count > 0 && now - keptAt[oldest] >= ttlNanos) {
      drop();
    }
  }

  /** Gives the oldest kept hit's slot up. */
  private void drop() {
    messages.remove(oldest);
    otherConversations[oldest] = null;
    regions[oldest] = null;
    answers[oldest] = null;
    oldest = (oldest + 1) % messages.slots();
    count--;
  }

  private void grow() {
    int length = (int) Math.min(capacity, 2L * messages.slots());
    IdSlots ids = messages;
    long[] convHigh = conversationHigh;
    long[] convLow = conversationLow;
    String[] otherConv = otherConversations;
    String[] reg = regions;
    CachedAnswer[] ans = answers;
    int[] ms = millis;
    long[] at = keptAt;
    int from = oldest;
    int kept = count;
    allocate(length);
    for (int n = 0; n < kept; n++) {
      int s = (from + n) % ids.slots();
      conversationHigh[n] = convHigh[s];
      conversationLow[n] = convLow[s];
      otherConversations[n] = otherConv[s];
      regions[n] = reg[s];
      answers[n] = ans[s];
      millis[n] = ms[s];
      keptAt[n] = at[s];
      messages.put(n, ids.high(s), ids.low(s));
    }
    count = kept;
  }

  private void allocate(int length) {
    messages = new IdSlots(length);
    conversationHigh = new long[length];
    conversationLow = new long[length];
    otherConversations = new String[length];
    regions = new String[length];
    answers = new CachedAnswer[length];
    millis = new int[length];
    keptAt = new long[length];
    oldest = 0;
    count = 0;
  }

  /**
   * For tests: whether the index holds exactly the kept slots, each reachable from its home
   * without crossing an empty cell (what a look-up needs).
   */
  synchronized boolean indexConsistent() {
    int length = messages.slots();
    return messages.consistent(n -> Math.floorMod(n - oldest, length) < count);
  }
}
