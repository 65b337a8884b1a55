package dev.edgechat.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Retry delays: exponential, jitter within a fifth below, capped. */
class BackoffTest {

  /** Verifies that each retry's delay doubles, jitter takes at most a fifth off, so delays grow whatever the dice say. */
  @Test
  void delayMs_doublesWithJitterBelow() {
    assertThat(Backoff.delayMs(1, 100, 60_000, 0.0)).isEqualTo(100);
    assertThat(Backoff.delayMs(2, 100, 60_000, 0.0)).isEqualTo(200);
    assertThat(Backoff.delayMs(3, 100, 60_000, 0.0)).isEqualTo(400);
    assertThat(Backoff.delayMs(1, 100, 60_000, 0.999)).isBetween(80L, 81L);
    for (int tries = 1; tries < 10; tries++) {
      long mostNow = Backoff.delayMs(tries, 100, 1_000_000, 0.0);
      long leastNext = Backoff.delayMs(tries + 1, 100, 1_000_000, 0.999_999);
      assertThat(leastNext).as("least delay after %d failures exceeds the most after %d", tries + 1, tries)
          .isGreaterThan(mostNow);
    }
  }

  /** Verifies that delays stop growing at maxBackoffMs, also after very many failures. */
  @Test
  void delayMs_cappedAtMax() {
    assertThat(Backoff.delayMs(20, 1000, 300_000, 0.0)).isEqualTo(300_000);
    assertThat(Backoff.delayMs(1000, 1000, 300_000, 0.5)).isEqualTo(270_000);
  }
}
