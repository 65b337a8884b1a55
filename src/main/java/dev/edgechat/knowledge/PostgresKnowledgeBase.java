package dev.edgechat.knowledge;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Retrieval by Postgres full-text search (GIN index on the chunks' {@code tsvector}): the question's
 * words OR-ed, ranked with {@code ts_rank_cd}. The simple retrieval of the first slice; vector
 * retrieval replaces it later.
 */
public final class PostgresKnowledgeBase implements KnowledgeBase {

  private static final int MAX_QUERY_WORDS = 32;
  /** Passages ranked below this share of the best one are left out: they would only dilute the prompt. */
  private static final double MIN_SHARE_OF_BEST = 0.25;

  private final Pool reader;

  public PostgresKnowledgeBase(Pool reader) {
    this.reader = Objects.requireNonNull(reader);
  }

  @Override
  public Future<Optional<Site>> site(String id) {
    return reader.preparedQuery(SqlQueries.SITE_BY_ID).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.<Site>empty() : Optional.of(toSite(rows.iterator().next())));
  }

  private static Site toSite(Row row) {
    String[] origins = row.getArrayOfStrings("allowed_origins");
    return new Site(row.getString("id"), row.getString("name"), origins == null ? List.of() : Arrays.asList(origins),
        row.getString("system_prompt"), row.getLong("kb_version"));
  }

  @Override
  public Future<List<Passage>> search(String siteId, String question, int limit) {
    String query = tsQuery(question);
    if (query.isEmpty() || limit <= 0) {
      return Future.succeededFuture(List.of());
    }
    return reader.preparedQuery(SqlQueries.SEARCH_CHUNKS).execute(Tuple.of(siteId, query, limit))
        .map(rows -> {
          List<Passage> out = new ArrayList<>(rows.size());
          for (Row row : rows) {
            double score = row.getDouble("score");
            if (!out.isEmpty() && score < out.get(0).score() * MIN_SHARE_OF_BEST) {
              break;
            }
            out.add(new Passage(row.getString("document_id"), row.getString("title"), row.getString("url"),
                row.getString("freshness"), row.getString("text"), score));
          }
          return out;
        });
  }

  /**
   * {@code "How do I reset my password?"} → {@code "how | do | i | reset | my | password"}: only
   * letters and digits reach {@code to_tsquery}, so no input can break its syntax; Postgres drops the
   * stop words and stems the rest.
   */
  static String tsQuery(String question) {
    Set<String> words = new LinkedHashSet<>();
    for (String word : question.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (!word.isEmpty() && words.size() < MAX_QUERY_WORDS) {
        words.add(word);
      }
    }
    return String.join(" | ", words);
  }
}
