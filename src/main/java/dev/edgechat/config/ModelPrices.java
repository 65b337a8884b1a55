package dev.edgechat.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a model's tokens cost, in US dollars per million tokens, input (prompt) and output
 * (completion) apart: setting {@code llm.prices}, a list {@code model=input/output, …}, where the
 * model {@code *} prices every model not listed (unset: such a model's cost is unknown and counted
 * as 0). Used for estimated cost metrics and the admin usage report (docs/observability.md).
 *
 * <p>A string, not a YAML map: model names hold dots ({@code gpt-4.1}), which a setting's path
 * cannot, and one environment variable ({@code EDGECHAT_LLM_PRICES}) can then replace the table.
 */
public record ModelPrices(Map<String, Price> byModel) {

  /** USD per million input and output tokens. */
  public record Price(double inputPerMillion, double outputPerMillion) {

    /** The estimated cost in USD of {@code input} and {@code output} tokens. */
    public double cost(long input, long output) {
      return (input * inputPerMillion + output * outputPerMillion) / 1_000_000.0;
    }
  }

  /** No prices: every cost is 0. */
  public static final ModelPrices NONE = new ModelPrices(Map.of());

  private static final Pattern ENTRY = Pattern.compile(
      "\\s*([A-Za-z0-9*][A-Za-z0-9._:/@-]{0,199})\\s*=\\s*([0-9]+(?:\\.[0-9]+)?)\\s*/\\s*([0-9]+(?:\\.[0-9]+)?)\\s*");

  public ModelPrices {
    byModel = Map.copyOf(byModel);
  }

  /**
   * Reads {@code model=input/output, …}; an empty text is no prices.
   *
   * @throws IllegalArgumentException naming the entry that is malformed or listed twice
   */
  public static ModelPrices parse(String text) {
    Map<String, Price> prices = new LinkedHashMap<>();
    if (text.isBlank()) {
      return NONE;
    }
    for (String entry : text.split(",")) {
      Matcher m = ENTRY.matcher(entry);
      if (!m.matches()) {
        throw new IllegalArgumentException("entry '" + entry.trim() + "' is not model=input/output (USD per 1M tokens,"
            + " e.g. gpt-4o-mini=0.15/0.60)");
      }
      String model = m.group(1).toLowerCase(Locale.ROOT);
      if (prices.put(model, new Price(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)))) != null) {
        throw new IllegalArgumentException("model '" + model + "' is priced twice");
      }
    }
    return new ModelPrices(prices);
  }

  /**
   * The price of {@code model}: its own entry, else that of the longest listed name it starts with
   * followed by '-' (the upstream reports {@code gpt-4o-mini-2024-07-18} for {@code gpt-4o-mini}),
   * else the {@code *} entry; empty when none applies.
   */
  public Optional<Price> of(String model) {
    Objects.requireNonNull(model);
    String name = model.toLowerCase(Locale.ROOT);
    Price exact = byModel.get(name);
    if (exact != null) {
      return Optional.of(exact);
    }
    String best = null;
    for (String listed : byModel.keySet()) {
      if (name.startsWith(listed + "-") && (best == null || listed.length() > best.length())) {
        best = listed;
      }
    }
    return Optional.ofNullable(best != null ? byModel.get(best) : byModel.get("*"));
  }

  /** The estimated cost in USD of {@code input} and {@code output} tokens of {@code model}; 0 when unpriced. */
  public double cost(String model, long input, long output) {
    return of(model).map(p -> p.cost(input, output)).orElse(0.0);
  }
}
