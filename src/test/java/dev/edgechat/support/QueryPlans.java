package dev.edgechat.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Query plans on realistic volumes: seeds the test database once with many sites, documents,
 * chunks, conversations and messages (so the planner has a reason to use indexes), then explains
 * queries with their parameters bound.
 */
public final class QueryPlans {

  private static final String SEED = """
      INSERT INTO sites (id, name) SELECT 'plan-site-' || i, 'Plan site ' || i FROM generate_series(1, 500) i
        ON CONFLICT DO NOTHING;
      INSERT INTO documents (site_id, id, title, freshness, content_hash, status)
        SELECT 'plan-site-' || (i % 50 + 1), 'doc-' || i, 'Document ' || i, 'static', md5(i::text), 'ready'
        FROM generate_series(1, 1000) i ON CONFLICT DO NOTHING;
      INSERT INTO chunks (site_id, document_id, ordinal, text)
        SELECT d.site_id, d.id, o, 'passage ' || o || ' of ' || d.title || ' about ' || md5(d.id || o) || ' '
          || (ARRAY['shipping','returns','payment','warranty','account','orders','delivery','refund'])[o % 8 + 1]
        FROM documents d, generate_series(1, 10) o WHERE d.site_id LIKE 'plan-site-%'
        ON CONFLICT DO NOTHING;
      INSERT INTO sites (id, name) VALUES ('plan-big-site', 'A site with a large knowledge base') ON CONFLICT DO NOTHING;
      INSERT INTO documents (site_id, id, title, freshness, content_hash, status)
        SELECT 'plan-big-site', 'doc-' || i, 'Big document ' || i, 'static', md5(i::text), 'ready'
        FROM generate_series(1, 2000) i ON CONFLICT DO NOTHING;
      INSERT INTO chunks (site_id, document_id, ordinal, text)
        SELECT 'plan-big-site', 'doc-' || i, o, 'passage ' || o || ' about ' || md5(i || '-' || o)
          || CASE WHEN (i * 10 + o) % 1000 = 0 THEN ' zircon' ELSE ' shipping' END
        FROM generate_series(1, 2000) i, generate_series(1, 10) o ON CONFLICT DO NOTHING;
      INSERT INTO conversations (id, site_id) SELECT 'plan-conv-' || i, 'plan-site-' || (i % 500 + 1)
        FROM generate_series(1, 5000) i ON CONFLICT DO NOTHING;
      INSERT INTO messages (id, conversation_id, role, text)
        SELECT 'plan-msg-' || c || '-' || m, 'plan-conv-' || c, CASE WHEN m % 2 = 0 THEN 'user' ELSE 'assistant' END,
          'message ' || m FROM generate_series(1, 5000) c, generate_series(1, 10) m ON CONFLICT DO NOTHING;
      INSERT INTO semantic_wrong_hits (site_id, matched, kb_version, change_seq)
        SELECT 'plan-site-' || (i % 500 + 1), 'question ' || (i % 40), 1, 0 FROM generate_series(1, 20000) i
        WHERE NOT EXISTS (SELECT 1 FROM semantic_wrong_hits WHERE site_id = 'plan-site-1');
      """;

  /** What autovacuum does in a running database: statistics for the planner. */
  private static final String SETTLE = "VACUUM ANALYZE";

  private static boolean seeded;

  private QueryPlans() {
  }

  /** The plan of {@code sql} with {@code params}, as Postgres prints it. */
  public static Future<String> explain(Vertx vertx, String sql, Tuple params) {
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    return seed(pool)
        .compose(v -> pool.preparedQuery("EXPLAIN " + sql).execute(params))
        .map(rows -> {
          StringBuilder plan = new StringBuilder();
          for (Row row : rows) {
            plan.append(row.getString(0)).append('\n');
          }
          return plan.toString();
        })
        .eventually(pool::close);
  }

  private static synchronized Future<Void> seed(Pool pool) {
    if (seeded) {
      return Future.succeededFuture();
    }
    seeded = true;
    return pool.query(SEED).execute().compose(v -> pool.query(SETTLE).execute()).mapEmpty();
  }
}
