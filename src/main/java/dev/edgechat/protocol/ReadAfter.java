package dev.edgechat.protocol;

/**
 * Read-your-writes across processes. Origin's reads may go to a Postgres read replica, which
 * replays the primary's writes a little later; a write made through one origin and read through
 * another (or by the same edge through a later request) must still be seen. So origin tells the
 * edge the primary's WAL position after each write it made for it, and the edge sends the latest
 * position it knows of a conversation with its next read of it; origin then reads from a replica
 * that has replayed that far, or from the primary.
 *
 * <p>The position is Postgres's text form of a {@code pg_lsn} ({@code 16/B374D848}), opaque to the
 * edge except for ordering. It travels in {@value #FIELD} of origin's {@code done} event and of the
 * {@code /internal/records} answer (absent when origin has no replicas), and in the
 * {@value #HEADER} request header of {@code GET /internal/conversations/{id}}. An edge that sends
 * none gets what a replica in rotation has (at most {@code postgres.maxReplicaLagMs} old) plus
 * whatever the origin it reaches wrote itself. The edge strips {@value #FIELD} from the
 * {@code done} its visitors see.
 */
public final class ReadAfter {

  /** Request header: the read must see every write up to this WAL position. */
  public static final String HEADER = "X-Edgechat-Read-After";
  /** Field of origin's {@code done} event and of the {@code /internal/records} answer: the WAL position after the write. */
  public static final String FIELD = "lsn";

  private ReadAfter() {
  }
}
