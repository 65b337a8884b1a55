package dev.edgechat.edge;

import dev.edgechat.cache.CachedAnswer;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.function.LongSupplier;

/**
 * The cache hits this edge keeps resumable: up to {@code capacity} of them, each for the resume
 * time-to-live, in about 48 bytes apiece.
 *
 * <p>Written by hand, not a Caffeine cache (which it replaced), because of what it holds and how
 * many: a hit is kept in the order it was sent and every hit lives equally long, so the oldest is
 * always the next to expire and also the one to give way when the store is full. A ring in time
 * order is therefore both the bound and the expiry, with no policy to run. Its message ids
 * (always this edge's own: 128 random bits, {@link dev.edgechat.web.Ids}) are kept as two
 * {@code long}s, not strings, and found through an open-addressing index of slots. Caffeine's
 * nodes, the map entry, the record and the id's string took about 200 bytes per hit; at the
 * default of 100,000 kept hits, which the API's "resumable for at least five minutes" asks for at
 * ~330 hits/s, that was a third of the edge's live heap (docs/benchmarks.md, "Lean edge").
 *
 * <p>The arrays grow by doubling up to {@code capacity}, so an edge that serves few hits holds
 * little. Thread-safe: every method holds the lock for a few array reads and writes.
 */
final class ResumableHits {

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final int ID_CHARS = 22;
  private static final int FIRST_SLOTS = 64;

  private final int capacity;
  private final LongSupplier ttlNanos;
  private final LongSupplier nanoTime;

  // all guarded by this. Slot s holds a hit when it is among the count slots from oldest, in ring order
  private long[] idHigh;
  private long[] idLow;
  private String[] conversations;
  private String[] regions;
  private CachedAnswer[] answers;
  private int[] millis;
  private long[] keptAt;
  private int oldest;
  private int count;
  /** Open addressing with linear probing: slot + 1, or 0 for none; at least twice as long as the slots. */
  private int[] index;

