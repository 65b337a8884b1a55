package dev.edgechat.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * What one phase of a benchmark measured. Only successful requests are in the histograms, so
 * every series of a phase is over the same requests.
 *
 * @param name the phase, e.g. {@code edge}; a series is named {@code <phase>.<milestone>}
 * @param micros milestone to histogram of microseconds after sending, in milestone order
 * @param requests measured requests sent (warm-up not included)
 * @param errors measured requests that failed
 * @param errorCauses short failure reason to how many requests failed for it
 * @param elapsedNanos from sending the first measured request to the end of the last one
 */
public record PhaseResult(String name, Map<String, Histogram> micros, long requests, long errors,
    Map<String, Long> errorCauses, long elapsedNanos) {

  public PhaseResult {
    Objects.requireNonNull(name, "name");
    micros = Collections.unmodifiableMap(new LinkedHashMap<>(micros));
    errorCauses = Collections.unmodifiableMap(new TreeMap<>(errorCauses));
  }

  public long succeeded() {
    return requests - errors;
  }

  /** Successful requests per second over the measured span. */
  public double throughputPerSecond() {
    return elapsedNanos > 0 ? succeeded() * 1e9 / elapsedNanos : 0;
  }
}
