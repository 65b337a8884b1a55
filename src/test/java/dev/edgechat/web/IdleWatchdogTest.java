package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.ManualTime;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The stream watchdog on a manual clock: silence, activity, back-pressure and stop, without waiting. */
class IdleWatchdogTest {

  private final ManualTime time = new ManualTime();
  private final AtomicInteger fired = new AtomicInteger();

  /** Moves time on; off any Vert.x context, the due timers run at once, on this thread. */
  private void advanceMs(long ms) {
    assertThat(time.advanceMs(ms).succeeded()).isTrue();
  }

  /** Verifies that a silent stream fires once, at its timeout and not before. */
  @Test
  void silence_firesOnceAtTimeout() {
    new IdleWatchdog(time, 1000, fired::incrementAndGet);
    advanceMs(999);
    assertThat(fired.get()).isZero();
    advanceMs(1);
    assertThat(fired.get()).isEqualTo(1);
    advanceMs(10_000);
    assertThat(fired.get()).isEqualTo(1);
  }

  /** Verifies that data arriving starts the silence over. */
  @Test
  void touch_postponesFiring() {
    IdleWatchdog watchdog = new IdleWatchdog(time, 1000, fired::incrementAndGet);
    advanceMs(600);
    watchdog.touch();
    advanceMs(600);
    assertThat(fired.get()).isZero();
    advanceMs(400);
    assertThat(fired.get()).isEqualTo(1);
  }

  /** Verifies that silence while the reader paused the stream is excused for one more timeout, not forever. */
  @Test
  void paused_excusedForTwiceTheTimeout() {
    IdleWatchdog watchdog = new IdleWatchdog(time, 1000, fired::incrementAndGet);
    watchdog.paused();
    advanceMs(1999);
    assertThat(fired.get()).isZero();
    advanceMs(1);
    assertThat(fired.get()).isEqualTo(1);
  }

  /** Verifies that a stopped watchdog never fires and leaves no timer behind. */
  @Test
  void stop_neverFires() {
    IdleWatchdog watchdog = new IdleWatchdog(time, 1000, fired::incrementAndGet);
    watchdog.stop();
    advanceMs(5000);
    assertThat(fired.get()).isZero();
    assertThat(time.pending()).isZero();
  }
}
