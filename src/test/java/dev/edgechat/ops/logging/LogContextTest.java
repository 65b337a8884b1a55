package dev.edgechat.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A request's log context lives on its duplicated Vert.x context, not on the event loop's thread. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class LogContextTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";

  /**
   * Verifies that two requests' contexts on one event loop keep their own trace and ids across
   * callbacks (a timer), that the event loop's base context holds none, and that the call onward
   * sends the request's trace with this process's span.
   */
  @Test
  void current_twoRequestsOnOneEventLoop_eachItsOwn(Vertx vertx, VertxTestContext ctx) {
    ContextInternal base = (ContextInternal) vertx.getOrCreateContext();
    ContextInternal first = base.duplicate();
    ContextInternal second = base.duplicate();
    base.runOnContext(v -> {
      LogContext.begin(base, "edge", "fra", null);
      ctx.verify(() -> assertThat(LogContext.current()).as("not kept on the base context").isEmpty());
      first.runOnContext(w -> {
        LogContext log = LogContext.begin(first, "edge", "fra", "00-" + TRACE + "-00f067aa0ba902b7-01");
        LogContext.describe("demo", "c1", "m1");
        second.runOnContext(x -> {
          LogContext.begin(second, "origin", "sin", null);
          LogContext.describe("other", null, null);
          first.runOnContext(y -> vertx.setTimer(5, t -> ctx.verify(() -> {
            LogContext current = LogContext.current().orElseThrow();
            assertThat(current).isSameAs(log);
            assertThat(current.traceId()).isEqualTo(TRACE);
            assertThat(current.spanId()).isNotEqualTo("00f067aa0ba902b7").matches("[0-9a-f]{16}");
            assertThat(current.role()).isEqualTo("edge");
            assertThat(current.region()).isEqualTo("fra");
            assertThat(current.site()).isEqualTo("demo");
            assertThat(current.conversation()).isEqualTo("c1");
            assertThat(current.message()).isEqualTo("m1");
            assertThat(LogContext.outgoingTraceparent()).contains("00-" + TRACE + "-" + current.spanId() + "-01");
            ctx.completeNow();
          })));
        });
      });
    });
  }
}
