package dev.edgechat.answer;

import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.web.SseEvent;
import java.util.List;
import java.util.Optional;

/**
 * What an API's answers look like to {@link AnswerEngine}: how a cache entry is read and replayed
 * as the API's flight events, which ended flights may be stored (the "may store" rule), and the
 * API's error event.
 *
 * @param <A> the API's answer as the cache holds it (the chat's {@link CachedAnswer}, the gateway's completion)
 */
public interface AnswerFormat<A> {

  /** The API's answer a cache entry holds, or empty when the entry is not one of this API's (then it is a miss). */
  Optional<A> fromCache(CachedAnswer entry);

  /**
   * The flight events that replay {@code answer} whole, up to and including {@code done}, marked as
   * found by {@code found} ({@link AnswerEngine.Outcome#HIT} or {@link AnswerEngine.Outcome#SEMANTIC})
   * and, when {@code stale}, as served past its life because the upstream could not answer.
   */
  List<SseEvent> replay(A answer, AnswerEngine.Outcome found, boolean stale);

  /**
   * {@link #replay} of an answer lent by meaning ({@link AnswerEngine.Outcome#SEMANTIC}, fresh) by
   * the cached question {@code matched} (normalized; null when unknown), which an API may name so
   * that a wrong hit can be reported; by default not named.
   */
  default List<SseEvent> replayLent(A answer, String matched) {
    return replay(answer, AnswerEngine.Outcome.SEMANTIC, false);
  }

  /**
   * The "may store" rule: the cache entry for a flight's whole log when it ended well and may be
   * replayed to others; empty otherwise (an error, an answer cut short, one the API never caches).
   */
  Optional<CachedAnswer> storable(List<SseEvent> log);

  /** The {@code error} event saying that the answer cannot be had now ({@code upstream_unavailable}). */
  SseEvent unavailable(String message);

  /**
   * Whether {@code event}, the upstream's first, is a failure for which the answer cached for the
   * question may stand in even though its life is over ({@code cache.staleMs}). Never, by default.
   */
  default boolean fallsBackToStale(SseEvent event) {
    return false;
  }

  /**
   * The whole text of {@code answer}, kept on a flight that replays it ({@link AnswerFlight#knownText})
   * so that nobody puts it together from the events again; null, by default, when the API has no use for it.
   */
  default String text(A answer) {
    return null;
  }

  /**
   * The model tokens {@code answer} cost when it was made, {@code {input, output}}, kept on a flight
   * that replays it ({@link AnswerFlight#knownCost}) for the API's savings metrics; null, by
   * default, when unknown.
   */
  default long[] cost(A answer) {
    return null;
  }
}
