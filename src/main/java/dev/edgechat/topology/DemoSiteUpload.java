package dev.edgechat.topology;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Loads the {@code demo} site (the knowledge base role {@code all} seeds by itself) into a split
 * deployment the way an operator would: {@code PUT /admin/sites/demo}, {@code POST} its documents,
 * then waits until worker's ingestion job is {@code completed}.
 */
final class DemoSiteUpload {

  static final String SITE = "demo";
  private static final String RESOURCE = "/demo/knowledge-base.json";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI origin;
  private final String adminToken;

  DemoSiteUpload(URI origin, String adminToken) {
    this.origin = origin;
    this.adminToken = adminToken;
  }

  /** Creates the site, adds its documents and waits for their job; fails naming the call that failed. */
  void upload(Duration timeout) {
    JsonObject kb = knowledgeBase();
    send("PUT", "/admin/sites/" + SITE, kb.getJsonObject("site"), 200);
    JsonObject accepted = send("POST", "/admin/sites/" + SITE + "/documents",
        new JsonObject().put("documents", kb.getJsonArray("documents")), 202);
    String job = accepted.getString("job");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonObject state = send("GET", "/admin/jobs/" + job, null, 200);
      switch (state.getString("state", "")) {
        case "completed" -> {
          return;
        }
        case "failed" -> throw new TopologyException("the demo site's ingestion job failed: " + state.encode());
        default -> {
          if (System.nanoTime() > deadline) {
            throw new TopologyException("the demo site's ingestion job did not complete within " + timeout.toSeconds()
                + " s: " + state.encode());
          }
          OsCommand.sleep(200);
        }
      }
    }
  }

  private JsonObject send(String method, String path, JsonObject body, int expected) {
    HttpRequest request = HttpRequest.newBuilder(origin.resolve(path))
        .header("Authorization", "Bearer " + adminToken)
        .header("Content-Type", "application/json")
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expected) {
        throw new TopologyException(method + " " + path + " answered " + response.statusCode() + ": "
            + response.body());
      }
      return new JsonObject(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TopologyException("interrupted", e);
    }
  }

  private static JsonObject knowledgeBase() {
    try (InputStream in = DemoSiteUpload.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new TopologyException(RESOURCE + " is missing from the class path");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
