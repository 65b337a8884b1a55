package dev.edgechat.knowledge;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code demo} site and its small sample knowledge base (a made-up online shop), seeded in
 * role {@code all} so that {@code java -jar} answers questions at once. Seeding is idempotent:
 * unchanged documents are skipped.
 */
public final class DemoSite {

  private static final Logger LOG = LoggerFactory.getLogger(DemoSite.class);
  public static final String ID = "demo";
  private static final String RESOURCE = "/demo/knowledge-base.json";

  private DemoSite() {
  }

  /** Stores the demo site and ingests its documents at once (not through the job queue: the demo answers from the start). */
  public static Future<Void> seed(DocumentStore store, Ingestion ingestion) {
    JsonObject json = read();
    JsonObject siteJson = json.getJsonObject("site");
    Site site = new Site(ID, siteJson.getString("name"),
        siteJson.getJsonArray("allowedOrigins").stream().map(String::valueOf).toList(),
        siteJson.getString("systemPrompt"), 1);
    List<Document> documents = new ArrayList<>();
    JsonArray docs = json.getJsonArray("documents");
    for (int i = 0; i < docs.size(); i++) {
      JsonObject d = docs.getJsonObject(i);
      documents.add(new Document(d.getString("id"), d.getString("title"), d.getString("url"),
          d.getString("freshness"), d.getString("text")));
    }
    return store.putSite(site)
        .compose(s -> store.accept(ID, documents))
        .compose(changed -> ingestion.ingest(ID, changed, true, false))
        .onSuccess(report -> LOG.info("demo site seeded [documents: {}, ingested: {}, chunks: {}]", documents.size(),
            report.ready(), report.chunks()))
        .mapEmpty();
  }

  private static JsonObject read() {
    try (InputStream in = DemoSite.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the jar");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
