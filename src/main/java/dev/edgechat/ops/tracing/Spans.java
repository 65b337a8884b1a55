package dev.edgechat.ops.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.tracing.opentelemetry.VertxContextStorageProvider.VertxContextStorage;
import java.util.List;
import java.util.function.Supplier;

/**
 * The one place that knows the application's span names and attributes (docs/observability.md,
 * Traces, has the tree). The HTTP server and client spans are vertx-opentelemetry's; these are the
 * steps between them. Each method starts a span that the caller ends; while tracing is off they
 * return the invalid span at once, allocating nothing, so the instrumented code has no branch of
 * its own.
 *
 * <p>The tracer is the one of the Vert.x whose thread calls (every role's Vert.x carries a
 * {@link TracerSwitch}); the parent is the span in force in the caller's Vert.x context (the request's
 * server span, or a step's span made current there), unless one is given.
 */
public final class Spans {

  /** An answer's cache outcome on the request's span: hit, semantic, miss, joined, … */
  public static final AttributeKey<String> CACHE_OUTCOME = AttributeKey.stringKey("edgechat.cache.outcome");
  /** The cache level that answered a lookup (l1, l2), or none. */
  public static final AttributeKey<String> CACHE_LEVEL = AttributeKey.stringKey("edgechat.cache.level");
  /** Candidates the meaning guard turned down in a semantic lookup. */
  public static final AttributeKey<Long> REJECTED = AttributeKey.longKey("edgechat.semantic.rejected");
  static final AttributeKey<String> MESSAGE_ROLE = AttributeKey.stringKey("edgechat.message.role");
  static final AttributeKey<String> SITE = AttributeKey.stringKey("edgechat.site");
  static final AttributeKey<Long> COUNT = AttributeKey.longKey("edgechat.count");

  // the OpenTelemetry GenAI semantic conventions (gen_ai.*)
  static final AttributeKey<String> GEN_AI_OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> GEN_AI_PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  /** The older name of gen_ai.provider.name, which many backends still read. */
  static final AttributeKey<String> GEN_AI_SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
  static final AttributeKey<Double> GEN_AI_REQUEST_TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
  static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
  static final AttributeKey<List<String>> GEN_AI_FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  static final AttributeKey<Long> GEN_AI_INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> GEN_AI_OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
  /** Seconds from asking to the first token: no span attribute of the conventions has it (their metric does). */
  static final AttributeKey<Double> TIME_TO_FIRST_TOKEN = AttributeKey.doubleKey("gen_ai.response.time_to_first_chunk");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private Spans() {
  }

  /** Edge: a lookup of the answer cache (exact match, L1 then L2); the caller sets {@link #CACHE_LEVEL}. */
  public static Span cacheLookup() {
    return start("cache.lookup", SpanKind.INTERNAL, null);
  }

  /** Edge: a lookup of the region's Redis (L2) within {@link #cacheLookup}. */
  public static Span cacheL2() {
    return start("cache.l2", SpanKind.INTERNAL, null);
  }

  /** Edge: the semantic lookup of a question (embedding, index, guard under it). */
  public static Span semanticLookup() {
    return start("cache.semantic", SpanKind.INTERNAL, null);
  }

  /** Edge: embedding the question, under {@code semantic}. */
  public static Span embedding(Span semantic) {
    return start("semantic.embed", SpanKind.INTERNAL, semantic);
  }

  /** Edge: the nearest cached questions in the site's index, under {@code semantic}. */
  public static Span index(Span semantic) {
    return start("semantic.index", SpanKind.INTERNAL, semantic);
  }

  /** Edge: the meaning guard on the candidates above the threshold, under {@code semantic}. */
  public static Span guard(Span semantic) {
    return start("semantic.guard", SpanKind.INTERNAL, semantic);
  }

  /** Edge: a question following an identical question's answer in flight, until it ends. */
  public static Span flightJoin() {
    return start("answer.join", SpanKind.INTERNAL, null);
  }

