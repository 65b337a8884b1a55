package dev.edgechat.knowledge;

import dev.edgechat.protocol.ChangeFeed;
import dev.edgechat.protocol.SiteChange;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The log of site changes that {@link SiteVersions} writes, as origin reads it to follow the
 * changes and stream them to edges. Reads go to the primary: a replica may not have a change yet
 * that a notice announced.
 */
public final class SiteChangeLog {

  /** The channel every change is announced on at commit; the notice's payload is its number. */
  public static final String CHANNEL = "edgechat_site_changes";

  private final Pool primary;

  public SiteChangeLog(Pool primary) {
    this.primary = Objects.requireNonNull(primary);
  }

  /** The last change number given out (0 before the first change). */
  public Future<Long> head() {
    return primary.query(SqlQueries.CHANGE_HEAD).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** Up to {@code limit} changes after {@code seq}, in order; fewer (or none) when there are no more. */
  public Future<List<SiteChange>> after(long seq, int limit) {
    return primary.preparedQuery(SqlQueries.CHANGES_AFTER).execute(Tuple.of(seq, limit)).map(rows -> {
      List<SiteChange> out = new ArrayList<>(rows.size());
      rows.forEach(row -> out.add(toChange(row)));
      return out;
    });
  }

  /**
   * Whether every change after {@code seq} is still kept (none was pruned), so a follower that
   * applied {@code seq} can resume from there. Numbers have no gaps, so it is enough that the oldest
   * change kept is at most the next one, or that there is none after {@code seq}. A number past
   * the head is not this log's (a database restored from an older backup): false.
   */
  public Future<Boolean> keepsAfter(long seq) {
    return head().compose(head -> {
      if (seq >= head) {
        return Future.succeededFuture(seq == head);
      }
      return primary.query(SqlQueries.OLDEST_CHANGE).execute().map(rows -> {
        Long oldest = rows.iterator().next().getLong(0);
        return oldest != null && oldest <= seq + 1;
      });
    });
  }

  /**
   * The state a follower that cannot resume starts from: the head, then every site's version and
   * the purges by document still kept, read after it (so they may hold changes past the head,
   * which the feed then sends again: applying one twice is harmless, missing one is not).
   */
  public Future<ChangeFeed.Snapshot> snapshot() {
    return head().compose(head -> primary.query(SqlQueries.SITE_VERSIONS).execute().compose(sites -> {
      Map<String, Long> versions = new HashMap<>(sites.size() * 2);
      sites.forEach(row -> versions.put(row.getString(0), row.getLong(1)));
      return primary.query(SqlQueries.KEPT_DOCUMENT_PURGES).execute().map(purges -> {
        List<SiteChange> kept = new ArrayList<>(purges.size());
        purges.forEach(row -> kept.add(toChange(row)));
        return new ChangeFeed.Snapshot(head, versions, kept);
      });
    }));
  }

  /** The purges by document of {@code site} still kept, oldest first. */
  public Future<List<SiteChange>> documentPurges(String site) {
    return primary.preparedQuery(SqlQueries.DOCUMENT_PURGES_OF_SITE).execute(Tuple.of(site)).map(rows -> {
      List<SiteChange> out = new ArrayList<>(rows.size());
      rows.forEach(row -> out.add(toChange(row)));
      return out;
    });
  }

  /**
   * The cached questions of {@code site} reported as wrong hits (normalized, each once, the most
   * recently reported first, at most {@code limit}): what origin sends with the site, so that an
   * edge that started, or was cut off from the feed, blocks them too. Read from the reports,
   * which are kept, not from the log, which is pruned.
   */
  public Future<List<String>> wrongHits(String site, int limit) {
    return primary.preparedQuery(SqlQueries.WRONG_HITS_OF_SITE).execute(Tuple.of(site, limit)).map(rows -> {
      List<String> out = new ArrayList<>(rows.size());
      rows.forEach(row -> out.add(row.getString(0)));
      return out;
    });
  }

  /** Forgets changes made more than {@code olderThanMs} ago; succeeds with how many. */
  public Future<Integer> prune(long olderThanMs) {
    return primary.preparedQuery(SqlQueries.PRUNE_CHANGES).execute(Tuple.of(olderThanMs)).map(rows -> rows.rowCount());
  }

  private static SiteChange toChange(Row row) {
    String[] documents = row.getArrayOfStrings("documents");
    return new SiteChange(row.getLong("seq"), row.getString("site_id"), row.getLong("version"),
        documents == null ? List.of() : Arrays.asList(documents), row.getOffsetDateTime("at").toInstant(),
        row.getString("wrong_hit"));
  }
}
