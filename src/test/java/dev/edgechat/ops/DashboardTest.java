package dev.edgechat.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard (ops/grafana/edgechat.json) against the metrics table of
 * docs/observability.md: a panel querying a name the code does not export draws nothing, and
 * nobody notices until an incident. Whether each query parses and returns data is checked against
 * a real Prometheus by scripts/ops/dashboard-snapshot.mjs --check (docs/observability.md, Dashboard).
 */
class DashboardTest {

  private static final Path DASHBOARD = Path.of("ops/grafana/edgechat.json");
  private static final Pattern METRIC = Pattern.compile("\\b((?:edgechat|gen_ai)_[a-z0-9_]+)");
  private static final Pattern LABELS = Pattern.compile("\\b(?:by|without|on|ignoring)\\s*\\([^)]*\\)|\\{[^}]*}");

  /** Verifies that every edgechat and GenAI metric a panel or variable queries is in the documented table. */
  @Test
  void dashboard_queriedMetrics_areDocumented() throws IOException {
    Set<String> documented = MetricsCatalogueTest.documentedNames();
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    Set<String> queried = new TreeSet<>();
    StringBuilder expressions = new StringBuilder();
    for (Object p : dashboard.getJsonArray("panels")) {
      for (Object t : ((JsonObject) p).getJsonArray("targets", new JsonArray())) {
        expressions.append(((JsonObject) t).getString("expr")).append('\n');
      }
    }
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      Object query = ((JsonObject) v).getValue("query");
      if (query instanceof JsonObject q) {
        expressions.append(q.getString("query")).append('\n');
      }
    }
    // label names (gen_ai_request_model) appear in by (…) and in {…} matchers: not metrics
    Matcher m = METRIC.matcher(LABELS.matcher(expressions).replaceAll(" "));
    while (m.find()) {
      queried.add(family(m.group(1), documented));
    }
    assertThat(queried).as("metrics the dashboard queries").hasSizeGreaterThan(15);
    assertThat(queried).as("queried by the dashboard but not in docs/observability.md's table").isSubsetOf(documented);
  }

  /** Verifies that every panel has a query and a place on the grid, and no two panels share an id. */
  @Test
  void dashboard_panels_haveQueriesAndDistinctIds() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    Set<Integer> ids = new TreeSet<>();
    JsonArray panels = dashboard.getJsonArray("panels");
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      assertThat(ids.add(panel.getInteger("id"))).as("panel id %s is unique", panel.getInteger("id")).isTrue();
      assertThat(panel.getJsonArray("targets", new JsonArray())).as(panel.getString("title")).isNotEmpty();
      assertThat(panel.getJsonObject("gridPos").getInteger("w")).as(panel.getString("title")).isBetween(1, 24);
    }
    assertThat(panels).hasSizeGreaterThan(10);
  }

  /** A series name back to its family: {@code x_seconds_bucket} → {@code x_seconds}, unless the table has the series itself. */
  private static String family(String series, Set<String> documented) {
    if (documented.contains(series)) {
      return series;
    }
    for (String suffix : new String[] {"_bucket", "_sum", "_count", "_max"}) {
      if (series.endsWith(suffix)) {
        return series.substring(0, series.length() - suffix.length());
      }
    }
    return series;
  }
}
