package dev.edgechat.ops.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ids the log lines read: those of the span in force in the Vert.x context, across its callbacks. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class CurrentTraceTest {

  /**
   * Verifies that the ids are the span's where it is in force, also in a callback of its context
   * run later on the event loop, and empty outside any span (as with tracing off).
   */
  @Test
  void ids_spanInForceInVertxContext_readInItsCallbacks(Vertx vertx, VertxTestContext ctx) {
    vertx.runOnContext(v -> {
      ctx.verify(() -> assertThat(CurrentTrace.traceId()).isEmpty());
      Span span = Span.wrap(SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7",
          TraceFlags.getSampled(), TraceState.getDefault()));
      Scope scope = span.makeCurrent(); // as vertx-opentelemetry does for a request, until its response
      vertx.setTimer(5, id -> ctx.verify(() -> {
        assertThat(CurrentTrace.traceId()).contains(span.getSpanContext().getTraceId());
        assertThat(CurrentTrace.spanId()).contains(span.getSpanContext().getSpanId());
        scope.close();
        assertThat(CurrentTrace.traceId()).isEmpty();
        assertThat(CurrentTrace.spanId()).isEmpty();
        ctx.completeNow();
      }));
    });
  }
}
