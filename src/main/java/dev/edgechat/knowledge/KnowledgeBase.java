package dev.edgechat.knowledge;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Sites and the passages of their knowledge bases. */
public interface KnowledgeBase {

  /** Succeeds with the site, or empty when there is none of that id; fails only when the database does. */
  Future<Optional<Site>> site(String id);

  /**
   * The at most {@code limit} passages of the site's ready documents that best match the question,
   * best first. Succeeds with an empty list when nothing matches; fails only when the database does.
   */
  Future<List<Passage>> search(String siteId, String question, int limit);
}
