package dev.edgechat.embedding;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;

/** Meters for components given no registry: a composite of none records nothing. */
final class Meters {

  private Meters() {
  }

  static MeterRegistry none() {
    return new CompositeMeterRegistry();
  }
}
