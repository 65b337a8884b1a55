package dev.edgechat.ops;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Gives every latency a histogram with buckets, so that Prometheus can read averages and
 * percentiles ({@code histogram_quantile}) and sum them over processes and regions, which a
 * summary without quantiles (Micrometer's default for a timer) cannot.
 *
 * <p>Every timer (Vert.x's HTTP and pool timers included: they register in the same registry)
 * gets the same fixed buckets from 1 ms to 30 s ({@link #LATENCY_BUCKETS_MS}), chosen around the
 * plan's targets (300 ms average, 800 ms p95) and the model's first-token timeout; distribution
 * summaries named in {@link #COUNT_SUMMARIES} (batch sizes) get count buckets, and the token
 * usage summary token buckets. A meter that asks for its own histogram
 * ({@code publishPercentileHistogram}) keeps its own buckets as well.
 *
 * <p>Design note: Micrometer's {@code MeterFilter#configure} is the library's way to set
 * distribution statistics for meters others register (Vert.x's); fixed buckets, not
 * {@code publishPercentileHistogram} everywhere, keep each timer to 22 series per label set.
 */
public final class LatencyBuckets implements MeterFilter {

  /** Bucket bounds of every latency, in ms. */
  static final long[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 25, 50, 100, 200, 300, 500, 800, 1_000, 1_500, 2_000, 3_000,
      5_000, 8_000, 10_000, 15_000, 20_000, 30_000};

  /** Distribution summaries that count things in a batch. */
  static final Set<String> COUNT_SUMMARIES = Set.of("edgechat.embedding.batch.size", "edgechat.writes.batch.size");

  private static final double[] COUNT_BUCKETS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000};

  private static final double[] TOKEN_BUCKETS = {16, 64, 256, 1_024, 4_096, 16_384, 65_536, 262_144};

  /** The registries given their buckets already: a second call for one of them does nothing. */
  private static final Set<MeterRegistry> APPLIED = Collections.synchronizedSet(
      Collections.newSetFromMap(new WeakHashMap<>()));

  private LatencyBuckets() {
  }

  /**
   * Adds the buckets to {@code registry} once; call it before any meter is registered there (Vert.x
   * registers its own from its start), since a filter reaches only meters registered after it.
   */
  public static void applyTo(MeterRegistry registry) {
    if (APPLIED.add(registry)) {
      registry.config().meterFilter(new LatencyBuckets());
    }
  }

  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    if (id.getType() == Meter.Type.TIMER || id.getType() == Meter.Type.LONG_TASK_TIMER) {
      double[] nanos = new double[LATENCY_BUCKETS_MS.length];
      for (int i = 0; i < nanos.length; i++) {
        nanos[i] = Duration.ofMillis(LATENCY_BUCKETS_MS[i]).toNanos();
      }
      return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
    }
    if (id.getType() == Meter.Type.DISTRIBUTION_SUMMARY && COUNT_SUMMARIES.contains(id.getName())) {
      return DistributionStatisticConfig.builder().serviceLevelObjectives(COUNT_BUCKETS).build().merge(config);
    }
    if (id.getType() == Meter.Type.DISTRIBUTION_SUMMARY && id.getName().equals("gen_ai.client.token.usage")) {
      return DistributionStatisticConfig.builder().serviceLevelObjectives(TOKEN_BUCKETS).build().merge(config);
    }
    return config;
  }
}
