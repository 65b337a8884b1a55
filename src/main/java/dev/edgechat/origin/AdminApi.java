package dev.edgechat.origin;

import dev.edgechat.cache.SiteInvalidations;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API of API.md §3 ({@code Authorization: Bearer <EDGECHAT_ADMIN_TOKEN>}); mounted only
 * when an admin token is set. So far: {@code POST /admin/sites/{site}/cache/purge}.
 */
public final class AdminApi {

  private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);

  private final DocumentStore documents;
  private final RedisAPI invalidations;
  private final byte[] adminToken;

  /** @param invalidations the Redis that edges listen on for invalidations, or null when there is none */
  public AdminApi(DocumentStore documents, RedisAPI invalidations, String adminToken) {
    this.documents = Objects.requireNonNull(documents);
    this.invalidations = invalidations;
    this.adminToken = ("Bearer " + Objects.requireNonNull(adminToken)).getBytes(StandardCharsets.UTF_8);
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(this::authenticate);
    router.post("/admin/sites/:site/cache/purge").handler(this::purge);
  }

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !MessageDigest.isEqual(adminToken, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.fail(ApiError.unauthorized("the admin token is missing or wrong"));
      return;
    }
    ctx.next();
  }

  /**
   * Retires every cached answer of the site: a new knowledge-base version (part of every cache
   * key), told to every edge so each drops what it holds at once. Answers {@code {"version":n}}.
   */
  private void purge(RoutingContext ctx) {
    String site = ctx.pathParam("site");
    documents.bumpVersion(site)
        .compose(version -> version.isEmpty()
            ? Future.<Long>failedFuture(ApiError.notFound("no site '" + site + "'"))
            : tell(new SiteInvalidations.Invalidation(site, version.get())).map(version.get()))
        .onSuccess(version -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .end(new JsonObject().put("version", version).encode()))
        .onFailure(ctx::fail);
  }

  /** Best effort: an edge that misses the message stops serving old answers when its site entry expires. */
  private Future<Void> tell(SiteInvalidations.Invalidation invalidation) {
    if (invalidations == null) {
      return Future.succeededFuture();
    }
    return SiteInvalidations.publish(invalidations, invalidation)
        .recover(e -> {
          LOG.warn("edges not told of the new version; they learn it within edge.siteCacheMs [site: {}, reason: {}]",
              invalidation.site(), e.toString());
          return Future.succeededFuture();
        });
  }
}
