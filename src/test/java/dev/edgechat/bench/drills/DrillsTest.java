package dev.edgechat.bench.drills;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.topology.ServiceBinaries;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The short drills (issue 17), as CI runs them: every drill of {@code bench drills} on a topology of
 * real processes (Debian's Postgres 15 and Redis; skipped without them), one test per drill, each
 * failing with the drill's breaches of its contract: no 5xx, hang, crash or lost data where the
 * contract (docs/reliability.md) allows none; the fuzz's 4xx all in the API's JSON shape and a
 * normal chat answered after it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 45, unit = TimeUnit.MINUTES)
class DrillsTest {

  private static final Map<String, DrillRun.Outcome> OUTCOMES = new LinkedHashMap<>();

  @BeforeAll
  static void runShortDrills() {
    Optional<String> missing = ServiceBinaries.missing();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped, no topology on this machine: " + missing.orElse(""));
    List<DrillRun.Outcome> outcomes = DrillRun.run(DrillPlan.brief(), Set.of(), Optional.empty(), Map.of(), row -> { });
    outcomes.forEach(o -> OUTCOMES.put(o.name(), o));
    System.out.println(DrillRun.table(outcomes));
  }

  static Stream<String> drills() {
    return DrillRun.DRILLS.stream();
  }

  /** Verifies that drill {@code name} ran and kept its contract: its breaches, if any, are the failure. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("drills")
  void drill_shortRun_keepsItsContract(String name) {
    DrillRun.Outcome outcome = OUTCOMES.get(name);
    assertThat(outcome).as("drill %s ran", name).isNotNull();
    assertThat(outcome.sent()).as("drill %s sent something", name).isPositive();
    assertThat(outcome.breaches()).as("breaches of drill %s", name).isEmpty();
  }

  /** Verifies that the fuzz of the short run sent its 1,500 requests and found no 5xx and no hang. */
  @Test
  void fuzz_shortRun_everyRequestAnsweredWithoutServerError() {
    DrillRun.Outcome fuzz = OUTCOMES.get("fuzz");
    assertThat(fuzz).isNotNull();
    assertThat(fuzz.sent()).isEqualTo(DrillPlan.brief().fuzzRequests());
    assertThat(fuzz.serverErrors()).as("5xx").isZero();
    assertThat(fuzz.hangs()).as("hangs").isZero();
  }

  /** Verifies that the full run fuzzes with at least 10,000 requests, as issue 17's done-when asks. */
  @Test
  void fullPlan_fuzz_atLeastTenThousandRequests() {
    assertThat(DrillPlan.full().fuzzRequests()).isGreaterThanOrEqualTo(10_000);
  }
}
