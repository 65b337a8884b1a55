package dev.edgechat.sim;

import dev.edgechat.config.SimSettings;
import java.util.Random;

/**
 * The seeded dice that pick each chat call's fault. One draw per call splits {@code [0, 1)} into
 * shares {@code errorRate}, {@code stallRate}, {@code cutRate} and "no fault", so the n-th call
 * after a (re)seed always gets the same fault. When the settings bring a new seed, the dice start
 * over from it.
 */
final class FaultDice {

  private Random random;
  private long seed;

  FaultDice(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  synchronized Fault roll(SimSettings settings) {
    if (settings.seed() != seed) {
      seed = settings.seed();
      random = new Random(seed);
    }
    double draw = random.nextDouble();
    double bound = settings.errorRate();
    if (draw < bound) {
      return Fault.SERVER_ERROR;
    }
    bound += settings.stallRate();
    if (draw < bound) {
      return Fault.STALL;
    }
    bound += settings.cutRate();
    if (draw < bound) {
      return Fault.CUT;
    }
    return Fault.NONE;
  }
}
