package dev.edgechat.ops.tracing;

import dev.edgechat.llm.Usage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.vertx.core.Future;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One call of a model upstream as a client span {@code <operation> <model>} with the attributes of
 * the OpenTelemetry GenAI conventions: the operation, provider and model asked, the upstream's
 * address, the time to the first token (an event, and seconds as an attribute), and once the answer
 * ended the model that answered, the tokens in and out and why it stopped, or the failure's kind.
 * The visitor chat's model ({@link TracedChatModel}, at origin) and the gateway's upstream calls
 * (at the edge) both make theirs here.
 *
 * <p>Use it from the call's event loop. While tracing is off (or outside Vert.x) every method
 * returns at once: the span is OpenTelemetry's invalid one and nothing is recorded.
 */
public final class ModelCallSpan {

  private final Span span;
  private final long askedNanos;
  private boolean ended;
  private String errorType;
  private Function<Throwable, String> kinds;

  private ModelCallSpan(Span span) {
    this.span = span;
    this.askedNanos = System.nanoTime();
  }

  /**
   * Starts the span of a call asking {@code model}, as a child of the span in force.
   *
   * @param operation the {@code gen_ai.operation.name}: {@code chat}, {@code embeddings}
   * @param provider the {@code gen_ai.provider.name}: {@code openai} for any OpenAI-compatible API
   * @param server the upstream's base URL, or null when the model runs in process
   */
  public static ModelCallSpan start(String operation, String provider, String model, URI server) {
    ModelCallSpan call = new ModelCallSpan(Spans.start(operation + " " + model, SpanKind.CLIENT, null));
    if (!call.recording()) {
      return call;
    }
    call.span.setAttribute(Spans.GEN_AI_OPERATION, operation);
    call.span.setAttribute(Spans.GEN_AI_PROVIDER, provider);
    call.span.setAttribute(Spans.GEN_AI_SYSTEM, provider);
    call.span.setAttribute(Spans.GEN_AI_REQUEST_MODEL, model);
    if (server != null) {
      call.span.setAttribute("server.address", server.getHost());
      call.span.setAttribute("server.port", server.getPort() > 0 ? server.getPort()
          : "https".equals(server.getScheme()) ? 443 : 80);
    }
    return call;
  }

  /** Whether this span is recorded (tracing on and sampled): else every method does nothing. */
  public boolean recording() {
    return span.getSpanContext().isValid();
  }

  /** The limits the model was asked with. */
  public ModelCallSpan limits(long maxTokens, double temperature) {
    if (recording()) {
      span.setAttribute(Spans.GEN_AI_REQUEST_MAX_TOKENS, maxTokens);
      span.setAttribute(Spans.GEN_AI_REQUEST_TEMPERATURE, temperature);
    }
    return this;
  }

  /** How a failure reads as {@code error.type} (the caller's error code), in place of its class name. */
  public ModelCallSpan errorKinds(Function<Throwable, String> kinds) {
    this.kinds = kinds;
    return this;
  }

  /**
   * Asks the model with this span in force, so the HTTP calls {@code call} makes are its children
   * and carry its {@code traceparent}; a failure of the call ends the span as failed.
   */
  public <T> Future<T> ask(Supplier<Future<T>> call) {
    if (!recording()) {
      return call.get();
    }
    return Spans.within(span, call).onFailure(e -> ended(e, Optional.empty(), Optional.empty()));
  }

  /** The first token (or chunk) arrived. */
  public void firstToken() {
    if (recording() && !ended) {
      span.addEvent("gen_ai.first_token");
      span.setAttribute(Spans.TIME_TO_FIRST_TOKEN, (System.nanoTime() - askedNanos) / 1e9);
    }
  }

  /**
   * The call ended: answered when {@code failure} is null, with the usage and finish reason the
   * upstream reported (a reason of {@code stop} when it reported none); else failed. Once.
   */
  public void ended(Throwable failure, Optional<Usage> usage, Optional<String> finishReason) {
    if (!recording() || ended) {
      return;
    }
    ended = true;
    if (failure != null) {
      Spans.failed(span, failure);
    }
    if (errorType == null && failure != null && kinds != null) {
      errorType = kinds.apply(failure);
    }
    if (errorType != null) {
      span.setAttribute(Spans.ERROR_TYPE, errorType);
    }
    usage.ifPresent(u -> {
      if (u.model() != null) {
        span.setAttribute(Spans.GEN_AI_RESPONSE_MODEL, u.model());
      }
      span.setAttribute(Spans.GEN_AI_INPUT_TOKENS, u.promptTokens());
      span.setAttribute(Spans.GEN_AI_OUTPUT_TOKENS, u.completionTokens());
    });
    finishReason.or(() -> failure == null ? Optional.of("stop") : Optional.empty())
        .ifPresent(reason -> span.setAttribute(Spans.GEN_AI_FINISH_REASONS, List.of(reason)));
    span.end();
  }

  /**
   * The {@code error.type} the span ends with, in place of the failure's class: an API error code,
   * or {@code cancelled} when the client left. Call it before {@link #ended}.
   */
  public void errorType(String kind) {
    errorType = kind;
  }

  /** The client left before the answer ended: {@code error.type} {@code cancelled}, and the span ends. */
  public void cancelled() {
    if (recording() && !ended) {
      ended = true;
      span.setAttribute(Spans.ERROR_TYPE, "cancelled");
      span.end();
    }
  }
}
