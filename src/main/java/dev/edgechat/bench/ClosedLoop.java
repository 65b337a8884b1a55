package dev.edgechat.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One phase, closed loop: {@code concurrency} workers each send a request, wait for its end and
 * send the next, until {@code warmup + requests} have been sent; the first {@code warmup} are not
 * recorded. Everything runs on one context, so the counters need no locks.
 */
final class ClosedLoop {

  private static final Logger LOG = LoggerFactory.getLogger(ClosedLoop.class);
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Context context;
  private final String phase;
  private final MeasuredCall call;
  private final int warmup;
  private final int requests;
  private final int concurrency;
  private final Map<String, Histogram> micros = new LinkedHashMap<>();
  private final Map<String, Long> errorCauses = new TreeMap<>();

  private int issued;
  private long errors;
  private long measuredFromNanos;

  private ClosedLoop(Context context, String phase, MeasuredCall call, BenchOptions options) {
    this.context = Objects.requireNonNull(context);
    this.phase = Objects.requireNonNull(phase);
    this.call = Objects.requireNonNull(call);
    this.warmup = options.warmup();
    this.requests = options.requests();
    this.concurrency = options.concurrency();
    for (String milestone : call.milestones()) {
      micros.put(milestone, new Histogram(SIGNIFICANT_DIGITS));
    }
  }

  /**
   * Runs a phase; call it on {@code context}.
   *
   * @return succeeds once every request has ended, well or not; failed requests are counted, not
   *     failures of the phase
   */
  static Future<PhaseResult> run(Context context, String phase, MeasuredCall call, BenchOptions options) {
    return new ClosedLoop(context, phase, call, options).start();
  }

  /** Runs the phases one after the other, in the map's order; call it on {@code context}. */
  static Future<List<PhaseResult>> runInTurn(Context context, Map<String, MeasuredCall> phases,
      BenchOptions options) {
    Future<List<PhaseResult>> results = Future.succeededFuture(new ArrayList<>());
    for (Map.Entry<String, MeasuredCall> phase : phases.entrySet()) {
      results = results.compose(done -> run(context, phase.getKey(), phase.getValue(), options).map(result -> {
        done.add(result);
        return done;
      }));
    }
    return results;
  }

  private Future<PhaseResult> start() {
    LOG.info("phase started [phase: {}, warmup: {}, requests: {}, concurrency: {}]", phase, warmup, requests,
        concurrency);
    List<Future<Void>> workers = new ArrayList<>(concurrency);
    for (int i = 0; i < concurrency; i++) {
      Promise<Void> worker = Promise.promise();
      workers.add(worker.future());
      next(worker);
    }
    return Future.all(workers).map(v -> {
      PhaseResult result = new PhaseResult(phase, micros, requests, errors, errorCauses,
          System.nanoTime() - measuredFromNanos);
      LOG.info("phase finished [phase: {}, succeeded: {}, errors: {}, seconds: {}]", phase, result.succeeded(),
          errors, String.format(Locale.ROOT, "%.1f", result.elapsedNanos() / 1e9));
      return result;
    });
  }

  private void next(Promise<Void> worker) {
    if (issued == warmup + requests) {
      worker.complete();
      return;
    }
    int sequence = issued++;
    boolean measured = sequence >= warmup;
    if (sequence == warmup) {
      measuredFromNanos = System.nanoTime();
    }
    attempt(sequence).onComplete(outcome -> {
      if (measured) {
        record(sequence, outcome);
      }
      // The next request goes out from a fresh task, so a call that fails at once cannot recurse deeply.
      context.runOnContext(v -> next(worker));
    });
  }

  /** The call's future; a call that throws counts as a failed request rather than stalling its worker. */
  private Future<Marks> attempt(int sequence) {
    try {
      return call.send(sequence);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void record(int sequence, AsyncResult<Marks> outcome) {
    if (outcome.succeeded()) {
      outcome.result().elapsedNanos().forEach((milestone, nanos) -> {
        Histogram histogram = micros.get(milestone);
        if (histogram != null) {
          histogram.recordValue(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)));
        }
      });
      return;
    }
    errors++;
    Throwable cause = outcome.cause();
    String reason = cause instanceof RequestFailure ? cause.getMessage()
        : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    errorCauses.merge(reason, 1L, Long::sum);
    LOG.debug("request failed [phase: {}, request: {}, reason: {}]", phase, sequence + 1, reason);
  }
}
