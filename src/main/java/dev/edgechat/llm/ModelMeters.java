package dev.edgechat.llm;

import dev.edgechat.config.LiveConfig;
import dev.edgechat.ops.ModelTags;
import dev.edgechat.ops.SiteTags;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Collection;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The metrics of the visitor chat's model calls at origin, named after the OpenTelemetry GenAI
 * semantic conventions where one fits ({@code gen_ai.server.time_to_first_token},
 * {@code gen_ai.client.operation.duration}, {@code gen_ai.client.token.usage}, with their
 * attributes {@code gen_ai.request.model}, {@code gen_ai.operation.name}, {@code gen_ai.token.type},
 * {@code error.type}), and edgechat's own for what the conventions lack: tokens and estimated cost
 * per site (priced by {@code llm.prices}), and upstream errors by kind. The table of every metric
 * is in docs/observability.md.
 *
 * <p>Two callers share it, told apart by the label {@code api}: the visitor chat at origin
 * ({@link #chat}: the model is {@code llm.model}, the operator's) and the gateway at the edge
 * ({@link #gateway}: the model is the one the caller's request names, so its label is bounded by
 * {@link ModelTags}: a model has its own label once an upstream answered it, else {@code other}).
 */
public final class ModelMeters {

  /** {@code error.type} of a call that did not fail: Prometheus wants one set of labels per metric. */
  static final String NO_ERROR = "none";

  private static final String OPERATION = "chat";

  private final String api;
  private final LiveConfig config;
  private final MeterRegistry registry;
  private final SiteTags sites;
  /** The bound on the gateway's model labels; null for the chat, whose model is configured. */
  private final ModelTags models;

  private ModelMeters(String api, LiveConfig config, MeterRegistry registry, SiteTags sites, ModelTags models) {
    this.api = Objects.requireNonNull(api);
    this.config = Objects.requireNonNull(config);
    this.registry = Objects.requireNonNull(registry);
    this.sites = sites;
    this.models = models;
  }

  /** The visitor chat's model calls at origin ({@code api="chat"}), with tokens and cost per site. */
  public static ModelMeters chat(LiveConfig config, MeterRegistry registry, SiteTags sites) {
    return new ModelMeters("chat", config, registry, Objects.requireNonNull(sites), null);
  }

  /**
   * The gateway's upstream calls at the edge ({@code api="gateway"}), whose models its callers
   * name: labelled through {@code models}. Its errors' counters start at 0 for each of its fixed
   * {@code kinds}, so that the first failure of a kind shows in a {@code rate} too.
   */
  public static ModelMeters gateway(LiveConfig config, MeterRegistry registry, ModelTags models,
      Collection<String> kinds) {
    ModelMeters meters = new ModelMeters("gateway", config, registry, null, Objects.requireNonNull(models));
    kinds.forEach(meters::errors);
    return meters;
  }

  /** The label of {@code model} once an upstream answered it. */
  private String answered(String model) {
    return models == null ? model : models.admit(model);
  }

  /** The label of {@code model}, which may not have been answered. */
  private String asked(String model) {
    return models == null ? model : models.of(model);
  }

  /** The model sent its first token {@code nanos} after it was asked (retries included). */
  public void firstToken(String model, long nanos) {
    Timer.builder("gen_ai.server.time_to_first_token")
        .description("time from asking the model to its first token, retries included")
        .tag("gen_ai.request.model", answered(model)).tag("gen_ai.operation.name", OPERATION).tag("api", api)
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A model call ended, {@code nanos} after it was asked: {@code errorType} is the error code it
   * failed with (API.md §5: {@code timeout}, {@code overloaded}, {@code upstream_unavailable} …) or
   * null when it answered.
   */
  public void ended(String model, long nanos, String errorType) {
    Timer.builder("gen_ai.client.operation.duration")
        .description("time of a model call from asking to its last token or failure")
        .tag("gen_ai.request.model", asked(model)).tag("gen_ai.operation.name", OPERATION).tag("api", api)
        .tag("error.type", errorType == null ? NO_ERROR : errorType)
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    if (errorType != null) {
      errors(errorType).increment();
    }
  }

  private Counter errors(String kind) {
    return Counter.builder("edgechat.upstream.errors")
        .description("model calls that failed, by the error code they failed with")
        .tag("api", api).tag("kind", kind).register(registry);
  }

  /**
   * What an answer for {@code site} from {@code model} (as asked; the upstream may report a dated
   * name) cost, as the model reported it. The chat's only ({@link #chat}): the gateway has no sites.
   */
  public void used(String site, String model, Usage usage) {
    String label = Objects.requireNonNull(sites, "per-site usage is the chat's").of(site);
    used(model, usage);
    siteTokens(label, model, "input").increment(usage.promptTokens());
    siteTokens(label, model, "output").increment(usage.completionTokens());
    Counter.builder("edgechat.llm.calls").description("model answers that reported their tokens")
        .tag("site", label).tag("model", model).register(registry).increment();
    Counter.builder("edgechat.llm.cost").baseUnit("usd")
        .description("estimated cost of the model's tokens, priced by llm.prices")
        .tag("site", label).tag("model", model).register(registry)
        .increment(config.get().llm().prices().cost(model, usage.promptTokens(), usage.completionTokens()));
  }

  /** The tokens of one answer from {@code model} (as asked), as the model reported them: no site, no cost. */
  public void used(String model, Usage usage) {
    tokens(model, "input", usage.promptTokens());
    tokens(model, "output", usage.completionTokens());
  }

  private void tokens(String model, String type, int count) {
    DistributionSummary.builder("gen_ai.client.token.usage")
        .description("tokens of one model call, input (prompt) or output (completion)")
        .tag("api", api).tag("gen_ai.request.model", asked(model)).tag("gen_ai.operation.name", OPERATION).tag("gen_ai.token.type", type)
        .register(registry).record(count);
  }

  private Counter siteTokens(String site, String model, String type) {
    return Counter.builder("edgechat.llm.tokens").description("model tokens spent, by site, model and type")
        .tag("site", site).tag("model", model).tag("type", type).register(registry);
  }
}
