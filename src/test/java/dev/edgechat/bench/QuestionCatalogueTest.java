package dev.edgechat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QuestionCatalogueTest {

  private static final List<String> SITES = List.of("help", "shop", "bank");

  /** Verifies that the same seed gives the same catalogue and the same visits. */
  @Test
  void next_sameSeedSameVisits() {
    QuestionCatalogue one = new QuestionCatalogue(SITES, 40, 1.0, 0.2, 7);
    QuestionCatalogue two = new QuestionCatalogue(SITES, 40, 1.0, 0.2, 7);
    Random a = new Random(3);
    Random b = new Random(3);

    List<QuestionCatalogue.Visit> first = IntStream.range(0, 500).mapToObj(i -> one.next(a)).toList();
    List<QuestionCatalogue.Visit> second = IntStream.range(0, 500).mapToObj(i -> two.next(b)).toList();

    assertThat(first).isEqualTo(second);
  }

  /** Verifies that popularity follows the Zipf law: the top intent is asked far more often than the tenth. */
  @Test
  void next_topRanksAreAskedMost() {
    QuestionCatalogue catalogue = new QuestionCatalogue(SITES, 40, 1.0, 0.0, 42);
    Random random = new Random(1);
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      counts.merge(catalogue.next(random).intent(), 1, Integer::sum);
    }

    // 1/r: rank 1 about ten times rank 10 (intent ids are ranks from 0)
    assertThat(counts.get(0)).isGreaterThan(6 * counts.get(9));
    assertThat(counts.get(0)).isGreaterThan(counts.get(1));
    assertThat(counts).hasSizeGreaterThan(100);
  }

  /** Verifies that every site has its intents, each in four wordings, and follow-ups come at about their share. */
  @Test
  void intents_fourWordingsPerIntentAndFollowUpShare() {
    QuestionCatalogue catalogue = new QuestionCatalogue(SITES, 10, 1.0, 0.25, 42);
    Random random = new Random(2);
    long followUps = IntStream.range(0, 4000).mapToObj(i -> catalogue.next(random))
        .filter(v -> v.followUp() != null).count();

    assertThat(catalogue.intents("shop")).hasSize(10).allSatisfy(w -> assertThat(w).hasSize(4));
    assertThat(followUps).isBetween(850L, 1150L);
  }
}
