package dev.edgechat.bench;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * A latency series summed up in milliseconds (two decimals); NaN when it has no sample.
 *
 * @param count samples (successful requests)
 */
record Latency(long count, double meanMs, double p50Ms, double p90Ms, double p95Ms, double p99Ms, double maxMs) {

  static final Latency EMPTY = new Latency(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  /** From a histogram of microseconds. */
  static Latency of(Histogram micros) {
    if (micros == null || micros.getTotalCount() == 0) {
      return EMPTY;
    }
    return new Latency(micros.getTotalCount(), ms(micros.getMean()), ms(micros.getValueAtPercentile(50)),
        ms(micros.getValueAtPercentile(90)), ms(micros.getValueAtPercentile(95)),
        ms(micros.getValueAtPercentile(99)), ms(micros.getMaxValue()));
  }

  JsonObject toJson() {
    return new JsonObject().put("count", count).put("meanMs", number(meanMs)).put("p50Ms", number(p50Ms))
        .put("p90Ms", number(p90Ms)).put("p95Ms", number(p95Ms)).put("p99Ms", number(p99Ms))
        .put("maxMs", number(maxMs));
  }

  static double ms(double micros) {
    return round2(micros / 1000.0);
  }

  static double round2(double value) {
    return Math.round(value * 100.0) / 100.0;
  }

  static Double number(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) ? null : round2(value);
  }

  /** Milliseconds for a table: {@code 12,034} above 100 ms, {@code 12.34} below, {@code –} for none. */
  static String fmt(double ms) {
    if (Double.isNaN(ms)) {
      return "–";
    }
    return ms >= 100 ? String.format(Locale.ROOT, "%,.0f", ms) : String.format(Locale.ROOT, "%.2f", ms);
  }
}