  /** Origin: retrieval of the passages for a question of {@code site}. */
  public static Span retrieval(String site) {
    Span span = start("retrieval", SpanKind.INTERNAL, null);
    span.setAttribute(SITE, site);
    return span;
  }

  /** Origin: the prompt made of the passages and turns. */
  public static Span prompt(int passages, int turns) {
    Span span = start("prompt", SpanKind.INTERNAL, null);
    span.setAttribute(COUNT, passages);
    span.setAttribute("edgechat.history_turns", turns);
    return span;
  }

  /**
   * Origin: a message saved in its conversation by the write-behind, from asked to written (the
   * question while the model is asked, then the answer); {@code role} is {@code user} or {@code assistant}.
   */
  public static Span writeBehind(Span parent, String role) {
    Span span = start("conversation.write", SpanKind.INTERNAL, parent);
    span.setAttribute(MESSAGE_ROLE, role);
    return span;
  }

  /** Origin: exchanges an edge served from its cache, saved in their conversations. */
  public static Span record(int exchanges) {
    Span span = start("conversation.record", SpanKind.INTERNAL, null);
    span.setAttribute(COUNT, exchanges);
    return span;
  }

  /** Names the request's server span for its route ({@code POST /v1/chat}); vertx-opentelemetry names it by method only. */
  public static void route(String route) {
    Span span = Span.current();
    if (span.isRecording()) {
      span.updateName(route);
      span.setAttribute("http.route", route.substring(route.indexOf(' ') + 1));
    }
  }

  /** Sets {@code key} on the span in force (the request's), when it is recorded. */
  public static void tag(AttributeKey<String> key, String value) {
    Span span = Span.current();
    if (span.isRecording()) {
      span.setAttribute(key, value);
    }
  }

  /** Makes {@code span} the one in force until the scope closes; nothing at all while tracing is off. */
  public static Scope inForce(Span span) {
    return span.getSpanContext().isValid() ? span.makeCurrent() : Scope.noop();
  }

  /** Ends {@code span} when {@code future} completes, marked as an error when it fails; returns {@code future}. */
  public static <T> Future<T> endWith(Span span, Future<T> future) {
    if (!span.getSpanContext().isValid()) {
      return future;
    }
    return future.onComplete(done -> {
      if (done.failed()) {
        failed(span, done.cause());
      }
      span.end();
    });
  }

  /** Marks {@code span} as failed by {@code failure} (not ended). */
  static void failed(Span span, Throwable failure) {
    span.setStatus(StatusCode.ERROR, String.valueOf(failure.getMessage()));
    span.setAttribute(ERROR_TYPE, failure.getClass().getSimpleName());
  }

  /**
   * Calls {@code call} with {@code span} in force in a Vert.x context of its own (a duplicate of the
   * caller's, on the same event loop), so the HTTP client calls it makes are its children and carry
   * its {@code traceparent}; its result completes on the caller's context. Calls it plainly when
   * tracing is off or outside Vert.x.
   */
  public static <T> Future<T> within(Span span, Supplier<Future<T>> call) {
    ContextInternal caller = ContextInternal.current();
    if (caller == null || !span.getSpanContext().isValid()) {
      return call.get();
    }
    ContextInternal own = caller.duplicate();
    VertxContextStorage.INSTANCE.attach(own, Context.current().with(span));
    Promise<T> result = caller.promise();
    own.dispatch(() -> {
      try {
        call.get().onComplete(result);
      } catch (RuntimeException e) {
        result.tryFail(e); // as the call's own failure: never a future that does not complete
      }
    });
    return result.future();
  }

  /** The tracer of the calling thread's Vert.x while tracing is on, else null. */
  static Tracer tracer() {
    ContextInternal context = ContextInternal.current();
    if (context == null || !(context.owner().tracer() instanceof TracerSwitch tracerSwitch)) {
      return null;
    }
    return tracerSwitch.tracer();
  }

  static Span start(String name, SpanKind kind, Span parent) {
    Tracer tracer = tracer();
    if (tracer == null) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name)
        .setSpanKind(kind)
        .setParent(parent == null ? Context.current() : Context.current().with(parent))
        .startSpan();
  }
}
