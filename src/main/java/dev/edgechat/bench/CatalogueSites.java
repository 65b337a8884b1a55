package dev.edgechat.bench;

import dev.edgechat.web.PlainWebClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sites a {@link QuestionCatalogue} asks about, made through origin's admin API as an operator
 * would: each site with one document per intent (titled with the intent's first wording), every
 * third one {@code dynamic}, the others {@code static}. Blocking calls, for the scenario's own thread
 * (never an event loop).
 */
final class CatalogueSites {

  private static final Logger LOG = LoggerFactory.getLogger(CatalogueSites.class);

  private final WebClient client;
  private final URI origin;
  private final String adminToken;

  /**
   * @param origin where the admin API answers (origin, or a role {@code all})
   * @param adminToken its bearer token
   */
  CatalogueSites(WebClient client, URI origin, String adminToken) {
    this.client = Objects.requireNonNull(client);
    this.origin = Objects.requireNonNull(origin);
    this.adminToken = Objects.requireNonNull(adminToken);
  }

  /** Creates {@code site} and adds its documents; does not wait for them to be ingested. */
  void create(String site, List<List<String>> intents) {
    String base = base(site);
    call(HttpMethod.PUT, base, new JsonObject().put("name", "Bench site " + site)
        .put("allowedOrigins", new JsonArray().add("https://" + site + ".example")));
    JsonArray documents = new JsonArray();
    for (int i = 0; i < intents.size(); i++) {
      String question = intents.get(i).get(0);
      documents.add(new JsonObject().put("id", "intent-" + i).put("title", question)
          .put("freshness", i % 3 == 0 ? "dynamic" : "static")
          .put("text", "Answer to '" + question + "': open your account page on " + site + ", choose the matching"
              + " section and follow the steps shown there. It takes a few minutes and costs nothing."));
    }
    call(HttpMethod.POST, base + "/documents", new JsonObject().put("documents", documents));
  }

  /**
   * Waits until every site of {@code documents} (site to the number of documents it was given) lists
   * them all {@code ready}.
   *
   * @throws IllegalStateException when one is not ingested within {@code timeout}
   */
  void awaitIngested(Map<String, Integer> documents, Duration timeout) {
    Map<String, Integer> waiting = new LinkedHashMap<>(documents);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!waiting.isEmpty()) {
      waiting.entrySet().removeIf(site -> {
        JsonArray listed = new JsonArray(call(HttpMethod.GET, base(site.getKey()) + "/documents", null));
        long ready = listed.stream().filter(d -> "ready".equals(((JsonObject) d).getString("status"))).count();
        if (ready == site.getValue()) {
          LOG.info("site seeded [site: {}, documents: {}]", site.getKey(), ready);
          return true;
        }
        return false;
      });
      if (waiting.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("sites " + waiting.keySet() + " were not ingested within "
            + timeout.toSeconds() + " s");
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while seeding " + waiting.keySet(), e);
      }
    }
  }

  private String base(String site) {
    return origin + "/admin/sites/" + site;
  }

  private String call(HttpMethod method, String url, JsonObject body) {
    return call(client, adminToken, method, url, body);
  }

  /**
   * A blocking admin (or sim) call with {@code token}, from a bench's own thread (never an event loop).
   *
   * @return the body of a 2xx answer; throws {@link IllegalStateException} naming the call otherwise
   */
  static String call(WebClient client, String token, HttpMethod method, String url, JsonObject body) {
    HttpRequest<Buffer> request = client.requestAbs(method, url)
        .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json");
    return (body == null ? request.send() : request.sendBuffer(body.toBuffer()))
        .compose(resp -> {
          Buffer b = PlainWebClient.body(resp);
          return resp.statusCode() / 100 == 2 ? Future.succeededFuture(b)
              : Future.<Buffer>failedFuture(new IllegalStateException(method + " " + url + " -> "
                  + resp.statusCode() + " " + b));
        })
        .await()
        .toString();
  }
}
