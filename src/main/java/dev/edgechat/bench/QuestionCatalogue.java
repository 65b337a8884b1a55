package dev.edgechat.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * What visitors ask in the {@code plan} scenario, generated deterministically from a seed:
 * {@code sites} sites, each with {@code intentsPerSite} intents ("reset the password", "track an
 * order" …), each intent worded in {@value #PARAPHRASES} ways. A visit picks an intent by a Zipf
 * law over all intents of all sites (rank {@code r} has weight {@code 1 / r^exponent}: a few
 * questions are asked very often, most rarely, as on a real help widget), then one of its wordings
 * (the first is the most common: weights 4, 3, 2, 1), and with probability {@code followUpShare}
 * a follow-up question asked in the same conversation once the first is answered.
 *
 * <p>The same seed gives the same catalogue and the same sequence of visits, so two phases of a
 * run, and two runs, ask the same questions in the same order.
 */
final class QuestionCatalogue {

  static final int PARAPHRASES = 4;
  private static final int[] PARAPHRASE_WEIGHTS = {4, 3, 2, 1};
  private static final String[] ACTIONS = {"reset", "change", "cancel", "track", "return", "update", "delete",
      "renew", "pay", "upgrade", "transfer", "export", "share", "verify", "replace", "activate", "book", "refund"};
  private static final String[] THINGS = {"my password", "my order", "my subscription", "a gift card",
      "my delivery address", "my account", "an invoice", "my plan", "my booking", "my card", "a parcel",
      "my email address", "my membership", "my warranty", "a voucher", "my profile", "my device", "my ticket"};
  private static final String[] FOLLOW_UPS = {"How long does that take?", "Is there a fee for that?",
      "Can I do that on my phone?", "What if it does not work?", "Do I need to log in for that?"};

  /** One question of a visit; {@code followUp} is null for a visit of one question. */
  record Visit(String site, int intent, String question, String followUp) {
  }

  private final List<String> sites;
  private final List<List<List<String>>> wordings;
  private final double[] cumulative;
  private final double followUpShare;

  /**
   * @param sites ids of the sites asked (they must exist at the edge)
   * @param intentsPerSite intents per site, at most {@code ACTIONS × THINGS}
   * @param exponent the Zipf law's exponent (1.0 is the classic law)
   * @param followUpShare share of visits with a second question, 0..1
   */
  QuestionCatalogue(List<String> sites, int intentsPerSite, double exponent, double followUpShare, long seed) {
    if (sites.isEmpty() || intentsPerSite < 1 || intentsPerSite > ACTIONS.length * THINGS.length) {
      throw new IllegalArgumentException("need at least one site and 1.." + ACTIONS.length * THINGS.length
          + " intents per site");
    }
    if (followUpShare < 0 || followUpShare > 1) {
      throw new IllegalArgumentException("followUpShare must be from 0 to 1, was " + followUpShare);
    }
    this.sites = List.copyOf(sites);
    this.followUpShare = followUpShare;
    Random random = new Random(seed);
    List<List<List<String>>> all = new ArrayList<>();
    for (int s = 0; s < sites.size(); s++) {
      List<Integer> pairs = new ArrayList<>();
      for (int i = 0; i < ACTIONS.length * THINGS.length; i++) {
        pairs.add(i);
      }
      Collections.shuffle(pairs, random);
      List<List<String>> intents = new ArrayList<>();
      for (int i = 0; i < intentsPerSite; i++) {
        intents.add(wordings(ACTIONS[pairs.get(i) / THINGS.length], THINGS[pairs.get(i) % THINGS.length]));
      }
      all.add(intents);
    }
    this.wordings = all;
    int total = sites.size() * intentsPerSite;
    cumulative = new double[total];
    double sum = 0;
    for (int rank = 1; rank <= total; rank++) {
      sum += 1.0 / Math.pow(rank, exponent);
      cumulative[rank - 1] = sum;
    }
    for (int i = 0; i < total; i++) {
      cumulative[i] /= sum;
    }
  }

  private static List<String> wordings(String action, String thing) {
    return List.of(
        "How do I " + action + " " + thing + "?",
        "How can I " + action + " " + thing + "?",
        "What is the way to " + action + " " + thing + "?",
        "I want to " + action + " " + thing + ", how does that work?");
  }

  /** The next visit, drawn with {@code random}. */
  Visit next(Random random) {
    int found = Arrays.binarySearch(cumulative, random.nextDouble());
    int rank = Math.min(found >= 0 ? found : -found - 1, cumulative.length - 1);
    // ranks alternate between sites, so every site has popular and rare questions
    int site = rank % sites.size();
    int intent = rank / sites.size();
    int pick = random.nextInt(10);
    int paraphrase = 0;
    while (pick >= PARAPHRASE_WEIGHTS[paraphrase]) {
      pick -= PARAPHRASE_WEIGHTS[paraphrase];
      paraphrase++;
    }
    String followUp = random.nextDouble() < followUpShare ? FOLLOW_UPS[random.nextInt(FOLLOW_UPS.length)] : null;
    return new Visit(sites.get(site), rank,
        wordings.get(site).get(intent).get(paraphrase), followUp);
  }

  /** Every wording of every intent of {@code site}, for documentation and seeding. */
  List<List<String>> intents(String site) {
    int index = sites.indexOf(Objects.requireNonNull(site));
    if (index < 0) {
      throw new IllegalArgumentException("unknown site " + site);
    }
    return wordings.get(index);
  }

  List<String> sites() {
    return sites;
  }

  int intentCount() {
    return cumulative.length;
  }
}
