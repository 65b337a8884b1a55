package dev.edgechat.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One phase's visitors, open loop ({@link OpenLoop}): each arrival is a visit drawn from the
 * {@link QuestionCatalogue} (same seed, same visits in every phase); a visit with a follow-up asks
 * it in the same conversation once the first answer is done and the visitor has read it (a think time). Records, per series:
 * {@code ready}, {@code firstToken}, {@code done} over all good answers, the same split by the
 * answer's cache outcome ({@code done.hit}, {@code firstToken.miss} …), and {@code accepted} for
 * asynchronous requests. Follow-ups are timed from their own sending. Failed requests are counted
 * by cause and left out of every histogram. All on one context: no locks.
 */
final class VisitorLoad {

  /**
   * What a phase's visitors measured.
   *
   * @param followUpsUnderWay follow-ups still waiting (think time) or being answered when the phase
   *     ended: their visit is among the loop's unfinished ones, but their first answer was measured
   */
  record Measured(OpenLoop.Outcome loop, Map<String, Histogram> micros, long requests, long succeeded,
      Map<String, Long> errorCauses, Map<String, Long> cacheOutcomes, long followUpsUnderWay) {

    long errors() {
      return errorCauses.values().stream().mapToLong(Long::longValue).sum();
    }

    Latency latency(String series) {
      return Latency.of(micros.get(series));
    }
  }

  private final ChatVisit visit;
  private final QuestionCatalogue catalogue;
  private final boolean async;
  private final boolean followUps;
  private final Random random;
  private final Map<String, Histogram> micros = new LinkedHashMap<>();
  private final Map<String, Long> errorCauses = new TreeMap<>();
  private final Map<String, Long> cacheOutcomes = new TreeMap<>();
  private final long thinkMs;
  private long requests;
  private long succeeded;
  private long followUpsUnderWay;

  /**
   * @param followUps whether visits ask their follow-up questions (asynchronous visits never do)
   * @param thinkMs how long a visitor reads an answer before asking the follow-up
   */
  VisitorLoad(ChatVisit visit, QuestionCatalogue catalogue, boolean async, boolean followUps, long thinkMs,
      long seed) {
    this.thinkMs = thinkMs;
    this.visit = Objects.requireNonNull(visit);
    this.catalogue = Objects.requireNonNull(catalogue);
    this.async = async;
    this.followUps = followUps && !async;
    this.random = new Random(seed);
  }

  /** Runs {@code rate × seconds} visits and waits for them at most {@code drainMs} after the last. */
  Future<Measured> run(Context context, double rate, double seconds, long drainMs) {
    return OpenLoop.run(context, rate, seconds, drainMs, (sequence, dueNanos) -> visit(context, dueNanos))
        .map(outcome -> {
          // answers still under way are not recorded afterwards: the histograms are copied now
          Map<String, Histogram> copies = new LinkedHashMap<>();
          micros.forEach((series, histogram) -> copies.put(series, histogram.copy()));
          return new Measured(outcome, copies, requests, succeeded, Map.copyOf(errorCauses),
              Map.copyOf(cacheOutcomes), followUpsUnderWay);
        });
  }

  private Future<?> visit(Context context, long dueNanos) {
    QuestionCatalogue.Visit next = catalogue.next(random);
    return ask(next.site(), next.question(), null, Marks.sentAt(dueNanos)).compose(first -> {
      String conversation = first.notes().get(ChatVisit.CONVERSATION);
      if (next.followUp() == null || !followUps || conversation == null || conversation.isEmpty()) {
        return Future.succeededFuture();
      }
      followUpsUnderWay++;
      Promise<Void> read = Promise.promise();
      context.owner().setTimer(Math.max(1, thinkMs), t -> read.complete());
      return read.future()
          .compose(v -> ask(next.site(), next.followUp(), conversation, Marks.sentNow()))
          .andThen(r -> followUpsUnderWay--);
    });
  }

  private Future<Marks> ask(String site, String question, String conversation, Marks marks) {
    requests++;
    Future<Marks> answered;
    try {
      answered = visit.ask(site, question, conversation, async, marks);
    } catch (RuntimeException e) {
      answered = Future.failedFuture(e);
    }
    return answered.andThen(this::record);
  }

  private void record(AsyncResult<Marks> outcome) {
    if (outcome.failed()) {
      Throwable cause = outcome.cause();
      String reason = cause instanceof RequestFailure ? cause.getMessage()
          : cause.getClass().getSimpleName() + ": " + cause.getMessage();
      errorCauses.merge(reason, 1L, Long::sum);
      return;
    }
    succeeded++;
    Marks marks = outcome.result();
    String cache = marks.notes().get(ChatVisit.CACHE);
    if (cache != null) {
      cacheOutcomes.merge(cache, 1L, Long::sum);
    }
    marks.elapsedNanos().forEach((milestone, nanos) -> {
      long us = Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos));
      micros.computeIfAbsent(milestone, m -> new Histogram(3)).recordValue(us);
      if (cache != null && !cache.isEmpty()) {
        micros.computeIfAbsent(milestone + "." + cache, m -> new Histogram(3)).recordValue(us);
      }
    });
  }
}
