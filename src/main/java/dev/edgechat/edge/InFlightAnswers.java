package dev.edgechat.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The answers this edge is waiting for, by key: identical misses join one flight. The chat API
 * keys them by question ({@code AnswerKey}), the gateway by normalized request.
 */
public final class InFlightAnswers<K> {

  /** The flight to read, and whether the caller created it (and so must start it). */
  public record Seat(AnswerFlight flight, boolean created) {
  }

  private final ConcurrentHashMap<K, AnswerFlight> flights = new ConcurrentHashMap<>();
  private final Counter joins;

  /** @param api which API's requests these are ({@code chat}, {@code gateway}): the tag of the coalescing count */
  public InFlightAnswers(MeterRegistry registry, String api) {
    this.joins = Counter.builder("edgechat.cache.coalesced").tag("api", api)
        .description("requests that joined an identical answer already in flight instead of asking origin")
        .register(registry);
  }

  /**
   * The flight of {@code key} if one is under way, else a new one from {@code create}, registered
   * until {@link #landed}. {@code create} must only construct the flight: the caller starts it
   * when {@link Seat#created()} says so.
   */
  public Seat join(K key, Supplier<AnswerFlight> create) {
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
  public void landed(K key, AnswerFlight flight) {
    flights.remove(key, flight);
  }
}
