package dev.edgechat.origin;

import dev.edgechat.ops.SiteTags;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.sqlclient.Pool;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.jobs.JobOutbox;
import dev.edgechat.jobs.JobsApi;
import dev.edgechat.knowledge.Document;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.KnowledgeJobs;
import dev.edgechat.knowledge.Site;
import dev.edgechat.knowledge.SiteLimits;
import dev.edgechat.knowledge.SiteSemantic;
import dev.edgechat.knowledge.SiteVersions;
import dev.edgechat.protocol.SiteChange;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.BearerToken;
import dev.edgechat.web.JsonBodyHandler;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API of API.md §3 ({@code Authorization: Bearer <EDGECHAT_ADMIN_TOKEN>}), mounted only
 * when an admin token is set: sites, their documents (stored pending at once, made ready by an
 * ingestion job whose id the answer carries), jobs, and the cache purge.
 *
 * <p>A write that Postgres committed is answered as accepted whether or not the queue Redis
 * answers: its job is staged in the same transaction ({@link JobOutbox}) and handed to the queue
 * now or as soon as the queue answers again. A write that could not be stored (the database did not
 * answer) is {@code 503 overloaded} with {@code Retry-After}: nothing was accepted, and a retry
 * with the same {@code Idempotency-Key} ({@link IdempotentWrites}) cannot store an upload twice.
 */
