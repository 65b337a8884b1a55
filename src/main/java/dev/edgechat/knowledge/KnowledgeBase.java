package dev.edgechat.knowledge;

import dev.edgechat.protocol.QuestionVector;
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

  /**
   * As {@link #search(String, String, int)}, with the question's vector as another part embedded it
   * (the edge, for its semantic cache; null: none), used instead of embedding the question again
   * when it was made by the model this knowledge base embeds with. By default it is not used.
   */
  default Future<List<Passage>> search(String siteId, String question, int limit, QuestionVector vector) {
    return search(siteId, question, limit);
  }

  /**
   * As {@link #search(String, String, int, QuestionVector)}, for the site as the answer read it:
   * the passages are those of its knowledge-base version or a later one, as far as the knowledge
   * base can tell. By default the same search.
   */
  default Future<List<Passage>> search(Site site, String question, int limit, QuestionVector vector) {
    return search(site.id(), question, limit, vector);
  }

  /**
   * As {@link #search(Site, String, int, QuestionVector)}, begun while the site {@code siteId} is
   * still being read ({@code asRead}): a knowledge base that can tell whether what it searched was
   * current for the version read keeps its result, else searches again once it is. By default it
   * waits for the read, then searches.
   */
  default Future<List<Passage>> search(String siteId, Future<Site> asRead, String question, int limit,
      QuestionVector vector) {
    return asRead.compose(site -> search(site, question, limit, vector));
  }
}
