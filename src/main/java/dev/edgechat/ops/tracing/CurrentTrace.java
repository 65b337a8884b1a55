package dev.edgechat.ops.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Optional;

/**
 * The trace and span ids of the span in force where it is called, for the log lines (the JSON
 * logs' {@code trace_id} and {@code span_id}). On an event loop the span in force is kept in the
 * Vert.x context of the request (vertx-opentelemetry's context storage), not in a thread local such
 * as SLF4J's MDC: one event loop thread serves many requests in turn, so only the context knows which
 * one a line belongs to. Empty when tracing is off or outside a traced request. A request that was not
 * sampled has ids too, propagated from edge to origin like a sampled one's: its log lines join across
 * the processes by trace id though no backend holds the trace.
 */
public final class CurrentTrace {

  private CurrentTrace() {
  }

  /** The 32 hex digits of the trace in force, or empty. */
  public static Optional<String> traceId() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? Optional.of(span.getTraceId()) : Optional.empty();
  }

  /** The 16 hex digits of the span in force, or empty. */
  public static Optional<String> spanId() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? Optional.of(span.getSpanId()) : Optional.empty();
  }
}
