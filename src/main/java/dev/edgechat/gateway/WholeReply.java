package dev.edgechat.gateway;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a caller who did not ask for a stream: once the flight has ended, the whole
 * {@code chat.completion} its deltas add up to, or its error with the error's status.
 */
final class WholeReply extends Reply {

  private final HttpServerResponse response;

  WholeReply(HttpServerResponse response) {
    this.response = response;
  }

  @Override
  protected void onNews() {
    if (finished) {
      return;
    }
    int size = flight.size();
    SseEvent last = size == 0 ? null : flight.event(size - 1);
    if (last == null || !Events.isTerminal(last)) {
      return;
    }
    finish();
    List<SseEvent> log = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      log.add(flight.event(i));
    }
    CachedCompletion.of(log).ifPresentOrElse(answer -> send(answer, log.get(0).json().getString("cache", "miss")),
        () -> CompletionFormat.error(last).send(response));
  }

  @Override
  protected void failed(GatewayError error) {
    finish();
    error.send(response);
  }

  private void send(CachedCompletion answer, String cache) {
    if (response.closed()) {
      return;
    }
    ChunkFrames frames = new ChunkFrames(answer.model(), answer.fingerprint());
    response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(CacheMode.HEADER, cache)
        .end(frames.completion(answer).encode());
  }
}
