package dev.edgechat.gateway;

import dev.edgechat.answer.AnswerSink;
import dev.edgechat.answer.AnswerSource;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.llm.Usage;
import dev.edgechat.ops.tracing.ModelCallSpan;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * A key's upstream as the answer engine asks it for one request: streams the completion and
 * publishes its chunks as flight events (the head with the first, the role on the first delta).
 * The flight holds the whole answer (late joiners read it from the start), so an answer whose
 * deltas pass {@code maxAnswerBytes} is cut there: an error event, the upstream reset.
 *
 * <p>Each upstream call is measured as the visitor chat's model calls are, by the same parts:
 * {@link ModelMeters} (time to the first chunk and to the end, tokens, errors by kind; label
 * {@code api="gateway"}, the model as the request named it, bounded) and a GenAI client span
 * ({@link ModelCallSpan}) in force while the upstream is asked, so its HTTP call is the span's child.
 * A call every caller left is neither timed nor counted as an error (as at origin); its span ends
 * {@code cancelled}.
 */
final class CompletionSource implements AnswerSource {

  private final Upstream upstream;
  private final GatewayProfile profile;
  private final CompletionRequest request;
  private final long maxAnswerBytes;
  private final ModelMeters meters;

  CompletionSource(Upstream upstream, GatewayProfile profile, CompletionRequest request, long maxAnswerBytes,
      ModelMeters meters) {
    this.upstream = Objects.requireNonNull(upstream);
    this.profile = Objects.requireNonNull(profile);
    this.request = Objects.requireNonNull(request);
    this.maxAnswerBytes = maxAnswerBytes;
    this.meters = Objects.requireNonNull(meters);
  }

  @Override
  public void answer(AnswerSink sink, Cancellation everyoneLeft) {
    Call call = new Call(request.model(), everyoneLeft, ModelCallSpan.start("chat", "openai", request.model(),
        upstream.baseUrl()).errorKinds(e -> Upstream.transportError(e).kind()));
    everyoneLeft.onCancel(call.span::cancelled);
    call.span.ask(() -> upstream.stream(profile, request.upstreamBody(), everyoneLeft))
        .onSuccess(stream -> {
          call.firstChunk();
          relay(stream, sink, call);
        })
        .onFailure(e -> {
          GatewayError error = Upstream.transportError(e);
          call.failed(error);
          sink.publish(CompletionFormat.errorEvent(error));
        });
  }

  /** One upstream call's measures: its metrics and its span, ended once. */
  private final class Call {

    private final String model;
    private final Cancellation everyoneLeft;
    private final ModelCallSpan span;
    private final long askedNanos = System.nanoTime();
    /** The model the upstream says answered (its first chunk's), once known. */
    private String respondingModel;
    private boolean ended;

    Call(String model, Cancellation everyoneLeft, ModelCallSpan span) {
      this.model = model;
      this.everyoneLeft = everyoneLeft;
      this.span = span;
    }

    void firstChunk() {
      meters.firstToken(model, System.nanoTime() - askedNanos);
      span.firstToken();
    }

    void answered(String finishReason, JsonObject usage) {
      if (ended) {
        return;
      }
      ended = true;
      meters.ended(model, System.nanoTime() - askedNanos, null);
      Optional<Usage> used = usage(usage);
      used.ifPresent(u -> meters.used(model, u));
      span.ended(null, used, Optional.ofNullable(finishReason));
    }

    void failed(GatewayError error) {
      if (ended) {
        return;
      }
      ended = true;
      if (!everyoneLeft.isCancelled()) {
        meters.ended(model, System.nanoTime() - askedNanos, error.kind());
      }
      span.ended(error, Optional.empty(), Optional.empty());
    }

    /** The usage chunk's counts, with the model that answered (the chunk's, else the one asked). */
    private Optional<Usage> usage(JsonObject usage) {
      if (usage == null || !(usage.getValue("prompt_tokens") instanceof Number in)
          || !(usage.getValue("completion_tokens") instanceof Number out)) {
        return Optional.empty();
      }
      return Optional.of(new Usage(respondingModel != null ? respondingModel : model, in.intValue(), out.intValue()));
    }
  }

  private void relay(UpstreamStream stream, AnswerSink sink, Call call) {
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
        call.respondingModel = chunk.getValue("model") instanceof String m ? m : null;
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
          GatewayError tooLong = GatewayError.upstream(502, "answer_too_long", "the upstream's answer passed the "
              + maxAnswerBytes + " bytes this edge holds of one answer (gateway.maxAnswerBytes)", null);
          call.failed(tooLong);
          sink.publish(CompletionFormat.errorEvent(tooLong));
          return;
        }
        sink.publish(new SseEvent(null, Events.DELTA, encoded));
      }
    }, () -> {
      call.answered(finishReason[0], usage[0]);
      sink.publish(CachedCompletion.done(finishReason[0], usage[0]));
    }, error -> {
      call.failed(error);
      sink.publish(CompletionFormat.errorEvent(error));
    }, sink::inBurst);
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
