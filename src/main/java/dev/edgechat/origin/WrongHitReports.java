package dev.edgechat.origin;

import dev.edgechat.cache.AnswerKey;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.SiteVersions;
import dev.edgechat.ops.SiteTags;
import dev.edgechat.protocol.Limits;
import dev.edgechat.protocol.SiteChange;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.RequestBodies;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reports of wrong semantic hits (docs/api.md §3): {@code POST /admin/sites/{site}/cache/wrong-hits}
 * {@code {"matched","question"?,"message"?}} names the cached question that lent its answer by
 * meaning to a question it did not mean the same as ({@code matched}: the {@code done} event's
 * {@code matched}), records the report and tells every edge, through the change feed, that this
 * cached question must no longer answer by meaning (its exact repeats still hit); {@code GET} of the
 * same path counts the site's reports and lists the latest. Mounted behind the admin API's token
 * and site-id checks; the body handler is the admin API's.
 */
final class WrongHitReports {

  /** Most reports {@code GET} lists. */
  static final int LISTED = 100;

  private final DocumentStore documents;
  private final SiteVersions versions;
  private final MeterRegistry registry;
  private final SiteTags siteTags;
  private final Function<Throwable, ApiError> unaccepted;

  /**
   * @param unaccepted what a write's failure is answered as (the admin API's own errors as they are,
   *     the database's as 503)
   */
  WrongHitReports(DocumentStore documents, SiteVersions versions, MeterRegistry registry, SiteTags siteTags,
      Function<Throwable, ApiError> unaccepted) {
    this.documents = Objects.requireNonNull(documents);
    this.versions = Objects.requireNonNull(versions);
    this.registry = Objects.requireNonNull(registry);
    this.siteTags = Objects.requireNonNull(siteTags);
    this.unaccepted = Objects.requireNonNull(unaccepted);
  }

  /** Mounts the routes; {@code bodies} reads the POST's JSON body. */
  void mount(Router router, io.vertx.core.Handler<RoutingContext> bodies) {
    router.post("/admin/sites/:site/cache/wrong-hits").handler(bodies).handler(this::report);
    router.get("/admin/sites/:site/cache/wrong-hits").handler(this::list);
  }

  /** Answers {@code {"matched","version","change"}}: the normalized question blocked, the site's version, the change's number. */
  private void report(RoutingContext ctx) {
    String site = ctx.pathParam("site");
    JsonObject body = RequestBodies.json(ctx);
    String matched = RequestBodies.requiredVisibleText(body, "matched", Limits.MAX_QUESTION_CHARS);
    String question = RequestBodies.optionalText(body, "question", Limits.MAX_QUESTION_CHARS);
    String message = RequestBodies.optionalId(body, "message");
    // the edges block the question as their cache keys hold it: normalized
    String normalized = AnswerKey.of(site, 1, matched).question();
    if (normalized.isEmpty()) {
      throw ApiError.invalidRequest("field 'matched' holds no question (only spaces and punctuation)");
    }
    versions.reportWrongHit(site, normalized, question, message)
        .compose(change -> change.isEmpty()
            ? Future.<SiteChange>failedFuture(ApiError.notFound("no site '" + site + "'"))
            : Future.succeededFuture(change.get()))
        .onSuccess(change -> {
          Counter.builder("edgechat.cache.semantic.wrong.hits").tag("site", siteTags.of(site))
              .description("wrong semantic hits reported through the admin API, per site").register(registry)
              .increment();
          json(ctx).end(new JsonObject().put("matched", normalized).put("version", change.version())
              .put("change", change.seq()).encode());
        })
        .onFailure(e -> ctx.fail(unaccepted.apply(e)));
  }

  /** Answers {@code {"site","reports":n,"latest":[{"matched","question"?,"message"?,"version","change","at"}]}}. */
  private void list(RoutingContext ctx) {
    String site = ctx.pathParam("site");
    documents.site(site)
        .compose(found -> found.isEmpty()
            ? Future.<SiteVersions.WrongHitListing>failedFuture(ApiError.notFound("no site '" + site + "'"))
            : versions.wrongHits(site, LISTED))
        .onSuccess(listing -> json(ctx).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(listing.toJson(site).encode()))
        .onFailure(ctx::fail);
  }

  private static io.vertx.core.http.HttpServerResponse json(RoutingContext ctx) {
    return ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
  }
}
