package dev.edgechat.web;

import java.util.function.IntPredicate;

/**
 * A fixed number of slots, each empty or holding one {@link Ids id} as its 128 bits, and an index
 * that finds an id's slot: for stores that keep many ids (resumable hits, conversation digests)
 * in their own parallel arrays, where a map's entry, node and string would cost more than what
 * they hold.
 *
 * <p>Written by hand: open addressing with linear probing over a table at least twice as long as
 * the slots, and backward-shift deletion, so a removal leaves no tombstones to sweep. No library
 * in the build keeps primitive 128-bit keys. Not thread-safe: its owner holds the lock.
 */
public final class IdSlots {

  private final long[] high;
  private final long[] low;
  /** Slot + 1, or 0 for none. */
  private final int[] index;

  /** @param slots how many slots; the index takes 8 to 16 bytes a slot more */
  public IdSlots(int slots) {
    this.high = new long[slots];
    this.low = new long[slots];
    this.index = new int[Math.max(2, Integer.highestOneBit(Math.max(1, slots)) << 2)];
  }

  public int slots() {
    return high.length;
  }

  /** The slot holding the id {@code (high, low)}, or -1. */
  public int find(long high, long low) {
    int mask = index.length - 1;
    for (int i = home(high, mask); index[i] != 0; i = (i + 1) & mask) {
      int slot = index[i] - 1;
      if (this.high[slot] == high && this.low[slot] == low) {
        return slot;
      }
    }
    return -1;
  }

  /** Puts the id in {@code slot}, which must be empty, and the id in no other slot. */
  public void put(int slot, long high, long low) {
    this.high[slot] = high;
    this.low[slot] = low;
    int mask = index.length - 1;
    int i = home(high, mask);
    while (index[i] != 0) {
      i = (i + 1) & mask;
    }
    index[i] = slot + 1;
  }

  /** Empties {@code slot}, which must hold an id, moving back the index entries that probed past it. */
  public void remove(int slot) {
    int mask = index.length - 1;
    int hole = home(high[slot], mask);
    while (index[hole] != slot + 1) {
      if (index[hole] == 0) {
        throw new IllegalStateException("slot " + slot + " holds no id");
      }
      hole = (hole + 1) & mask;
    }
    for (int i = (hole + 1) & mask; index[i] != 0; i = (i + 1) & mask) {
      int wanted = home(high[index[i] - 1], mask);
      // the entry at i may fill the hole when its home is not cyclically within (hole, i]
      boolean homeAfterHole = hole <= i ? wanted > hole && wanted <= i : wanted > hole || wanted <= i;
      if (!homeAfterHole) {
        index[hole] = index[i];
        hole = i;
      }
    }
    index[hole] = 0;
  }

  /** The id in {@code slot} as {@link Ids#next()} spells it. */
  public String text(int slot) {
    return Ids.text(high[slot], low[slot]);
  }

  public long high(int slot) {
    return high[slot];
  }

  public long low(int slot) {
    return low[slot];
  }

  /**
   * For tests: whether the index holds exactly the slots {@code held} says, each once and each
   * reachable from its home without crossing an empty cell (what a look-up needs).
   */
  public boolean consistent(IntPredicate held) {
    int[] seen = new int[high.length];
    int mask = index.length - 1;
    for (int i = 0; i < index.length; i++) {
      if (index[i] == 0) {
        continue;
      }
      int slot = index[i] - 1;
      seen[slot]++;
      for (int j = home(high[slot], mask); j != i; j = (j + 1) & mask) {
        if (index[j] == 0) {
          return false;
        }
      }
    }
    for (int n = 0; n < high.length; n++) {
      if (seen[n] != (held.test(n) ? 1 : 0)) {
        return false;
      }
    }
    return true;
  }

  private static int home(long high, int mask) {
    long h = high * 0x9E3779B97F4A7C15L;
    return (int) (h >>> 32) & mask;
  }
}
