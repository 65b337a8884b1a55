package dev.edgechat.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.Site;
import dev.edgechat.support.Await;
import dev.edgechat.support.MetricsText;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.support.SseClient;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metrics an operator alerts on, after real chats (a miss, an exact hit, a semantic hit)
 * through edge, origin and the simulator in role all, on the shared test Postgres and Redis: the
 * histograms' buckets, the token and hit counters, the savings, the admin usage report, and the
 * names {@code /metrics} exposes against the one table of docs/observability.md.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class MetricsCatalogueTest {

  private static final String ADMIN_TOKEN = "metrics-test-admin";
  private static final Path DOC = Path.of("docs/observability.md");

  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "50", "EDGECHAT_SIM_ANSWER_TOKENS", "20"),
            Map.of("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN, "EDGECHAT_LLM_MODEL", "gpt-4o-mini"))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /**
   * Verifies that after a miss, an exact hit and a semantic hit on a site of its own, /metrics has
   * buckets for the chat's and the model's first token and answer time, tokens and estimated cost
   * for the site, hits by level, and what the caches saved; and that the admin usage report for the
   * site says the same.
   */
  @Test
  void metrics_afterMissHitAndSemantic_bucketsTokensHitsAndSavings(Vertx vertx, VertxTestContext ctx) {
    String site = "metrics-" + Ids.next().substring(0, 10).toLowerCase();
    List<SseClient.Answer> answers = new ArrayList<>();
    double[] entriesBefore = new double[1];
    String[] metricsBefore = new String[1];
    putSite(vertx, site)
        .compose(v -> scrape())
        .compose(before -> {
          metricsBefore[0] = before;
          entriesBefore[0] = value(before, "edgechat_cache_semantic_entries", "");
          return system.sse().chat(ask(site, "Is there a student discount?"));
        })
        .compose(miss -> {
          answers.add(miss);
          return system.sse().chat(ask(site, "Is there a student discount?"));
        })
        .compose(hit -> {
          answers.add(hit);
          return Await.until(vertx, () -> scrape().map(m -> value(m, "edgechat_cache_semantic_entries", "")
              > entriesBefore[0]), 10_000);
        })
        .compose(v -> system.sse().chat(ask(site, "Do students get a discount?")))
        .compose(semantic -> {
          answers.add(semantic);
          // the hits' records reach origin soon after their done: wait until the report has them
          return Await.until(vertx, () -> usage(site, "7").map(u -> u.getLong("savedCalls", 0L) >= 2), 10_000);
        })
        .compose(v -> Future.all(scrape(), usage(site, "7")))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          String metrics = both.resultAt(0);
          JsonObject usage = both.resultAt(1);
          assertThat(answers).extracting(a -> a.first("done").getString("cache"))
              .containsExactly("miss", "hit", "semantic");
          long outputTokens = answers.get(0).first("done").getLong("outputTokens");
          long inputTokens = answers.get(0).first("done").getLong("inputTokens");
          assertThat(outputTokens).isPositive();
          assertThat(inputTokens).isPositive();
          for (String cache : List.of("miss", "hit", "semantic")) {
            assertThat(metrics).contains("edgechat_chat_first_token_seconds_bucket{cache=\"" + cache + "\"");
            assertThat(metrics).contains("edgechat_chat_done_seconds_bucket{cache=\"" + cache + "\"");
            assertThat(metrics).contains("edgechat_chat_ready_seconds_bucket{cache=\"" + cache + "\"");
          }
          assertThat(value(metrics, "edgechat_chat_first_token_seconds_bucket", "cache=\"miss\",le=\"+Inf\""))
              .isGreaterThanOrEqualTo(1);
          assertThat(value(metrics, "gen_ai_server_time_to_first_token_seconds_bucket",
              "gen_ai_request_model=\"gpt-4o-mini\",le=\"+Inf\"")).isGreaterThanOrEqualTo(1);
          assertThat(metrics).contains("gen_ai_client_operation_duration_seconds_bucket{");
          assertThat(metrics).contains("gen_ai_client_token_usage_bucket{");
          // Vert.x's own timers (not in this test's Vert.x, the extension's): LatencyBucketsTest
          assertThat(metrics).contains("edgechat_retrieval_search_seconds_bucket{");
          String siteModel = "model=\"gpt-4o-mini\",site=\"" + site + "\"";
          assertThat(metrics).contains("edgechat_llm_tokens_total{" + siteModel);
          assertThat(value(metrics, "edgechat_llm_tokens_total", siteModel + ",type=\"output\""))
              .isEqualTo(outputTokens);
          assertThat(value(metrics, "edgechat_llm_tokens_total", siteModel + ",type=\"input\"")).isEqualTo(inputTokens);
          assertThat(value(metrics, "edgechat_llm_calls_total", siteModel)).isEqualTo(1);
          // gpt-4o-mini at the default llm.prices: 0.15 and 0.60 USD per million tokens
          assertThat(value(metrics, "edgechat_llm_cost_usd_total", siteModel))
              .isCloseTo((inputTokens * 0.15 + outputTokens * 0.60) / 1e6, org.assertj.core.data.Offset.offset(1e-9));
          assertThat(value(metrics, "edgechat_cache_lookups_total", "result=\"l1\"")
              + value(metrics, "edgechat_cache_lookups_total", "result=\"l2\"")).isGreaterThanOrEqualTo(1);
          assertThat(value(metrics, "edgechat_cache_lookups_total", "result=\"miss\"")).isGreaterThanOrEqualTo(2);
          assertThat(value(metrics, "edgechat_cache_semantic_lookups_total", "result=\"hit\"")).isGreaterThanOrEqualTo(1);
          // the miss on a site with no cached question yet: a semantic lookup with no candidate; every
          // semantic miss is counted once by its reason
          String before = metricsBefore[0];
          assertThat(value(metrics, "edgechat_cache_semantic_rejections_total", "reason=\"no_candidate\"")
              - value(before, "edgechat_cache_semantic_rejections_total", "reason=\"no_candidate\"")).isEqualTo(1);
          assertThat(value(metrics, "edgechat_cache_semantic_rejections_total", "")
              - value(before, "edgechat_cache_semantic_rejections_total", ""))
              .isEqualTo(value(metrics, "edgechat_cache_semantic_lookups_total", "result=\"miss\"")
                  - value(before, "edgechat_cache_semantic_lookups_total", "result=\"miss\""));
          assertThat(value(metrics, "edgechat_cache_saved_calls_total", "site=\"" + site + "\"")).isEqualTo(2);
          assertThat(value(metrics, "edgechat_cache_saved_tokens_total", "site=\"" + site + "\",type=\"output\""))
              .isEqualTo(2 * outputTokens);
          assertThat(usage.getLong("calls")).isEqualTo(1);
          assertThat(usage.getLong("inputTokens")).isEqualTo(inputTokens);
          assertThat(usage.getLong("outputTokens")).isEqualTo(outputTokens);
          assertThat(usage.getLong("savedCalls")).isEqualTo(2);
          assertThat(usage.getLong("savedOutputTokens")).isEqualTo(2 * outputTokens);
          assertThat(usage.getDouble("savedCost")).isCloseTo(2 * (inputTokens * 0.15 + outputTokens * 0.60) / 1e6,
              org.assertj.core.data.Offset.offset(1e-6));
          ctx.completeNow();
        })));
  }

  /** Verifies that the usage report refuses a malformed period and an unknown site with the API's errors. */
  @Test
  void usage_badDaysOrUnknownSite_clearErrors(Vertx vertx, VertxTestContext ctx) {
    Future.all(usageStatus("demo", "0"), usageStatus("demo", "x"), usageStatus("no-such-site-" + Ids.next()
            .substring(0, 8).toLowerCase(), "7"), usageStatus("demo", "367"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(all.<Integer>resultAt(0)).isEqualTo(400);
          assertThat(all.<Integer>resultAt(1)).isEqualTo(400);
          assertThat(all.<Integer>resultAt(2)).isEqualTo(404);
          assertThat(all.<Integer>resultAt(3)).isEqualTo(400);
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that every edgechat and GenAI metric /metrics exposes after chats is in the table of
   * docs/observability.md, and that every metric of the table is exposed or registered by the code
   * (one that only shows under conditions this run does not make: a replica, a failure, a queue).
   */
  @Test
  void metrics_namesMatchTheDocumentedTable(Vertx vertx, VertxTestContext ctx) throws IOException {
    Set<String> documented = documentedNames();
    Set<String> inCode = codeNames();
    system.sse().chat(ask("demo", "What are your opening hours? " + Ids.next()))
        .compose(answer -> scrape())
        .onComplete(ctx.succeeding(metrics -> ctx.verify(() -> {
          // kept for whoever reads a failure (and the docs' sample): the whole exposition
          Files.writeString(Path.of("target/metrics-sample.txt"), metrics);
          Set<String> exposed = exposedFamilies(metrics);
          assertThat(documented).as("documented metrics").hasSizeGreaterThan(30);
          assertThat(exposed).as("exposed but not documented").isSubsetOf(documented);
          Set<String> unknown = new TreeSet<>();
          for (String name : documented) {
            if (!exposed.contains(name) && !inCode.contains(stem(name))) {
              unknown.add(name);
            }
          }
          assertThat(unknown).as("documented but neither exposed nor registered in the code").isEmpty();
          ctx.completeNow();
        })));
  }

  // ---------------------------------------------------------------------------------------------

  private static JsonObject ask(String site, String question) {
    return new JsonObject().put("site", site).put("message", question);
  }

  private static Future<Void> putSite(Vertx vertx, String id) {
    Pool pool = PgBuilder.pool().connectingTo(TestDatabases.postgres().toString()).using(vertx).build();
    return new DocumentStore(pool).putSite(new Site(id, "Shop " + id, List.of("*"), null, 1)).eventually(pool::close)
        .mapEmpty();
  }

  private static Future<String> scrape() {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1", "/metrics")
        .compose(req -> req.send().compose(r -> r.body()))
        .map(Object::toString);
  }

  private static Future<JsonObject> usage(String site, String days) {
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1",
            "/admin/sites/" + site + "/usage?days=" + days)
        .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN_TOKEN).send()
            .compose(r -> r.body().map(b -> {
              if (r.statusCode() != 200) {
                throw new IllegalStateException("usage answered " + r.statusCode() + ": " + b);
              }
              return b.toJsonObject();
            })));
  }

  private static Future<Integer> usageStatus(String site, String days) {
    return system.http().request(HttpMethod.GET, system.app().edgePort(), "127.0.0.1",
            "/admin/sites/" + site + "/usage?days=" + days)
        .compose(req -> req.putHeader("Authorization", "Bearer " + ADMIN_TOKEN).send()
            .compose(r -> r.body().map(b -> {
              if (r.statusCode() != 200) {
                assertThat(b.toJsonObject().getJsonObject("error").getString("code")).isNotBlank();
              }
              return r.statusCode();
            })));
  }

  /** The sum of the samples of {@code name} with every one of {@code labels}: {@link MetricsText#value}. */
  private static double value(String metrics, String name, String labels) {
    return MetricsText.value(metrics, name, labels);
  }

  /** The metric families of an exposition whose names start with edgechat_ or gen_ai_ ({@code # TYPE} lines). */
  static Set<String> exposedFamilies(String metrics) {
    Set<String> families = metrics.lines().filter(line -> line.startsWith("# TYPE "))
        .map(line -> line.split(" ")[2])
        .filter(name -> name.startsWith("edgechat_") || name.startsWith("gen_ai_"))
        .collect(Collectors.toCollection(TreeSet::new));
    // a timer's or summary's maximum is a gauge family of its own, documented with the histogram
    families.removeIf(name -> name.endsWith("_max") && families.contains(name.substring(0, name.length() - 4)));
    return families;
  }

  /** The first column of the metrics table of docs/observability.md: {@code | `name` | type | …}. */
  static Set<String> documentedNames() throws IOException {
    Pattern row = Pattern.compile("^\\|\\s*`([a-z_:]+)`\\s*\\|");
    Set<String> names = new TreeSet<>();
    boolean inSection = false;
    for (String line : Files.readAllLines(DOC)) {
      if (line.startsWith("## ")) {
        inSection = line.trim().equals("## Metrics");
      }
      Matcher m = row.matcher(line);
      if (inSection && m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** The names the main code registers meters under, as Prometheus spells them before its suffixes. */
  private static Set<String> codeNames() throws IOException {
    Pattern builder = Pattern.compile("(?:Counter|Timer|Gauge|DistributionSummary|FunctionCounter|LongTaskTimer)"
        + "\\s*\\.builder\\(\\s*\"([a-z_.]+)\"");
    Set<String> names = new TreeSet<>();
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        Matcher m = builder.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1).replace('.', '_'));
        }
      }
    }
    return names;
  }

  /** A Prometheus family name without the suffixes Micrometer adds: {@code _total}, the base unit. */
  private static String stem(String family) {
    String name = family.endsWith("_total") ? family.substring(0, family.length() - 6) : family;
    for (String unit : List.of("_seconds", "_usd", "_bytes")) {
      if (name.endsWith(unit)) {
        return name.substring(0, name.length() - unit.length());
      }
    }
    return name;
  }
}