public final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
  /** The {@code Retry-After} of a write the database did not take. */
  private static final long RETRY_AFTER_SECONDS = 5;

  /** Site ids as the chat accepts them. */
  static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  /** Document ids: URL-safe, so that {@code DELETE …/documents/{doc}} can name any of them. */
  static final Pattern DOCUMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
  static final int MAX_DOCUMENTS_PER_CALL = 1000;
  private static final int MAX_TITLE = 500;
  private static final int MAX_URL = 2048;
  private static final int MAX_NAME = 200;
  private static final int MAX_PROMPT = 20_000;
  private static final int MAX_ORIGINS = 100;

  private final DocumentStore documents;
  private final SiteVersions versions;
  private final JobOutbox outbox;
  private final JobsApi jobsApi;
  private final IdempotentWrites writes;
  private final EdgechatConfig.Knowledge settings;
  private final String adminToken;
  private final UsageReport usage;
  private final WrongHitReports wrongHits;

  /**
   * @param outbox where the document jobs are staged with their writes, then handed to the queue
   * @param jobsApi the jobs' states ({@code GET /admin/jobs/{id}}), staged ones included
   * @param writes the transactions of the writes, with their idempotency keys
   * @param usageReads where {@code GET /admin/sites/{site}/usage} reads the usage table
   * @param config the live settings, for the price table the usage report estimates cost with
   */
  public AdminApi(DocumentStore documents, SiteVersions versions, JobOutbox outbox, JobsApi jobsApi,
      IdempotentWrites writes, EdgechatConfig.Knowledge settings, String adminToken, Pool usageReads,
      LiveConfig config) {
    this(documents, versions, outbox, jobsApi, writes, settings, adminToken, usageReads, config,
        new SimpleMeterRegistry(), new SiteTags());
  }

  /**
   * @param registry where the reports of wrong semantic hits are counted
   * @param siteTags the bounded {@code site} label of that count
   */
  public AdminApi(DocumentStore documents, SiteVersions versions, JobOutbox outbox, JobsApi jobsApi,
      IdempotentWrites writes, EdgechatConfig.Knowledge settings, String adminToken, Pool usageReads,
      LiveConfig config, MeterRegistry registry, SiteTags siteTags) {
    this.usage = new UsageReport(usageReads, documents, config);
    this.wrongHits = new WrongHitReports(documents, versions, registry, siteTags, e -> unaccepted(e, "the report"));
    this.documents = Objects.requireNonNull(documents);
    this.versions = Objects.requireNonNull(versions);
    this.outbox = Objects.requireNonNull(outbox);
    this.jobsApi = Objects.requireNonNull(jobsApi);
    this.writes = Objects.requireNonNull(writes);
    this.settings = Objects.requireNonNull(settings);
    this.adminToken = Objects.requireNonNull(adminToken);
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(this::authenticate);
    router.route("/admin/sites/:site/*").handler(this::checkSiteId);
    router.route("/admin/sites/:site").handler(this::checkSiteId);
    router.put("/admin/sites/:site").handler(new JsonBodyHandler(1 << 20)).handler(this::putSite);
    router.post("/admin/sites/:site/documents").handler(new JsonBodyHandler(settings.maxUploadBytes()))
        .handler(this::postDocuments);
    router.get("/admin/sites/:site/documents").handler(this::listDocuments);
    usage.mount(router);
    router.delete("/admin/sites/:site/documents/:doc").handler(this::deleteDocument);
    router.post("/admin/sites/:site/cache/purge").handler(new JsonBodyHandler(1 << 20)).handler(this::purge);
    wrongHits.mount(router, new JsonBodyHandler(1 << 20));
    router.get("/admin/jobs/:id").handler(jobsApi::job);
  }

  private void authenticate(RoutingContext ctx) {
    if (!BearerToken.carries(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), adminToken)) {
      ctx.fail(ApiError.unauthorized("the admin token is missing or wrong"));
      return;
    }
    ctx.next();
  }

  private void checkSiteId(RoutingContext ctx) {
    String site = ctx.pathParam("site");
    if (site == null || !SITE_ID.matcher(site).matches()) {
      ctx.fail(ApiError.invalidRequest("a site id is 1 to 64 letters, digits, '_', '.' or '-', starting with a "
          + "letter or digit"));
      return;
    }
    ctx.next();
  }

  /**
   * {@code PUT /admin/sites/{site}} {@code {"name","allowedOrigins":[…],"systemPrompt"?,"limits"?,"semantic"?}}:
   * creates or updates it.
   */
  private void putSite(RoutingContext ctx) {
    JsonObject body = RequestBodies.json(ctx);
    String name = RequestBodies.requiredVisibleText(body, "name", MAX_NAME);
    String prompt = RequestBodies.optionalText(body, "systemPrompt", MAX_PROMPT);
    List<String> origins = allowedOrigins(body.getValue("allowedOrigins"));
    SiteLimits limits = limits(body.getValue("limits"));
    SiteSemantic semantic = semantic(body.getValue("semantic"));
    // a new version: edges forget what they knew of the site (allowed origins, limits, semantic
    // settings) and answers made under the old system prompt retire
    documents.putSite(new Site(ctx.pathParam("site"), name, origins, prompt, 1, limits, semantic))
        .compose(site -> versions.bumpChunksUnchanged(site.id())
            .map(change -> site.atVersion(change.map(SiteChange::version).orElse(site.kbVersion()))))
        .onSuccess(site -> json(ctx.response()).end(site.toJson().encode()))
        .onFailure(e -> ctx.fail(unaccepted(e, "the site")));
  }

  /** The site's own abuse limits ({@code "limits"}, SiteLimits); absent or null: the edges' settings. */
  private static SiteLimits limits(Object value) {
    if (value == null) {
      return SiteLimits.NONE;
    }
    if (!(value instanceof JsonObject json)) {
      throw ApiError.invalidRequest("field 'limits' must be an object such as {\"visitorChatsPerMinute\":20}");
    }
    try {
      return SiteLimits.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidRequest(e.getMessage());
    }
  }

  /** The site's own semantic-cache settings ({@code "semantic"}, SiteSemantic); absent or null: the edges' settings. */
  private static SiteSemantic semantic(Object value) {
    if (value == null) {
      return SiteSemantic.NONE;
    }
    if (!(value instanceof JsonObject json)) {
      throw ApiError.invalidRequest("field 'semantic' must be an object such as {\"enabled\":false} or "
          + "{\"maxWrongShare\":0.02}");
    }
    try {
      return SiteSemantic.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidRequest(e.getMessage());
    }
  }

  /** {@code *} or browser origins ({@code https://shop.example}, no path); absent means none (server calls only). */
  private static List<String> allowedOrigins(Object value) {
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.size() > MAX_ORIGINS) {
      throw ApiError.invalidRequest("field 'allowedOrigins' must be an array of at most " + MAX_ORIGINS + " origins");
    }
    List<String> out = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String origin) || !(origin.equals("*") || isOrigin(origin))) {
        throw ApiError.invalidRequest("allowedOrigins holds '*' or origins such as https://shop.example, got '"
            + shorten(String.valueOf(item)) + "'");
      }
      out.add(origin);
    }
    return out;
  }

  private static boolean isOrigin(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
          && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * {@code POST /admin/sites/{site}/documents} {@code {"documents":[{"id"?,"title","url"?,"text","freshness"}]}}:
   * stores them pending and stages one ingestion job, in one transaction (Postgres first, so nothing
   * accepted is lost), then hands the job to the queue; {@code 202 {"job","documents":[ids]}} once
   * committed, whether the queue Redis took the job now or takes it when it answers again. A
   * document whose content is stored already is left as it is; the job reports it skipped. With an
   * {@code Idempotency-Key}, the same key and body answer as the first time and store nothing more.
   */
  private void postDocuments(RoutingContext ctx) {
    String siteId = ctx.pathParam("site");
    List<Document> parsed = parseDocuments(RequestBodies.json(ctx));
    Optional<String> key = IdempotentWrites.key(ctx);
    String fingerprint = IdempotentWrites.fingerprint(JsonBodyHandler.body(ctx));
    List<String> ids = parsed.stream().map(Document::id).toList();
    JobOutbox.Staged job = KnowledgeJobs.ingestJob(siteId, ids);
    documents.site(siteId)
        .compose(site -> site.isEmpty()
            ? Future.failedFuture(ApiError.notFound("no site '" + siteId + "'; create it with PUT /admin/sites/"
                + siteId))
            : writes.run("POST /admin/sites/" + siteId + "/documents", key, fingerprint,
                conn -> documents.accept(conn, siteId, parsed)
                    .compose(changed -> outbox.stage(conn, job))
                    .map(v -> new IdempotentWrites.Answer(202, new JsonObject().put("job", job.id())
                        .put("documents", new JsonArray(ids)), false))))
        .compose(answer -> answer.replayed()
            ? Future.succeededFuture(answer)
            : outbox.handOver(job).map(answer))
        .onSuccess(answer -> answer(ctx, answer))
        .onFailure(e -> ctx.fail(unaccepted(e, "the documents")));
  }

  private static void answer(RoutingContext ctx, IdempotentWrites.Answer answer) {
    HttpServerResponse response = json(ctx.response().setStatusCode(answer.status()));
    if (answer.replayed()) {
      response.putHeader(IdempotentWrites.REPLAYED, "true");
    }
    response.end(answer.body().encode());
  }

  /**
   * A write's failure as answered: the API's own errors as they are; anything else (the database
   * did not answer or refused) is {@code 503 overloaded} with {@code Retry-After}, as nothing was stored.
   */
  private static ApiError unaccepted(Throwable e, String what) {
    if (e instanceof ApiError error) {
      return error;
    }
    LOG.warn("admin write not stored; answered 503 [what: {}, reason: {}]", what, e.toString());
    return ApiError.overloaded(what + " could not be stored now (the database did not take the write); nothing "
        + "was changed, try again", RETRY_AFTER_SECONDS);
  }

  private List<Document> parseDocuments(JsonObject body) {
    Object value = body.getValue("documents");
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_DOCUMENTS_PER_CALL) {
      throw ApiError.invalidRequest("field 'documents' must be an array of 1 to " + MAX_DOCUMENTS_PER_CALL
          + " documents");
    }
    List<Document> out = new ArrayList<>(array.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject doc)) {
        throw ApiError.invalidRequest("documents[" + i + "] must be an object");
      }
      try {
        Document document = parseDocument(doc);
        if (!seen.add(document.id())) {
          throw ApiError.invalidRequest("id '" + document.id() + "' appears twice");
        }
        out.add(document);
      } catch (ApiError e) {
        throw ApiError.invalidRequest("documents[" + i + "]: " + e.getMessage());
      }
    }
    return out;
  }

  private Document parseDocument(JsonObject doc) {
    String id = RequestBodies.optionalText(doc, "id", 128);
    if (id == null) {
      id = Ids.next();
    } else if (!DOCUMENT_ID.matcher(id).matches()) {
      throw ApiError.invalidRequest("field 'id' must be 1 to 128 letters, digits, '_', '.', ':' or '-', starting "
          + "with a letter or digit");
    }
    String title = RequestBodies.requiredVisibleText(doc, "title", MAX_TITLE);
    String url = RequestBodies.optionalText(doc, "url", MAX_URL);
    if (url != null && !isWebUrl(url)) {
      // a source becomes a link in the widget: only http(s), never javascript: or data:
      throw ApiError.invalidRequest("field 'url' must be an absolute http or https URL");
    }
    String text = RequestBodies.requiredVisibleText(doc, "text", settings.maxDocumentChars());
    String freshness = RequestBodies.optionalText(doc, "freshness", 16);
    if (freshness == null) {
      freshness = "static";
    } else if (!freshness.equals("static") && !freshness.equals("dynamic")) {
      throw ApiError.invalidRequest("field 'freshness' must be \"static\" or \"dynamic\"");
    }
    return new Document(id, title, url, freshness, text);
  }

  private static boolean isWebUrl(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /**
   * {@code GET /admin/sites/{site}/documents}: the list (a JSON array) of the site's documents with
   * each one's {@code status}, by id; the first 10,000, with {@code X-Edgechat-Truncated: true} when
   * there are more.
   */
  private void listDocuments(RoutingContext ctx) {
    String siteId = ctx.pathParam("site");
    documents.site(siteId)
        .compose(site -> site.isEmpty()
            ? Future.<JsonObject>failedFuture(ApiError.notFound("no site '" + siteId + "'"))
            : documents.list(siteId))
        .onSuccess(listing -> {
          if (listing.getBoolean("truncated", false)) {
            ctx.response().putHeader("X-Edgechat-Truncated", "true");
          }
          json(ctx.response()).end(listing.getJsonArray("documents").encode());
        })
        .onFailure(ctx::fail);
  }

  /**
   * {@code DELETE /admin/sites/{site}/documents/{doc}}: the document leaves answers at once; a job,
   * staged with the mark and handed to the queue as the upload's is, removes it. A delete is
   * idempotent by itself: sent again it marks the same document and stages another (harmless) job.
   */
  private void deleteDocument(RoutingContext ctx) {
    String siteId = ctx.pathParam("site");
    String documentId = ctx.pathParam("doc");
    if (!DOCUMENT_ID.matcher(documentId).matches()) {
      ctx.fail(ApiError.invalidRequest("'" + shorten(documentId) + "' is not a valid document id"));
      return;
    }
    JobOutbox.Staged job = KnowledgeJobs.deleteJob(siteId, documentId);
    writes.run(conn -> documents.markDeleting(conn, siteId, documentId)
            .compose(found -> found
                ? outbox.stage(conn, job)
                : Future.failedFuture(ApiError.notFound("no document '" + documentId + "' in site '" + siteId + "'")))
            .map(v -> new IdempotentWrites.Answer(202, new JsonObject().put("job", job.id()), false)))
        .compose(answer -> outbox.handOver(job).map(answer))
        .onSuccess(answer -> answer(ctx, answer))
        .onFailure(e -> ctx.fail(unaccepted(e, "the deletion")));
  }

  /**
   * Without a body: retires every cached answer of the site, with a new knowledge-base version
   * (part of every cache key). With {@code {"documents":["id",…]}}: retires only the answers that
   * cite one of those documents (whether they still exist or not), and the version stays. Either
   * change reaches every edge through origin's change feed. Answers {@code {"version":n,"change":seq}},
   * plus the {@code documents} for a purge by document.
   */
  private void purge(RoutingContext ctx) {
    String site = ctx.pathParam("site");
    List<String> purged = purgedDocuments(ctx);
    (purged.isEmpty() ? versions.bumpChunksUnchanged(site) : versions.purgeDocuments(site, purged))
        .compose(change -> change.isEmpty()
            ? Future.<SiteChange>failedFuture(ApiError.notFound("no site '" + site + "'"))
            : Future.succeededFuture(change.get()))
        .onSuccess(change -> {
          JsonObject answer = new JsonObject().put("version", change.version()).put("change", change.seq());
          if (!change.wholeSite()) {
            answer.put("documents", new JsonArray(change.documents()));
          }
          json(ctx.response()).end(answer.encode());
        })
        .onFailure(e -> ctx.fail(unaccepted(e, "the purge")));
  }

  /** The documents of a purge by document, or empty for the whole site (no body, or no {@code documents}). */
  private static List<String> purgedDocuments(RoutingContext ctx) {
    Buffer raw = JsonBodyHandler.body(ctx);
    if (raw == null || raw.length() == 0 || raw.toString().isBlank()) {
      return List.of();
    }
    Object value = RequestBodies.json(ctx).getValue("documents");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array) || array.isEmpty() || array.size() > MAX_DOCUMENTS_PER_CALL) {
      throw ApiError.invalidRequest("field 'documents' must be an array of 1 to " + MAX_DOCUMENTS_PER_CALL
          + " document ids");
    }
    Set<String> ids = new LinkedHashSet<>();
    for (Object item : array) {
      if (!(item instanceof String id) || !DOCUMENT_ID.matcher(id).matches()) {
        throw ApiError.invalidRequest("documents holds document ids (1 to 128 letters, digits, '_', '.', ':' or "
            + "'-'), got '" + shorten(String.valueOf(item)) + "'");
      }
      ids.add(id);
    }
    return List.copyOf(ids);
  }

  private static String shorten(String value) {
    return value.length() > 64 ? value.substring(0, 64) + "…" : value;
  }

  private static HttpServerResponse json(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
  }
}
