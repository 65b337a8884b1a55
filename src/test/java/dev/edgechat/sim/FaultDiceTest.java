package dev.edgechat.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.SimSettings;
import io.vertx.junit5.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class FaultDiceTest {

  private static SimSettings rates(double error, double stall, double cut, long seed) {
    return SimSettings.builder().firstTokenMs(0).tokensPerSecond(100).answerTokens(10).embeddingLatencyMs(0)
        .embeddingDimensions(8).errorRate(error).stallRate(stall).cutRate(cut).seed(seed).answerSpread(0).build();
  }

  private static List<Fault> rolls(FaultDice dice, SimSettings settings, int count) {
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      faults.add(dice.roll(settings));
    }
    return faults;
  }

  /** Verifies that the same seed gives the same faults in the same order. */
  @Test
  void roll_sameSeed_sameSequence() {
    SimSettings settings = rates(0.2, 0.2, 0.2, 42);
    assertThat(rolls(new FaultDice(42), settings, 200)).isEqualTo(rolls(new FaultDice(42), settings, 200));
  }

  /** Verifies that each fault shows up in about its share of calls. */
  @Test
  void roll_manyCalls_matchShares() {
    List<Fault> faults = rolls(new FaultDice(1), rates(0.1, 0.2, 0.3, 1), 10_000);
    assertThat(faults.stream().filter(f -> f == Fault.SERVER_ERROR).count()).isBetween(800L, 1200L);
    assertThat(faults.stream().filter(f -> f == Fault.STALL).count()).isBetween(1700L, 2300L);
    assertThat(faults.stream().filter(f -> f == Fault.CUT).count()).isBetween(2700L, 3300L);
    assertThat(faults).doesNotContain(Fault.RATE_LIMITED);
  }

  /** Verifies that zero rates never fault. */
  @Test
  void roll_zeroRates_neverFaults() {
    assertThat(rolls(new FaultDice(3), rates(0, 0, 0, 3), 1000)).containsOnly(Fault.NONE);
  }

  /** Verifies that a new seed in the settings restarts the dice from it. */
  @Test
  void roll_newSeed_restartsFromIt() {
    FaultDice dice = new FaultDice(1);
    rolls(dice, rates(0.5, 0, 0, 1), 17);
    SimSettings reseeded = rates(0.5, 0, 0, 99);
    assertThat(rolls(dice, reseeded, 100)).isEqualTo(rolls(new FaultDice(99), reseeded, 100));
  }

  /** Verifies the header values, in any case. */
  @Test
  void fromHeader_knownValues() {
    assertThat(Fault.fromHeader("500")).isEqualTo(Fault.SERVER_ERROR);
    assertThat(Fault.fromHeader("429")).isEqualTo(Fault.RATE_LIMITED);
    assertThat(Fault.fromHeader(" Stall ")).isEqualTo(Fault.STALL);
    assertThat(Fault.fromHeader("CUT")).isEqualTo(Fault.CUT);
    assertThat(Fault.fromHeader("none")).isEqualTo(Fault.NONE);
  }
}
