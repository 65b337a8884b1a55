package dev.edgechat.answer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The answers an API of this edge is waiting for, by key: identical misses join one flight. Only
 * {@link AnswerEngine} uses it, so that a flight leaves the table only after its answer is stored.
 */
final class InFlightAnswers<K> {

  /** The flight to read, and whether the caller created it (and so must start it). */
  record Join(AnswerFlight flight, boolean created) {
  }

  private final ConcurrentHashMap<K, AnswerFlight> flights = new ConcurrentHashMap<>();
  private final Counter joins;

  /** @param api which API's requests these are ({@code chat}, {@code gateway}): the tag of the coalescing count */
  InFlightAnswers(MeterRegistry registry, String api) {
    this.joins = Counter.builder("edgechat.cache.coalesced").tag("api", api)
        .description("requests that joined an identical answer already in flight instead of asking origin")
        .register(registry);
  }

  /**
   * The flight of {@code key} if one is under way, else a new one from {@code create}, registered
   * until {@link #landed}. {@code create} must only construct the flight: the caller starts it
   * when {@link Join#created()} says so.
   */
  Join join(K key, Supplier<AnswerFlight> create) {
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
    return new Join(flight, created[0]);
  }

  /** Takes an ended flight off the table (the engine calls it after the answer is stored). */
  void landed(K key, AnswerFlight flight) {
    flights.remove(key, flight);
  }
}
