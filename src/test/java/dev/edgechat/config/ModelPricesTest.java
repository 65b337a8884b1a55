package dev.edgechat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The price table of llm.prices: parsing, which entry prices a model, and a bad table refused at start. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class ModelPricesTest {

  /** Verifies the cost of tokens of a listed model, a dated name of it, an unlisted one with and without '*'. */
  @Test
  void cost_listedDatedUnlistedAndWildcard() {
    ModelPrices prices = ModelPrices.parse("gpt-4o-mini=0.15/0.60, gpt-4o=2.50/10.00");
    assertThat(prices.cost("gpt-4o-mini", 1_000_000, 1_000_000)).isCloseTo(0.75, within(1e-12));
    assertThat(prices.cost("gpt-4o-mini-2024-07-18", 2_000_000, 0)).isCloseTo(0.30, within(1e-12));
    assertThat(prices.cost("gpt-4o-2024-08-06", 0, 100_000)).isCloseTo(1.0, within(1e-12));
    assertThat(prices.cost("llama-3", 1_000_000, 1_000_000)).isZero();
    assertThat(ModelPrices.parse("*=1/2").cost("llama-3", 1_000_000, 1_000_000)).isCloseTo(3.0, within(1e-12));
    assertThat(ModelPrices.parse("  ").byModel()).isEmpty();
  }

  /** Verifies that a malformed entry or a model priced twice is refused naming it. */
  @Test
  void parse_malformedOrTwice_refusedNamingTheEntry() {
    assertThatThrownBy(() -> ModelPrices.parse("gpt-4o-mini=0.15")).hasMessageContaining("gpt-4o-mini=0.15");
    assertThatThrownBy(() -> ModelPrices.parse("gpt-4o=1/2, GPT-4o=3/4")).hasMessageContaining("priced twice");
    assertThatThrownBy(() -> ModelPrices.parse("a=-1/2")).hasMessageContaining("a=-1/2");
  }

  /** Verifies the default table prices gpt-4o-mini, and a bad EDGECHAT_LLM_PRICES stops the start naming llm.prices. */
  @Test
  void load_defaultAndBadPrices(Vertx vertx, VertxTestContext ctx) throws IOException {
    var dir = Files.createTempDirectory("edgechat-prices");
    Future<LiveConfig> good = new ConfigLoader(vertx, dir, Map.of()).load();
    Future<LiveConfig> bad = new ConfigLoader(vertx, dir, Map.of("EDGECHAT_LLM_PRICES", "gpt-4o=cheap")).load();
    Future.join(good, bad).onComplete(v -> ctx.verify(() -> {
      assertThat(good.result().get().llm().prices().cost("gpt-4o-mini", 1_000_000, 0)).isCloseTo(0.15, within(1e-12));
      assertThat(bad.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("llm.prices")
          .hasMessageContaining("EDGECHAT_LLM_PRICES").hasMessageContaining("gpt-4o=cheap");
      ctx.completeNow();
    }));
  }
}
