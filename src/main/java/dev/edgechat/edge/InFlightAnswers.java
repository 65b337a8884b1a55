package dev.edgechat.edge;

import dev.edgechat.cache.AnswerKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The answers this edge is waiting for from origin, by question: identical misses join one flight. */
final class InFlightAnswers {

  /** The flight to read, and whether the caller created it (and so must start it). */
  record Seat(AnswerFlight flight, boolean created) {
  }

  private final ConcurrentHashMap<AnswerKey, AnswerFlight> flights = new ConcurrentHashMap<>();
  private final Counter joins;

  InFlightAnswers(MeterRegistry registry) {
    this.joins = Counter.builder("edgechat.cache.coalesced")
        .description("requests that joined an identical answer already in flight instead of asking origin")
        .register(registry);
  }

  /**
   * The flight of {@code key} if one is under way, else a new one from {@code create}, registered
   * until {@link #landed}. {@code create} must only construct the flight: the caller starts it
   * when {@link Seat#created()} says so.
   */
  Seat join(AnswerKey key, Supplier<AnswerFlight> create) {
    boolean[] created = {false};
    AnswerFlight flight = flights.compute(key, (k, existing) -> {
      if (existing != null && !existing.isEnded()) {
        return existing;
      }
      created[0] = true;
      return create.get();
    });
    if (!created[0]) {
      joins.increment();
    }
    return new Seat(flight, created[0]);
  }

  /**
   * Takes an ended flight off the table; its creator calls this after whatever else the end does
   * (caching the answer), so that a question arriving in between finds the answer cached.
   */
  void landed(AnswerKey key, AnswerFlight flight) {
    flights.remove(key, flight);
  }
}
