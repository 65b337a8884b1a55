package dev.edgechat.origin;

import dev.edgechat.config.LiveConfig;
import dev.edgechat.config.ModelPrices;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Objects;

/**
 * {@code GET /admin/sites/{site}/usage?days=7} (docs/api.md): what a site's answers cost over the
 * last days, and what the edges' caches spared, from the {@code usage} table: rows origin wrote for
 * the answers its model made, and {@code saved} rows for the answers edges served again (their
 * exchange records carry the tokens the answer cost when it was made). Cost is estimated from
 * {@code llm.prices} as it is now. Mounted behind the admin API's token and site-id checks.
 */
final class UsageReport {

  static final int DEFAULT_DAYS = 7;
  static final int MAX_DAYS = 366;

  private final Pool reads;
  private final DocumentStore documents;
  private final LiveConfig config;

  /** @param reads where the usage table is read (the primary: the report is rare, and must see the latest rows) */
  UsageReport(Pool reads, DocumentStore documents, LiveConfig config) {
    this.reads = Objects.requireNonNull(reads);
    this.documents = Objects.requireNonNull(documents);
    this.config = Objects.requireNonNull(config);
  }

  /** Mounts the route; after the admin API's token and site-id checks. */
  void mount(Router router) {
    router.get("/admin/sites/:site/usage").handler(this::report);
  }

  private void report(RoutingContext ctx) {
    String siteId = ctx.pathParam("site");
    int days = days(ctx.queryParams().getAll("days"));
    documents.site(siteId)
        .compose(site -> site.isEmpty()
            ? Future.<JsonObject>failedFuture(ApiError.notFound("no site '" + siteId + "'"))
            : reads.preparedQuery(SqlQueries.SITE_USAGE).execute(Tuple.of(siteId, days))
                .map(rows -> summary(siteId, days, rows)))
        .onSuccess(body -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(body.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code days}: a whole number from 1 to {@value #MAX_DAYS}, {@value #DEFAULT_DAYS} when absent. */
  static int days(List<String> given) {
    if (given.isEmpty()) {
      return DEFAULT_DAYS;
    }
    String text = given.get(0);
    if (given.size() > 1 || !text.matches("[0-9]{1,3}") || Integer.parseInt(text) < 1
        || Integer.parseInt(text) > MAX_DAYS) {
      throw ApiError.invalidRequest("days must be one whole number from 1 to " + MAX_DAYS + ", got '"
          + String.join(",", given).substring(0, Math.min(40, String.join(",", given).length())) + "'");
    }
    return Integer.parseInt(text);
  }

  private JsonObject summary(String site, int days, Iterable<Row> rows) {
    ModelPrices prices = config.get().llm().prices();
    JsonObject total = figures(new JsonObject(), 0, 0, 0, 0, 0, 0, 0, 0);
    JsonArray models = new JsonArray();
    for (Row row : rows) {
      String model = row.getString("model");
      long calls = row.getLong("calls");
      long in = row.getLong("input_tokens");
      long out = row.getLong("output_tokens");
      long savedCalls = row.getLong("saved_calls");
      long savedIn = row.getLong("saved_input_tokens");
      long savedOut = row.getLong("saved_output_tokens");
      double cost = prices.cost(model, in, out);
      double savedCost = prices.cost(model, savedIn, savedOut);
      models.add(figures(new JsonObject().put("model", model), calls, in, out, cost, savedCalls, savedIn, savedOut,
          savedCost));
      figures(total, total.getLong("calls") + calls, total.getLong("inputTokens") + in,
          total.getLong("outputTokens") + out, total.getDouble("cost") + cost,
          total.getLong("savedCalls") + savedCalls, total.getLong("savedInputTokens") + savedIn,
          total.getLong("savedOutputTokens") + savedOut, total.getDouble("savedCost") + savedCost);
    }
    return new JsonObject().put("site", site).put("days", days).put("currency", "USD").mergeIn(total)
        .put("models", models);
  }

  private static JsonObject figures(JsonObject into, long calls, long in, long out, double cost, long savedCalls,
      long savedIn, long savedOut, double savedCost) {
    return into.put("calls", calls).put("inputTokens", in).put("outputTokens", out).put("cost", round(cost))
        .put("savedCalls", savedCalls).put("savedInputTokens", savedIn).put("savedOutputTokens", savedOut)
        .put("savedCost", round(savedCost));
  }

  /** Cost to a millionth of a dollar: enough for one token of the cheapest model, no float noise. */
  private static double round(double usd) {
    return Math.round(usd * 1_000_000.0) / 1_000_000.0;
  }
}
