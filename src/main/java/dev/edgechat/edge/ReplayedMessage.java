package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.web.SseEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A message answered whole from the cache and sent in one write, kept for resuming as little as
 * rebuilds it: its ids, its region, the answer (the cache's own object) and how long it took. Its
 * {@code ready} and {@code done} events are made again, the bytes the visitor got, only if a visitor
 * does resume it (rare: a hit goes out in one write). An edge keeps up to {@code edge.resumableHits}
 * of these, not as this record but as its parts in {@link ResumableHits} (about 66 bytes each,
 * the conversation id included; kept as whole events they took about 600).
 *
 * @param regionJson the region as a JSON string, as {@code ready} carries it (one instance for all)
 */
record ReplayedMessage(String conversation, String message, String regionJson, CachedAnswer answer, long ms)
    implements ResumableMessage {

  @Override
  public AnswerFlight log() {
    List<SseEvent> events = new ArrayList<>(answer.replayEvents() + 2);
    events.add(ChatApi.ready(conversation, message, regionJson));
    events.addAll(answer.replay());
    events.add(ChatApi.hitDone(ms));
    return AnswerFlight.finished(events);
  }
}
