package dev.edgechat.gateway;

import dev.edgechat.answer.AnswerEngine;
import dev.edgechat.answer.AnswerFormat;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's answers as the answer engine sees them: flights of {@code head} (model,
 * fingerprint, cache outcome), {@code delta}s and {@code done} (finish reason, usage), or
 * {@code error} with the OpenAI error and its status; cached as a {@link CachedCompletion}. An
 * answer may be stored when it ended with a finish reason other than a content filter's. While the
 * upstream's breaker is open, the answer cached for the request may stand in past its life, marked
 * {@value #STALE}.
 */
final class CompletionFormat implements AnswerFormat<CachedCompletion> {

  /** The cache outcome ({@code X-Edgechat-Cache}) of an answer past its life, served while the upstream's breaker is open. */
  static final String STALE = "stale";

  /**
   * Only while the upstream's breaker is open ({@code upstream_circuit_open}) may an answer past its
   * life stand in: a caller of an OpenAI-compatible API expects the upstream's own failure
   * otherwise, and a cached answer it did not ask for is better than a 503 only when the upstream
   * is known to be down.
   */
  @Override
  public boolean fallsBackToStale(SseEvent event) {
    return Events.ERROR.equals(event.event()) && Upstream.BREAKER_OPEN.equals(event.json().getString("code"));
  }

  @Override
  public Optional<CachedCompletion> fromCache(CachedAnswer entry) {
    return CachedCompletion.of(entry);
  }

  @Override
  public List<SseEvent> replay(CachedCompletion answer, AnswerEngine.Outcome found, boolean stale) {
    List<SseEvent> events = new ArrayList<>(answer.events());
    JsonObject head = events.get(0).json().put("cache", stale ? STALE : found.tag());
    events.set(0, SseEvent.of(Events.HEAD, head));
    return events;
  }

  @Override
  public Optional<CachedAnswer> storable(List<SseEvent> log) {
    return CachedCompletion.of(log).filter(CachedCompletion::cacheable).map(CachedCompletion::toAnswer);
  }

  @Override
  public SseEvent unavailable(String message) {
    return errorEvent(GatewayError.upstream(502, "upstream_unavailable", message, null));
  }

  /** The flight event of {@code error}: its OpenAI error object, with its status and any Retry-After. */
  static SseEvent errorEvent(GatewayError error) {
    JsonObject data = error.toBody().getJsonObject("error").put("status", error.status());
    error.retryAfterSeconds().ifPresent(s -> data.put("retryAfter", s));
    return SseEvent.of(Events.ERROR, data);
  }

  /** The error an {@code error} event stands for. */
  static GatewayError error(SseEvent event) {
    JsonObject data = event.json();
    int status = data.getInteger("status", 502);
    return new GatewayError(status, data.getString("type", "server_error"), data.getString("code"),
        data.getString("param"), data.getString("message", "the upstream failed"),
        data.getLong("retryAfter"), status >= 500);
  }
}
