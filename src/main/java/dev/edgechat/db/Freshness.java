package dev.edgechat.db;

import java.util.Objects;
import java.util.Optional;

/**
 * What a read must see, which decides where {@link ReplicaRouter} may send it:
 * <ul>
 *   <li>{@link #recent()}: data that may be slightly old, at most {@code postgres.maxReplicaLagMs}
 *       (plus one poll): any replica in rotation;</li>
 *   <li>{@link #after(Lsn)}: every write committed up to that WAL position (a read that must see a
 *       write: the write's position travels with the next read): a replica that has replayed past
 *       it, else the primary;</li>
 *   <li>{@link #primary()}: the primary, always (a check that decides a write, the history in a prompt).</li>
 * </ul>
 */
public final class Freshness {

  private static final Freshness RECENT = new Freshness(null, false);
  private static final Freshness PRIMARY = new Freshness(null, true);

  private final Lsn after;
  private final boolean primary;

  private Freshness(Lsn after, boolean primary) {
    this.after = after;
    this.primary = primary;
  }

  /** May be slightly old: any replica in rotation. */
  public static Freshness recent() {
    return RECENT;
  }

  /** Must see every write up to {@code position}. */
  public static Freshness after(Lsn position) {
    return new Freshness(Objects.requireNonNull(position, "position"), false);
  }

  /** {@link #after} the position when there is one, else {@link #recent()}. */
  public static Freshness after(Optional<Lsn> position) {
    return position.map(Freshness::after).orElse(RECENT);
  }

  /** Only the primary will do. */
  public static Freshness primary() {
    return PRIMARY;
  }

  /** The position a replica must have replayed, if any. */
  Optional<Lsn> position() {
    return Optional.ofNullable(after);
  }

  boolean primaryOnly() {
    return primary;
  }

  @Override
  public String toString() {
    return primary ? "primary" : after == null ? "recent" : "after " + after;
  }
}
