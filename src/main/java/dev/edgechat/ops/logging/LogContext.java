package dev.edgechat.ops.logging;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a log line says about the request it was logged for: role, region, trace and span, and
 * once known the site, conversation and message.
 *
 * <p>Design note. A Vert.x request runs on one event loop but in many callbacks, among other
 * requests' callbacks on the same thread, so SLF4J's MDC (a thread-local) would hand one request's
 * ids to another's lines. Vert.x gives each HTTP request a duplicated context that follows every
 * callback of that request (timers, client calls, {@code executeBlocking}); this is kept in that
 * context's local data, as Vert.x's own tracing does, and the encoder reads
 * {@code Vertx.currentContext()} on the logging thread ({@link JsonLines}). The local map (slot 0
 * of every context) is used rather than a {@code ContextLocal} of our own: a ContextLocal must be
 * registered before the first Vert.x instance is built, which tests and the bench do not
 * guarantee. Only a duplicated context is written: the event loop's base context is shared by all
 * its requests.
 *
 * <p>The trace: taken from the request's {@code traceparent} (an edge's visitor, or the edge for
 * origin), else a new one; this process's work for the request is a span of it
 * ({@link Traceparent#child()}), and its calls onward send that span ({@link #outgoingTraceparent()}).
 * Where OpenTelemetry runs, {@link #useTraces} makes its current trace and span win, so logs and
 * spans agree.
 */
public final class LogContext {

  /** This request's entry in its context's local data. */
  private static final Object KEY = LogContext.class;

  private static volatile String processRole;
  private static volatile String processRegion;
  private static volatile Supplier<Optional<String>> tracerTraceId = Optional::empty;
  private static volatile Supplier<Optional<String>> tracerSpanId = Optional::empty;

  private final String role;
  private final String region;
  private final Traceparent trace;
  private volatile String site;
  private volatile String conversation;
  private volatile String message;

  private LogContext(String role, String region, Traceparent trace) {
    this.role = role;
    this.region = region;
    this.trace = Objects.requireNonNull(trace);
  }

  /**
   * The role and region of this process's lines logged outside any request (start, stop, timers);
   * set once the settings are read. Role {@code all} says all: its requests name their server.
   */
  public static void process(String role, String region) {
    processRole = role;
    processRegion = region;
  }

  /**
   * Where a tracer runs (OpenTelemetry: {@code CurrentTrace::traceId}, {@code CurrentTrace::spanId}),
   * the ids of its current span, which win over this request's own when present.
   */
  public static void useTraces(Supplier<Optional<String>> traceId, Supplier<Optional<String>> spanId) {
    tracerTraceId = Objects.requireNonNull(traceId);
    tracerSpanId = Objects.requireNonNull(spanId);
  }

  /**
   * Begins a request's log context on {@code context} (the request's duplicated context): its trace
   * continues the {@code traceparent} received, or starts. Returns it; on a context that is not a
   * request's (not duplicated) it is returned but not kept.
   */
  public static LogContext begin(Context context, String role, String region, String traceparent) {
    Traceparent trace = Traceparent.parse(traceparent).map(Traceparent::child).orElseGet(Traceparent::start);
    LogContext log = new LogContext(role, region, trace);
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      local(internal).put(KEY, log);
    }
    return log;
  }

  /** The log context of the request whose callback runs now, if any. */
  public static Optional<LogContext> current() {
    Context context = Vertx.currentContext();
    if (context instanceof ContextInternal internal && internal.isDuplicate()) {
      return Optional.ofNullable((LogContext) local(internal).get(KEY));
    }
    return Optional.empty();
  }

  /**
   * Names the site, conversation and message of the current request, for its lines from here on
   * (a null leaves that field as it was). Nothing happens outside a request.
   */
  public static void describe(String site, String conversation, String message) {
    current().ifPresent(log -> {
      if (site != null) {
        log.site = site;
      }
      if (conversation != null) {
        log.conversation = conversation;
      }
      if (message != null) {
        log.message = message;
      }
    });
  }

  /**
   * The {@code traceparent} a call made now for the current request sends on (edge to origin):
   * this request's trace and span. Empty outside a request, and where a tracer's span is current:
   * the tracer then sends its own, naming its client span (a second header would contradict it).
   */
  public static Optional<String> outgoingTraceparent() {
    if (tracerSpanId.get().isPresent()) {
      return Optional.empty();
    }
    return current().map(log -> new Traceparent(log.traceId(), log.spanId(), log.trace.flags()).header());
  }

  /** The trace id of this request's lines: the tracer's current one, else the request's own. */
  public String traceId() {
    return tracerTraceId.get().orElse(trace.traceId());
  }

  /** The span id of this request's lines: the tracer's current span, else this process's span of the request. */
  public String spanId() {
    return tracerSpanId.get().orElse(trace.spanId());
  }

  /** The role whose server took the request, else this process's. */
  public String role() {
    return role != null ? role : processRole;
  }

  /** This process's region. */
  public String region() {
    return region != null ? region : processRegion;
  }

  public String site() {
    return site;
  }

  public String conversation() {
    return conversation;
  }

  public String message() {
    return message;
  }

  /** The tracer's current trace id, outside a request too (empty without a tracer or a span). */
  static Optional<String> tracerTraceId() {
    return tracerTraceId.get();
  }

  /** The tracer's current span id, outside a request too. */
  static Optional<String> tracerSpanId() {
    return tracerSpanId.get();
  }

  static String processRole() {
    return processRole;
  }

  static String processRegion() {
    return processRegion;
  }

  @SuppressWarnings("deprecation")
  private static java.util.concurrent.ConcurrentMap<Object, Object> local(ContextInternal context) {
    return context.localContextData();
  }
}
