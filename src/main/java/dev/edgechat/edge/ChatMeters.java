package dev.edgechat.edge;

import dev.edgechat.answer.AnswerEngine;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.ops.SiteTags;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The visitor chat's metrics at the edge: how long a visitor waited for {@code ready}, the first
 * token and {@code done}, by how the answer was found ({@code cache}: hit, semantic, miss, joined,
 * uncached …) and the edge's region; and what the caches saved per site, the upstream calls not
 * made and the tokens (and their estimated cost, priced by {@code llm.prices} for {@code llm.model})
 * a cached answer cost when it was made. The table of every metric is in docs/observability.md.
 *
 * <p>The meters are looked up once per label set and kept: building and registering them for each
 * request (Micrometer's builder, its tags and id) was a tenth of the bytes a cache hit allocated
 * (docs/benchmarks.md, issue 20). Their label sets are bounded (outcomes x region, {@link SiteTags}).
 */
final class ChatMeters {

  private final LiveConfig config;
  private final MeterRegistry registry;
  private final SiteTags sites;
  private final ConcurrentHashMap<TimerKey, Timer> timers = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Saved> savedBySite = new ConcurrentHashMap<>();

  private record TimerKey(String name, String cache, String region) {
  }

  /** The counters of what the caches spared one site label. */
  private record Saved(Counter calls, Counter input, Counter output, Counter cost) {
  }

  ChatMeters(LiveConfig config, MeterRegistry registry, SiteTags sites) {
    this.config = Objects.requireNonNull(config);
    this.registry = Objects.requireNonNull(registry);
    this.sites = Objects.requireNonNull(sites);
  }

  /**
   * One chat answered with {@code outcome}; the times are {@link System#nanoTime} readings: when
   * the request came, when {@code ready} was sent (0 for a JSON answer, which has none), the first
   * token (0 when there was none) and the end.
   */
  void answered(AnswerEngine.Outcome outcome, boolean ok, long started, long ready, long firstToken, long ended) {
    String cache = ok ? outcome.tag() : "error";
    if (ready > 0) {
      timer("edgechat.chat.ready", "time from a chat request to its ready event", cache)
          .record(ready - started, TimeUnit.NANOSECONDS);
    }
    if (firstToken > 0) {
      timer("edgechat.chat.first.token", "time from a chat request to the first token the visitor was sent", cache)
          .record(Math.max(0, firstToken - started), TimeUnit.NANOSECONDS);
    }
    timer("edgechat.chat.done", "time from a chat request to its done (or error) event", cache)
        .record(ended - started, TimeUnit.NANOSECONDS);
  }

  /**
   * A visitor of {@code site} was answered without asking origin's model for them: a cached
   * answer, or the answer of an identical question's call, whose making cost {@code input} and
   * {@code output} tokens (0 when unknown).
   */
  void saved(String site, long input, long output) {
    Saved saved = savedBySite.computeIfAbsent(sites.of(site), this::savedCounters);
    saved.calls().increment();
    saved.input().increment(input);
    saved.output().increment(output);
    saved.cost().increment(config.get().llm().prices().cost(config.get().llm().model(), input, output));
  }

  private Saved savedCounters(String label) {
    return new Saved(
        Counter.builder("edgechat.cache.saved.calls").description("model calls the answer cache and coalescing spared")
            .tag("site", label).register(registry),
        savedTokens(label, "input"),
        savedTokens(label, "output"),
        Counter.builder("edgechat.cache.saved.cost").baseUnit("usd")
            .description("estimated cost of the tokens the caches spared, priced by llm.prices for llm.model")
            .tag("site", label).register(registry));
  }

  private Counter savedTokens(String site, String type) {
    return Counter.builder("edgechat.cache.saved.tokens")
        .description("model tokens the caches spared: what the answers served cost when they were made")
        .tag("site", site).tag("type", type).register(registry);
  }

  private Timer timer(String name, String description, String cache) {
    return timers.computeIfAbsent(new TimerKey(name, cache, region()), key -> Timer.builder(key.name())
        .description(description).tag("cache", key.cache()).tag("region", key.region()).register(registry));
  }

  private String region() {
    String region = config.get().region();
    return region == null || region.isEmpty() ? "none" : region;
  }
}
