package dev.edgechat.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;

/**
 * What a phase's servers say about themselves, read from their metrics (the same meters
 * {@code /metrics} shows) before and after the load, so start-up work (migrations, index loads)
 * is left out: time spent on Postgres, similarity searches, embedding batches.
 *
 * @param poolWaitMs time requests waited for a Postgres connection ({@code vertx.pool.queue.time}, pool type sql)
 * @param poolUseMs time Postgres connections were held ({@code vertx.pool.usage}, pool type sql)
 * @param sqlMs time of SQL statements ({@code vertx.sql.processing.time})
 */
record ServerFigures(double poolWaitMs, double poolUseMs, double sqlMs, long sqlCount, long searches,
    double searchMs, long batches, double batchInputs) {

  /** The totals in {@code registry} now. */
  static ServerFigures read(MeterRegistry registry) {
    double poolWaitMs = 0;
    double poolUseMs = 0;
    double sqlMs = 0;
    long sqlCount = 0;
    for (Timer timer : registry.find("vertx.pool.queue.time").tag("pool_type", "sql").timers()) {
      poolWaitMs += timer.totalTime(TimeUnit.MILLISECONDS);
    }
    for (Timer timer : registry.find("vertx.pool.usage").tag("pool_type", "sql").timers()) {
      poolUseMs += timer.totalTime(TimeUnit.MILLISECONDS);
    }
    for (Timer timer : registry.find("vertx.sql.processing.time").timers()) {
      sqlMs += timer.totalTime(TimeUnit.MILLISECONDS);
      sqlCount += timer.count();
    }
    Timer search = registry.find("edgechat.retrieval.search").timer();
    DistributionSummary batches = registry.find("edgechat.embedding.batch.size").summary();
    return new ServerFigures(poolWaitMs, poolUseMs, sqlMs, sqlCount, search == null ? 0 : search.count(),
        search == null ? 0 : search.totalTime(TimeUnit.MILLISECONDS), batches == null ? 0 : batches.count(),
        batches == null ? 0 : batches.totalAmount());
  }

  /**
   * What happened between {@code before} and {@code after}, per chat request where it says so.
   *
   * @param chatRequests chat requests of the phase
   */
  static JsonObject between(ServerFigures before, ServerFigures after, long chatRequests) {
    double wait = after.poolWaitMs - before.poolWaitMs;
    double use = after.poolUseMs - before.poolUseMs;
    long searches = after.searches - before.searches;
    long batches = after.batches - before.batches;
    JsonObject figures = new JsonObject()
        .put("dbPoolWaitMsPerRequest", perRequest(wait, chatRequests))
        .put("dbPoolUseMsPerRequest", perRequest(use, chatRequests))
        .put("dbMsPerRequest", perRequest(wait + use, chatRequests))
        .put("sqlStatements", after.sqlCount - before.sqlCount)
        .put("sqlMsPerRequest", perRequest(after.sqlMs - before.sqlMs, chatRequests))
        .put("similaritySearches", searches)
        .put("embeddingBatches", batches);
    if (searches > 0) {
      figures.put("similarityMeanMs", Latency.round2((after.searchMs - before.searchMs) / searches));
    }
    if (batches > 0) {
      figures.put("embeddingBatchMean", Latency.round2((after.batchInputs - before.batchInputs) / batches));
    }
    return figures;
  }

  private static Double perRequest(double totalMs, long requests) {
    return requests == 0 ? null : Latency.round2(totalMs / requests);
  }
}