  /**
   * @param capacity how many hits at most ({@code edge.resumableHits}); 0 keeps none
   * @param ttlNanos how long each stays resumable (read at every use: a reload applies to all kept)
   * @param nanoTime the clock their age is measured by
   */
  ResumableHits(int capacity, LongSupplier ttlNanos, LongSupplier nanoTime) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must not be negative: " + capacity);
    }
    this.capacity = capacity;
    this.ttlNanos = ttlNanos;
    this.nanoTime = nanoTime;
    allocate(Math.min(capacity, FIRST_SLOTS));
  }

  /** Keeps {@code hit} resumable; the oldest kept gives way when the store is full. */
  synchronized void keep(ReplayedMessage hit) {
    if (capacity == 0) {
      return;
    }
    long[] id = bits(hit.message());
    if (id == null) {
      return; // not an id this edge made: no visitor can hold it either
    }
    long now = nanoTime.getAsLong();
    dropExpired(now);
    if (count == idHigh.length) {
      if (idHigh.length < capacity) {
        grow();
      } else {
        drop();
      }
    }
    int slot = (oldest + count) % idHigh.length;
    idHigh[slot] = id[0];
    idLow[slot] = id[1];
    conversations[slot] = hit.conversation();
    regions[slot] = hit.regionJson();
    answers[slot] = hit.answer();
    millis[slot] = (int) Math.min(Integer.MAX_VALUE, hit.ms());
    keptAt[slot] = now;
    count++;
    put(slot);
  }

  /** The hit sent as {@code message}, while it is kept and not expired; null otherwise. */
  synchronized ReplayedMessage find(String message) {
    long[] id = bits(message);
    if (id == null) {
      return null;
    }
    int mask = index.length - 1;
    for (int i = home(id[0], mask); index[i] != 0; i = (i + 1) & mask) {
      int slot = index[i] - 1;
      if (idHigh[slot] == id[0] && idLow[slot] == id[1]) {
        if (nanoTime.getAsLong() - keptAt[slot] >= ttlNanos.getAsLong()
            // Base64 leaves the last character's low bits unused: only the id as it was sent is that id
            || !message.equals(text(idHigh[slot], idLow[slot]))) {
          return null;
        }
        return new ReplayedMessage(conversations[slot], message, regions[slot], answers[slot], millis[slot]);
      }
    }
    return null;
  }

  /** How many hits are kept now, expired ones not yet given way included. */
  synchronized int size() {
    return count;
  }

  private void dropExpired(long now) {
    long ttl = ttlNanos.getAsLong();
    while (count > 0 && now - keptAt[oldest] >= ttl) {
      drop();
    }
  }

  /** Gives the oldest kept hit's slot up. */
  private void drop() {
    remove(oldest);
    conversations[oldest] = null;
    regions[oldest] = null;
    answers[oldest] = null;
    oldest = (oldest + 1) % idHigh.length;
    count--;
  }

  private void grow() {
    int length = (int) Math.min(capacity, 2L * idHigh.length);
    long[] high = idHigh;
    long[] low = idLow;
    String[] conv = conversations;
    String[] reg = regions;
    CachedAnswer[] ans = answers;
    int[] ms = millis;
    long[] at = keptAt;
    int from = oldest;
    int kept = count;
    allocate(length);
    for (int n = 0; n < kept; n++) {
      int s = (from + n) % high.length;
      idHigh[n] = high[s];
      idLow[n] = low[s];
      conversations[n] = conv[s];
      regions[n] = reg[s];
      answers[n] = ans[s];
      millis[n] = ms[s];
      keptAt[n] = at[s];
      put(n);
    }
    count = kept;
  }

  private void allocate(int length) {
    idHigh = new long[length];
    idLow = new long[length];
    conversations = new String[length];
    regions = new String[length];
    answers = new CachedAnswer[length];
    millis = new int[length];
    keptAt = new long[length];
    index = new int[Math.max(2, Integer.highestOneBit(Math.max(1, length)) << 2)];
    oldest = 0;
    count = 0;
  }

  private void put(int slot) {
    int mask = index.length - 1;
    int i = home(idHigh[slot], mask);
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = slot + 1;
  }

  /** Takes {@code slot} out of the index, moving back the entries after it that probed past it. */
  private void remove(int slot) {
    int mask = index.length - 1;
    int hole = home(idHigh[slot], mask);
    while (index[hole] != slot + 1) {
      hole = (hole + 1) & mask;
    }
    for (int i = (hole + 1) & mask; index[i] != 0; i = (i + 1) & mask) {
      int wanted = home(idHigh[index[i] - 1], mask);
      // the entry at i may fill the hole when its home is not cyclically within (hole, i]
      boolean homeAfterHole = hole <= i ? wanted > hole && wanted <= i : wanted > hole || wanted <= i;
      if (!homeAfterHole) {
        index[hole] = index[i];
        hole = i;
      }
    }
    index[hole] = 0;
  }

  private static int home(long high, int mask) {
    long h = high * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32) & mask;
  }

  /** The 128 bits of an id this edge made, or null if {@code message} cannot be one. */
  private static long[] bits(String message) {
    if (message == null || message.length() != ID_CHARS) {
      return null;
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(message);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new long[] {buffer.getLong(), buffer.getLong()};
  }

  private static String text(long high, long low) {
    return ENCODER.encodeToString(ByteBuffer.allocate(16).putLong(high).putLong(low).array());
  }

  /**
   * For tests: whether the index holds exactly the kept slots, each reachable from its home
   * without crossing an empty cell (what a look-up needs).
   */
  synchronized boolean indexConsistent() {
    int[] seen = new int[idHigh.length];
    int mask = index.length - 1;
    for (int i = 0; i < index.length; i++) {
      if (index[i] == 0) {
        continue;
      }
      int slot = index[i] - 1;
      seen[slot]++;
      for (int j = home(idHigh[slot], mask); j != i; j = (j + 1) & mask) {
        if (index[j] == 0) {
          return false;
        }
      }
    }
    for (int n = 0; n < idHigh.length; n++) {
      boolean kept = Math.floorMod(n - oldest, idHigh.length) < count;
      if (seen[n] != (kept ? 1 : 0)) {
        return false;
      }
    }
    return true;
  }
}
