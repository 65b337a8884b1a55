package dev.edgechat.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A blocking client of origin's admin API for tests that drive real processes from the test's
 * thread: sites, documents (waiting for their ingestion job), purges. A call that answers another
 * status than the one expected fails, quoting the answer.
 */
public final class SiteAdmin {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI origin;
  private final String adminToken;

  /** @param origin where the admin API is served (origin, or role all's public port) */
  public SiteAdmin(URI origin, String adminToken) {
    this.origin = origin;
    this.adminToken = adminToken;
  }

  /** {@code PUT /admin/sites/{site}}, open to every page; the site as stored. */
  public JsonObject putSite(String site, String name) {
    return send("PUT", "/admin/sites/" + site, new JsonObject().put("name", name)
        .put("allowedOrigins", new JsonArray().add("*")), 200);
  }

  /** Adds {@code documents} ({@code {"id","title","text"}} each) and waits until their ingestion job completed. */
  public void addDocuments(String site, List<JsonObject> documents, Duration timeout) {
    JsonObject accepted = send("POST", "/admin/sites/" + site + "/documents",
        new JsonObject().put("documents", new JsonArray(documents)), 202);
    String job = accepted.getString("job");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonObject state = send("GET", "/admin/jobs/" + job, null, 200);
      switch (state.getString("state", "")) {
        case "completed" -> {
          return;
        }
        case "failed" -> throw new AssertionError("ingestion job failed: " + state.encode());
        default -> {
          if (System.nanoTime() > deadline) {
            throw new AssertionError("ingestion job not completed within " + timeout + ": " + state.encode());
          }
          sleep(100);
        }
      }
    }
  }

  /** {@code POST /admin/sites/{site}/cache/purge} without a body: {@code {"version","change"}}. */
  public JsonObject purge(String site) {
    return send("POST", "/admin/sites/" + site + "/cache/purge", null, 200);
  }

  /** {@code POST /admin/sites/{site}/cache/purge} {@code {"documents":[…]}}: {@code {"version","change","documents"}}. */
  public JsonObject purgeDocuments(String site, List<String> documents) {
    return send("POST", "/admin/sites/" + site + "/cache/purge",
        new JsonObject().put("documents", new JsonArray(documents)), 200);
  }

  /** Any call: its status and body. */
  public HttpResponse<String> call(String method, String path, String body, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(origin.resolve(path)).timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private JsonObject send(String method, String path, JsonObject body, int expected) {
    HttpResponse<String> response = call(method, path, body == null ? null : body.encode(), "Bearer " + adminToken);
    if (response.statusCode() != expected) {
      throw new AssertionError(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return new JsonObject(response.body());
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
