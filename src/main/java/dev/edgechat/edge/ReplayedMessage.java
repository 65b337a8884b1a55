package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.web.SseEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * A message answered whole from the cache and sent in one write: kept for resuming as the three
 * things it was made of, the events listed only if a visitor does resume it.
 */
record ReplayedMessage(SseEvent ready, CachedAnswer answer, SseEvent done) implements ResumableMessage {

  @Override
  public AnswerFlight log() {
    List<SseEvent> events = new ArrayList<>(answer.replayEvents() + 2);
    events.add(ready);
    events.addAll(answer.replay());
    events.add(done);
    return AnswerFlight.finished(events);
  }
}
