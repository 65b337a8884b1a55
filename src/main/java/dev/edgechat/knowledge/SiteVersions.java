package dev.edgechat.knowledge;

import dev.edgechat.redis.SiteInvalidations;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a new knowledge-base version of a site (part of every cache key) and tells every edge and
 * origin over Redis pub/sub, so edges drop the site's cached answers and origins refresh its chunk
 * index at once.
 */
public final class SiteVersions {

  private static final Logger LOG = LoggerFactory.getLogger(SiteVersions.class);

  private final DocumentStore documents;
  private final RedisAPI publisher;

  /** @param publisher the Redis that edges and origins listen on, or null when there is none */
  public SiteVersions(DocumentStore documents, RedisAPI publisher) {
    this.documents = Objects.requireNonNull(documents);
    this.publisher = publisher;
  }

  /** Succeeds with the new version, or empty when there is no such site. */
  public Future<Optional<Long>> bump(String siteId) {
    return documents.bumpVersion(siteId).compose(version -> version.isEmpty()
        ? Future.succeededFuture(version)
        : tell(new SiteInvalidations.Invalidation(siteId, version.get())).map(version));
  }

  /** Best effort: an edge that misses the message stops serving old answers when its site entry expires. */
  private Future<Void> tell(SiteInvalidations.Invalidation invalidation) {
    if (publisher == null) {
      return Future.succeededFuture();
    }
    return SiteInvalidations.publish(publisher, invalidation)
        .recover(e -> {
          LOG.warn("edges not told of the new version; they learn it within edge.siteCacheMs [site: {}, reason: {}]",
              invalidation.site(), e.toString());
          return Future.succeededFuture();
        });
  }
}
