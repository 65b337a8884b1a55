package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How soon an edge tries origin's change feed again after losing it. */
class ChangeFollowerTest {

  /** Verifies that the delay starts at 250 ms, doubles, stops at 5 s, and that jitter only shortens it by up to a fifth. */
  @Test
  void delayMs_doublesUpToFiveSeconds_jitterShortensByAFifthAtMost() {
    assertThat(ChangeFollower.delayMs(1, 0)).isEqualTo(250);
    assertThat(ChangeFollower.delayMs(2, 0)).isEqualTo(500);
    assertThat(ChangeFollower.delayMs(5, 0)).isEqualTo(4_000);
    assertThat(ChangeFollower.delayMs(6, 0)).isEqualTo(5_000);
    assertThat(ChangeFollower.delayMs(1_000, 0)).isEqualTo(5_000);
    assertThat(ChangeFollower.delayMs(1, 0.999_999)).isEqualTo(200);
    assertThat(ChangeFollower.delayMs(1_000, 0.5)).isEqualTo(4_500);
  }
}
