package dev.edgechat.ops.tracing;

import io.opentelemetry.api.trace.Tracer;
import io.vertx.core.Context;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingPolicy;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The tracer every role's Vert.x is built with, off until {@link #turnOn}: a Vert.x takes its
 * tracer when it is built, before the settings that say whether to trace are read (they are read
 * with that Vert.x). Off, each HTTP request and client call costs one read of a field and a call
 * that returns null, and nothing is allocated; on, it hands every call to vertx-opentelemetry's
 * tracer (server and client spans, W3C {@code traceparent} read and written) and {@link Spans}
 * starts the application's spans with {@link #tracer()}.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
public final class TracerSwitch implements VertxTracer<Object, Object> {

  private volatile VertxTracer delegate = VertxTracer.NOOP;
  private volatile Tracer tracer;

  /** Hands every call from now on to {@code vertxTracer}; {@code tracer} starts the application's spans. */
  void turnOn(VertxTracer<?, ?> vertxTracer, Tracer tracer) {
    this.tracer = Objects.requireNonNull(tracer);
    this.delegate = Objects.requireNonNull(vertxTracer);
  }

  /** Whether spans are made. */
  boolean on() {
    return tracer != null;
  }

  /** The tracer of the application's spans, or null while off. */
  Tracer tracer() {
    return tracer;
  }

  @Override
  public <R> Object receiveRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
      Iterable<Map.Entry<String, String>> headers, TagExtractor<R> tagExtractor) {
    return delegate.receiveRequest(context, kind, policy, request, operation, headers, tagExtractor);
  }

  @Override
  public <R> void sendResponse(Context context, R response, Object payload, Throwable failure,
      TagExtractor<R> tagExtractor) {
    if (payload != null) {
      delegate.sendResponse(context, response, payload, failure, tagExtractor);
    }
  }

  @Override
  public <R> Object sendRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
      BiConsumer<String, String> headers, TagExtractor<R> tagExtractor) {
    return delegate.sendRequest(context, kind, policy, request, operation, headers, tagExtractor);
  }

  @Override
  public <R> void receiveResponse(Context context, R response, Object payload, Throwable failure,
      TagExtractor<R> tagExtractor) {
    if (payload != null) {
      delegate.receiveResponse(context, response, payload, failure, tagExtractor);
    }
  }

  @Override
  public void close() {
    delegate.close();
  }
}
