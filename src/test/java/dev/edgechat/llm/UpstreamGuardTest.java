package dev.edgechat.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.ManualTime;
import dev.edgechat.web.Cancellation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The upstream discipline both the chat's model and the gateway use, with tries that fail as told
 * and time moved by hand: what is tried again, how long it waits, and what an open breaker says.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class UpstreamGuardTest {

  /** A try's failure: retryable or not, with the pause the upstream asked for. */
  static final class Failed extends RuntimeException {
    final boolean retryable;
    final long retryAfterMs;

    Failed(boolean retryable, long retryAfterMs) {
      super("failed", null, false, false);
      this.retryable = retryable;
      this.retryAfterMs = retryAfterMs;
    }
  }

  /** What the guard hands out while its breaker is open. */
  static final class Open extends RuntimeException {
    final long seconds;

    Open(long seconds) {
      super("open", null, false, false);
      this.seconds = seconds;
    }
  }

  static final class Left extends RuntimeException {
    Left() {
      super("left", null, false, false);
    }
  }

  private static final UpstreamGuard.Failures FAILURES = new UpstreamGuard.Failures() {
    @Override
    public boolean retryable(Throwable failure) {
      return failure instanceof Failed f && f.retryable;
    }

    @Override
    public long retryAfterMs(Throwable failure) {
      return failure instanceof Failed f ? f.retryAfterMs : 0;
    }

    @Override
    public Throwable breakerOpen(long retryAfterSeconds) {
      return new Open(retryAfterSeconds);
    }

    @Override
    public Throwable clientLeft() {
      return new Left();
    }
  };

  private final ManualTime time = new ManualTime();
  private final List<UpstreamGuard> guards = new ArrayList<>();

  @AfterEach
  void close() {
    guards.forEach(UpstreamGuard::close);
  }

  private UpstreamGuard guard(Vertx vertx, int retries, long maxRetryAfterMs, int breakerMaxFailures,
      long breakerResetMs) {
    UpstreamGuard guard = new UpstreamGuard(vertx, time, "test", "http://upstream.test/v1",
        new UpstreamGuard.Settings(retries, 100, maxRetryAfterMs, breakerMaxFailures, breakerResetMs), FAILURES,
        new SimpleMeterRegistry());
    guards.add(guard);
    return guard;
  }

  /** Tries that fail with {@code failures} in turn, then succeed with the number of the try; counts them. */
  private static Supplier<Future<Integer>> tries(AtomicInteger count, RuntimeException... failures) {
    return () -> {
      int n = count.getAndIncrement();
      return n < failures.length ? Future.failedFuture(failures[n]) : Future.succeededFuture(n + 1);
    };
  }

  /**
   * Lets the guard's breaker finish what it started: it completes each try on the caller's context,
   * a moment later. Time in the guard stands still meanwhile (it runs on {@link ManualTime}).
   */
  private static Future<Void> settle(Vertx vertx) {
    return vertx.timer(100).mapEmpty();
  }

  /**
   * Verifies that retryable failures are tried again after a backoff (and no sooner), up to the
   * bound, and the first success is the call's.
   */
  @Test
  void call_retryableFailures_triedAgainAfterBackoff(Vertx vertx, VertxTestContext ctx) {
    UpstreamGuard guard = guard(vertx, 3, 2000, 100, 60_000);
    AtomicInteger count = new AtomicInteger();
    Future<Integer> call = guard.call(tries(count, new Failed(true, 0), new Failed(true, 0)), new Cancellation());
    List<Long> delays = new ArrayList<>();
    settle(vertx).compose(v -> {
      delays.add(time.lastDelayMs());
      return time.advanceMs(49);
    }).compose(v -> settle(vertx)).compose(v -> {
      assertThat(count.get()).isEqualTo(1); // not before the backoff's shortest
      return time.advanceMs(51);
    }).compose(v -> settle(vertx)).compose(v -> {
      assertThat(count.get()).isEqualTo(2);
      delays.add(time.lastDelayMs());
      return time.advanceMs(200);
    }).compose(v -> call).onComplete(ctx.succeeding(n -> ctx.verify(() -> {
      assertThat(n).isEqualTo(3);
      assertThat(count.get()).isEqualTo(3);
      assertThat(delays.get(0)).isBetween(50L, 100L); // half to all of retryBackoffMs
      assertThat(delays.get(1)).isBetween(100L, 200L); // doubled
      ctx.completeNow();
    })));
  }

  /** Verifies that a refusal (not retryable) is passed on at once, and the bound on tries holds. */
  @Test
  void call_refusalOrTooManyFailures_passedOn(Vertx vertx, VertxTestContext ctx) {
    UpstreamGuard guard = guard(vertx, 1, 2000, 100, 60_000);
    AtomicInteger refusedTries = new AtomicInteger();
    Future<Integer> refused = guard.call(tries(refusedTries, new Failed(false, 0)), new Cancellation());
    AtomicInteger failingTries = new AtomicInteger();
    Future<Integer> failing = guard.call(tries(failingTries, new Failed(true, 0), new Failed(true, 0),
        new Failed(true, 0)), new Cancellation());
    settle(vertx).compose(v -> time.advanceMs(1_000)).compose(v -> settle(vertx))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(refused.failed()).isTrue();
          assertThat(refusedTries.get()).isEqualTo(1);
          assertThat(failing.failed()).isTrue();
          assertThat(failing.cause()).isInstanceOf(Failed.class);
          assertThat(failingTries.get()).isEqualTo(2); // the try and one retry
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that a 429 is tried again no sooner than its Retry-After when that is within
   * maxRetryAfterMs, and passed on at once when it is longer.
   */
  @Test
  void call_rateLimited_honoursRetryAfterWithinBound(Vertx vertx, VertxTestContext ctx) {
    UpstreamGuard guard = guard(vertx, 2, 2000, 100, 60_000);
    AtomicInteger shortTries = new AtomicInteger();
    Future<Integer> shortWait = guard.call(tries(shortTries, new Failed(true, 1000)), new Cancellation());
    AtomicInteger longTries = new AtomicInteger();
    Future<Integer> longWait = guard.call(tries(longTries, new Failed(true, 7000)), new Cancellation());
    settle(vertx).compose(v -> {
      assertThat(longWait.failed()).isTrue();
      assertThat(longTries.get()).isEqualTo(1);
      return time.advanceMs(999);
    }).compose(v -> settle(vertx)).compose(v -> {
      assertThat(shortTries.get()).isEqualTo(1);
      return time.advanceMs(1);
    }).compose(v -> shortWait).onComplete(ctx.succeeding(n -> ctx.verify(() -> {
      assertThat(n).isEqualTo(2);
      ctx.completeNow();
    })));
  }

  /** Verifies that a client leaving during the pause before a retry ends the call at once, with no more tries. */
  @Test
  void call_clientLeavesDuringBackoff_noMoreTries(Vertx vertx, VertxTestContext ctx) {
    UpstreamGuard guard = guard(vertx, 3, 2000, 100, 60_000);
    AtomicInteger count = new AtomicInteger();
    Cancellation cancelled = new Cancellation();
    Future<Integer> call = guard.call(tries(count, new Failed(true, 0), new Failed(true, 0)), cancelled);
    settle(vertx).compose(v -> {
      assertThat(time.pending()).isEqualTo(1); // the pause before the retry
      cancelled.cancel();
      assertThat(call.failed()).isTrue();
      assertThat(call.cause()).isInstanceOf(Left.class);
      return time.advanceMs(10_000);
    }).compose(v -> settle(vertx)).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(count.get()).isEqualTo(1);
      ctx.completeNow();
    })));
  }

  /**
   * Verifies issue 21 item 10: an open breaker refuses at once without trying, and its
   * Retry-After is the time it stays open yet (rounded up, at least 1 s), not always the whole
   * breakerResetMs.
   */
  @Test
  void breakerOpen_retryAfterIsRemainingOpenTime(Vertx vertx, VertxTestContext ctx) {
    UpstreamGuard guard = guard(vertx, 0, 2000, 2, 60_000);
    AtomicInteger count = new AtomicInteger();
    Supplier<Future<Integer>> failing = tries(count, new Failed(true, 0), new Failed(true, 0));
    List<Long> retryAfter = new ArrayList<>();
    guard.call(failing, new Cancellation()).recover(e -> guard.call(failing, new Cancellation()))
        .recover(e -> settle(vertx).map(0))
        .compose(v -> {
          assertThat(guard.breakerState()).isEqualTo(CircuitBreakerState.OPEN);
          return refusal(guard, failing, retryAfter);
        })
        .compose(v -> time.advanceMs(41_500))
        .compose(v -> refusal(guard, failing, retryAfter))
        .compose(v -> time.advanceMs(18_499))
        .compose(v -> refusal(guard, failing, retryAfter))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(retryAfter).containsExactly(60L, 19L, 1L);
          assertThat(count.get()).isEqualTo(2); // refused calls never reached the upstream
          ctx.completeNow();
        })));
  }

  /** Calls through an open breaker and notes the Retry-After it gave. */
  private static Future<Void> refusal(UpstreamGuard guard, Supplier<Future<Integer>> tries, List<Long> retryAfter) {
    return guard.call(tries, new Cancellation()).<Void>transform(result -> {
      retryAfter.add(result.failed() && result.cause() instanceof Open open ? open.seconds : -1L);
      return Future.succeededFuture();
    });
  }

  /**
   * Verifies that the breaker's state gauge reads 0 closed, 2 open, 1 half open and 0 again as the
   * breaker goes through them (its reset timer is the library's own, in real time: 300 ms here),
   * and that each change is counted by the state it went to.
   */
  @Test
  void breakerState_gaugeAndTransitionsFollowTheBreaker(Vertx vertx, VertxTestContext ctx) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    UpstreamGuard guard = new UpstreamGuard(vertx, time, "test", "http://upstream.test/v1",
        new UpstreamGuard.Settings(0, 100, 2000, 2, 300), FAILURES, registry);
    guards.add(guard);
    Supplier<Double> state = () -> registry.get("edgechat.upstream.breaker.state").tag("api", "test")
        .tag("upstream", "http://upstream.test/v1").gauge().value();
    List<Double> seen = new ArrayList<>();
    seen.add(state.get());
    AtomicInteger count = new AtomicInteger();
    Supplier<Future<Integer>> failing = tries(count, new Failed(true, 0), new Failed(true, 0));
    guard.call(failing, new Cancellation()).recover(e -> guard.call(failing, new Cancellation()))
        .recover(e -> settle(vertx).map(0))
        .compose(v -> {
          seen.add(state.get());
          return dev.edgechat.support.Await.until(vertx,
              () -> Future.succeededFuture(guard.breakerState() == CircuitBreakerState.HALF_OPEN), 5_000);
        })
        .compose(v -> {
          seen.add(state.get());
          return guard.call(failing, new Cancellation()); // the third try succeeds: closed again
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          seen.add(state.get());
          assertThat(seen).containsExactly(0.0, 2.0, 1.0, 0.0);
          for (String to : List.of("open", "half_open", "closed")) {
            assertThat(registry.get("edgechat.upstream.breaker.transitions").tag("to", to).counter().count())
                .as(to).isEqualTo(1);
          }
          ctx.completeNow();
        })));
  }
}
