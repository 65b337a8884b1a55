package dev.edgechat.edge;

import dev.edgechat.answer.AnswerEngine;
import dev.edgechat.answer.AnswerFormat;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The visitor chat's answers as the answer engine sees them: the events of API.md §1
 * ({@code token}s, {@code sources}, then {@code done} or {@code error}), cached as a
 * {@link CachedAnswer}. An answer may be stored when it is done, fresh from the model and not cut
 * short; one that origin or the model cannot give may be replaced by the stale answer.
 */
final class ChatAnswerFormat implements AnswerFormat<CachedAnswer> {

  /** The errors for which a stale answer may stand in: origin or the model cannot answer now. */
  private static final Set<String> UNAVAILABLE = Set.of("upstream_unavailable", "timeout", "overloaded");

  @Override
  public Optional<CachedAnswer> fromCache(CachedAnswer entry) {
    return Optional.of(entry);
  }

  /** The cached answer as the events it was streamed as, then a {@code done} marked as found by {@code found}. */
  @Override
  public List<SseEvent> replay(CachedAnswer answer, AnswerEngine.Outcome found, boolean stale) {
    List<SseEvent> events = new ArrayList<>(answer.replay().size() + 1);
    events.addAll(answer.replay());
    events.add(SseEvent.of(Events.DONE, new JsonObject().put("cache", found.tag()).put("stale", stale).put("ms", 0)));
    return events;
  }

  /**
   * The replay of an answer lent by meaning, whose {@code done} names the cached question that lent
   * it ({@code "matched"}): what {@code POST /admin/sites/{site}/cache/wrong-hits} takes.
   */
  @Override
  public List<SseEvent> replayLent(CachedAnswer answer, String matched) {
    List<SseEvent> events = replay(answer, AnswerEngine.Outcome.SEMANTIC, false);
    if (matched == null) {
      return events;
    }
    SseEvent done = events.get(events.size() - 1);
    events.set(events.size() - 1, SseEvent.of(Events.DONE, done.json().copy().put("matched", matched)));
    return events;
  }

  /** What making the answer cost the model, as origin's {@code done} said when it was cached. */
  @Override
  public long[] cost(CachedAnswer answer) {
    return new long[] {answer.inputTokens(), answer.outputTokens()};
  }

  /** The answer of a flight that ended well: done, fresh from the model, not cut short. Errors are never cached. */
  @Override
  public Optional<CachedAnswer> storable(List<SseEvent> log) {
    if (!endedWell(log)) {
      return Optional.empty();
    }
    JsonObject done = log.get(log.size() - 1).json();
    if (!"miss".equals(done.getString("cache")) || done.getBoolean("truncated", false)) {
      return Optional.empty();
    }
    JsonArray sources = log.stream().filter(e -> Events.SOURCES.equals(e.event())).findFirst()
        .map(e -> e.json().getJsonArray("items", new JsonArray())).orElseGet(JsonArray::new);
    return Optional.of(new CachedAnswer(tokens(log), sources, done.getString("freshness", "dynamic"),
        documents(sources), done.getLong("changeSeq", 0L), whole(done, "inputTokens"), whole(done, "outputTokens")));
  }

  /** A non-negative whole number field of origin's {@code done}; 0 when absent or malformed. */
  private static int whole(JsonObject done, String field) {
    return done.getValue(field) instanceof Number n && n.intValue() >= 0 ? n.intValue() : 0;
  }

  @Override
  public SseEvent unavailable(String message) {
    return error(ApiError.upstreamUnavailable(message));
  }

  @Override
  public boolean fallsBackToStale(SseEvent event) {
    return Events.ERROR.equals(event.event()) && UNAVAILABLE.contains(event.json().getString("code"));
  }

  @Override
  public String text(CachedAnswer answer) {
    return answer.text();
  }

  static SseEvent error(ApiError error) {
    return SseEvent.of(Events.ERROR, error.toEventData());
  }

  /** The ids of the documents an answer's sources name (origin sends them since issue 15). */
  static List<String> documents(JsonArray sources) {
    List<String> ids = new ArrayList<>(sources.size());
    for (Object item : sources) {
      if (item instanceof JsonObject source && source.getValue("id") instanceof String id) {
        ids.add(id);
      }
    }
    return ids;
  }

  /** Whether an answer's events end with {@code done}. */
  static boolean endedWell(List<SseEvent> log) {
    return !log.isEmpty() && Events.DONE.equals(log.get(log.size() - 1).event());
  }

  /** The text deltas of an answer's events, in order. */
  static List<String> tokens(List<SseEvent> log) {
    return log.stream().filter(e -> Events.TOKEN.equals(e.event())).map(e -> e.json().getString("text", "")).toList();
  }
}
