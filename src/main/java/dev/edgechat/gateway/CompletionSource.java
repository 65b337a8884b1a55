package dev.edgechat.gateway;

import dev.edgechat.answer.AnswerSink;
import dev.edgechat.answer.AnswerSource;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A key's upstream as the answer engine asks it for one request: streams the completion and
 * publishes its chunks as flight events (the head with the first, the role on the first delta).
 * The flight holds the whole answer (late joiners read it from the start), so an answer whose
 * deltas pass {@code maxAnswerBytes} is cut there: an error event, the upstream reset.
 */
final class CompletionSource implements AnswerSource {

  private final Upstream upstream;
  private final GatewayProfile profile;
  private final CompletionRequest request;
  private final long maxAnswerBytes;

  CompletionSource(Upstream upstream, GatewayProfile profile, CompletionRequest request, long maxAnswerBytes) {
    this.upstream = Objects.requireNonNull(upstream);
    this.profile = Objects.requireNonNull(profile);
    this.request = Objects.requireNonNull(request);
    this.maxAnswerBytes = maxAnswerBytes;
  }

  @Override
  public void answer(AnswerSink sink, Cancellation everyoneLeft) {
    upstream.stream(profile, request.upstreamBody(), everyoneLeft)
        .onSuccess(stream -> relay(stream, sink))
        .onFailure(e -> sink.publish(CompletionFormat.errorEvent(Upstream.transportError(e))));
  }

  private void relay(UpstreamStream stream, AnswerSink sink) {
    String[] finishReason = {null};
    JsonObject[] usage = {null};
    boolean[] started = {false};
    long[] bytes = {0};
    stream.start(chunk -> {
      if (sink.isEnded()) {
        return;
      }
      if (!started[0]) {
        started[0] = true;
        sink.publish(SseEvent.of(Events.HEAD, new JsonObject()
            .put("model", chunk.getValue("model") instanceof String m ? m : null)
            .put("system_fingerprint", chunk.getValue("system_fingerprint") instanceof String f ? f : null)
            .put("cache", "miss")));
        String delta = firstDelta(chunk).encode();
        bytes[0] += delta.length();
        sink.publish(new SseEvent(null, Events.DELTA, delta));
        noteEnd(chunk, finishReason, usage);
        return;
      }
      noteEnd(chunk, finishReason, usage);
      JsonObject delta = delta(chunk);
      if (delta != null && carries(delta)) {
        String encoded = delta.encode();
        bytes[0] += encoded.length();
        if (bytes[0] > maxAnswerBytes) {
          stream.cancel();
          sink.publish(CompletionFormat.errorEvent(GatewayError.upstream(502, "answer_too_long",
              "the upstream's answer passed the " + maxAnswerBytes
                  + " bytes this edge holds of one answer (gateway.maxAnswerBytes)", null)));
          return;
        }
        sink.publish(new SseEvent(null, Events.DELTA, encoded));
      }
    }, () -> sink.publish(CachedCompletion.done(finishReason[0], usage[0])),
        error -> sink.publish(CompletionFormat.errorEvent(error)));
  }

  /** The first chunk's delta with {@code role} first, whatever the upstream sent (OpenAI's first chunk has it). */
  private static JsonObject firstDelta(JsonObject chunk) {
    JsonObject delta = delta(chunk);
    JsonObject first = new JsonObject().put("role", delta != null && delta.getValue("role") instanceof String r
        ? r : "assistant");
    if (delta != null) {
      delta.forEach(field -> first.put(field.getKey(), field.getValue()));
    }
    if (!first.containsKey("content")) {
      first.put("content", "");
    }
    return first;
  }

  private static JsonObject delta(JsonObject chunk) {
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice && choice.getValue("delta") instanceof JsonObject delta) {
      return delta;
    }
    return null;
  }

  private static void noteEnd(JsonObject chunk, String[] finishReason, JsonObject[] usage) {
    if (chunk.getValue("usage") instanceof JsonObject reported) {
      usage[0] = reported;
    }
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice && choice.getValue("finish_reason") instanceof String f) {
      finishReason[0] = f;
    }
  }

  /** Whether a delta says anything: a field with a value other than null or the empty string. */
  private static boolean carries(JsonObject delta) {
    for (var field : delta) {
      Object value = field.getValue();
      if (value != null && !"".equals(value)) {
        return true;
      }
    }
    return false;
  }
}
