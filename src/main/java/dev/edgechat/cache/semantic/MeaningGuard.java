package dev.edgechat.cache.semantic;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Decides whether a cached question may answer a new one that embeds close to it.
 *
 * <p>Design note. With quantized all-MiniLM-L6-v2, a question and a minimal edit of it that asks
 * something else are nearer than most true paraphrases. Measured on {@code labeled-pairs.tsv} (272
 * paraphrases, 297 negatives): the median cosine of paraphrases is 0.72 and a fifth of them are below
 * 0.60, while "open on Saturday" vs "on Sunday" scores 0.91, "X200" vs "X300" 0.88, "cost per month"
 * vs "per year" 0.94, "is the X200 waterproof" vs "not waterproof" 0.97; the median negative that
 * differs in negation scores 0.96, in a day 0.93, in a product code 0.92, in a number 0.90, in a
 * period 0.89, in an opposite word 0.85. On that set cosine alone reaches precision 0.95 at no
 * threshold from 0.50 to 0.98. So a candidate must also agree with the question on its
 * <em>anchors</em>, the few words a change of which changes the answer:
 * <ul>
 *   <li>polarity: not, no, never, n't, without, cannot, none, non-, …, when what is negated (the
 *       first word after the negator that is not an article, pronoun or auxiliary) occurs in the
 *       affirmative question too: "waterproof" vs "not waterproof" rejects, "my code isn't working"
 *       vs "my code was rejected" is left to the other rules;
 *   <li>what is asked for, by the opening words: an amount (how much), a time (when, how long), a
 *       reason (why), a place (where), a person (who), a choice (which), the way (how do I, how
 *       can I) or a yes or no (do you, can I, is there); two questions that both say so must share
 *       one, where the way is also answered by a place or a yes or no;
 *   <li>opposite words (import/export, enable/disable, before/after, cheapest/most expensive, …):
 *       import/export and upgrade/downgrade are strict, the sides present must be the same, so one
 *       side against neither rejects too ("export my data" vs "get my data"); for the others only
 *       one side against the other rejects, since on the labeled set one side against neither was
 *       mostly a paraphrase ("start" vs "open" an account, "close" vs "shut", "before my flight" vs
 *       "how early"); their words then count as content words for the subject rule;
 *   <li>directions: one thing that one question goes to and the other comes from ("ship to the UK"
 *       vs "from the UK");
 *   <li>product and model codes: tokens mixing letters and digits (X200, iPhone15, A4, WH-1000XM5),
 *       and a capitalized word followed by a number (iPhone 15, Pixel 8);
 *   <li>numbers: digits, decimals, prices, times, ordinals (3rd, second), number words one to
 *       twelve and "twice", also the digits inside product codes; numbers against none reject only
 *       when written in digits ("add 5 users" vs "add users"; "one item was missing" vs "an item");
 *   <li>weekdays (and weekend, today, tomorrow), months and seasons;
 *   <li>billing and rate periods: "per month", "a year", "monthly", "annually", "weekly", …;
 *   <li>places from a short list of countries, regions and cities, so lower-case ones count too;
 *   <li>names: capitalized words that do not start a sentence, a rough stand-in for proper nouns
 *       (brands, people, cities); each must occur somewhere in the other question, in any case;
 *   <li>the subject: two questions whose content words are the same but one on each side
 *       ("cancel my order" vs "my subscription") differ in that word, unless the two words are one
 *       family (one stem begins the other: "refund"/"refundable") or synonyms by {@link Synonyms}:
 *       by default Princeton WordNet 3.1 ({@link WordNetSynonyms}, on {@code WordNetTable}), where "cost"
 *       and "price" share a synset and "choose" is a synonym of "select", from which "selection"
 *       derives; hypernyms are not followed, so "loan" vs "mortgage" and "lost" vs "stolen" still
 *       differ. Two more kinds of counterpart count: words listed together in synonyms.txt, which
 *       customers use for one another where WordNet gives no shared sense ("receipt"/"invoice"),
 *       and a typo, a word WordNet does not know one letter from the other's ("cancle"/"cancel";
 *       two real words one letter apart, "coat"/"boat", still differ). Such a swap is final in a
 *       minimal edit (at most {@code MINIMAL_EDIT} words changed, articles aside), where the shared wording blinds cosine; in a question reworded
 *       beyond that it is only a doubt ({@link Verdict#doubtOnly()}), which {@link SemanticMatcher}'s
 *       learned decision may overrule at a high cosine. In a minimal edit, several swapped words differ too, unless each
 *       has a synonym or family member on the other side ("customer support" vs "sales team").
 *       (Single-word MiniLM cosines were measured as the alternative and do not separate:
 *       "loan"/"mortgage" 0.72 and "lost"/"stolen" 0.52 against "rate"/"price" 0.52.)
 * </ul>
 * Comparison ignores case, punctuation, hyphens, possessives and plural endings. The rules are
 * deliberately strict: a wrong semantic hit serves a confidently wrong answer, while a false reject
 * costs only an origin call. Their price is recall: paraphrases that swap one word for a word WordNet
 * does not list as its synonym ("reset" for "restart", "renew" for "extend") are rejected too.
 * Questions about different aspects of one thing in different words ("do you ship to Canada" vs
 * "how much is shipping to Canada") are told apart only by what they ask for; others ("can I pay
 * in installments" vs "is there interest on installment payments") are left to the threshold.
 *
 * <p>How it is built. This class holds the rules, in the order {@link #compare} applies them. The
 * words behind them are data: word lists under src/main/resources/meaning-guard (days, places,
 * negators, opposites, …), read once by {@code Lexicon}. {@code QuestionTokenizer} splits a question
 * into words and {@code Anchors} reads a question's anchors from them.
 *
 * <p>The default constructor reads the WordNet table once per JVM (50–70 ms): construct the guard
 * at startup or on a worker thread, never on an event loop. A compare then takes about 0.2 ms.
 */
public final class MeaningGuard {

  /**
   * What the guard decided and why, for logs and metrics: "same anchors", or the first kind of
   * anchor that differs with both sides, e.g. "numbers differ: 200 vs 300".
   */
  public record Verdict(boolean sameMeaning, boolean doubtOnly, String reason) {

    static final Verdict SAME = new Verdict(true, "same anchors");

    public Verdict {
      Objects.requireNonNull(reason, "reason");
      if (sameMeaning && doubtOnly) {
        throw new IllegalArgumentException("a verdict of same meaning is no doubt");
      }
    }

    /** A verdict that is final: same meaning, or a difference no cosine overrules. */
    public Verdict(boolean sameMeaning, String reason) {
      this(sameMeaning, false, reason);
    }

    static Verdict differ(String what, Set<String> ours, Set<String> theirs) {
      return new Verdict(false, what + ": " + describe(ours) + " vs " + describe(theirs));
    }

    /**
     * A difference the guard is not sure of: {@link SemanticMatcher} still accepts the pair when
     * the learned decision weighs it with the cosine (signal "subject_doubt" of {@link MatchSignals}).
     */
    static Verdict doubt(String what, Set<String> ours, Set<String> theirs) {
      return new Verdict(false, true, what + " in rewording: " + describe(ours) + " vs " + describe(theirs));
    }

    /**
     * The kind of anchor that differs, as the reason names it ("polarity differs", "numbers differ",
     * "subjects differ in rewording"), or "same anchors": a signal of {@link MatchSignals}.
     */
    public String kind() {
      int colon = reason.indexOf(':');
      return colon < 0 ? reason : reason.substring(0, colon);
    }

    private static String describe(Set<String> values) {
      return values.isEmpty() ? "none" : String.join(",", new TreeSet<>(values));
    }
  }

  /**
   * The most word edits between two questions (articles aside) for which a one-word difference of
   * subject is final. A minimal edit keeps the shared wording that makes cosine blind to the swapped
   * word ("cancel my order" vs "my subscription"); a pair reworded beyond it is only a doubt, which
   * the learned decision weighs with the cosine ({@link MatchSignals}: "subject_doubt"; "how do I set
   * up voicemail" vs "how can I configure my voicemail"). On the development pairs, one-word subject swaps among the hard negatives are
   * 1 or 2 edits apart; paraphrases differing in one content word are mostly 3 to 9.
   */
  private static final int MINIMAL_EDIT = 2;

  /** The prefix that undoes a verb or denies an adjective: "unfreeze", "unlimited". */
  private static final String UN = "un";

  /** Shortest word an un- form must undo ("unblock": "block"), so "until" or "unit" never count. */
  private static final int MIN_UNDONE = 4;

  /** Shortest word a typo is taken in: "cna" for "can" is left to the cosine. */
  private static final int MIN_TYPO_LENGTH = 4;

  /** Shortest stem that, beginning a longer one, makes the two one word family. */
  private static final int MIN_FAMILY_STEM = 5;

  /** What else answers a question asking the way to do something: where, whether one can, which. */
  private static final Set<String> WAY_ALSO = Set.of("place", "yes or no", "choice");

  private final Synonyms synonyms;

  /**
   * A guard that asks WordNet which differing words are synonyms. The first one in a JVM reads the
   * WordNet table: construct it on a worker thread or at startup, never on an event loop.
   */
  public MeaningGuard() {
    this(WordNetSynonyms.shared());
  }

  /** A guard that asks {@code synonyms} which differing words may stand for each other. */
  public MeaningGuard(Synonyms synonyms) {
    this.synonyms = Objects.requireNonNull(synonyms, "synonyms");
  }

  /** Compares the anchors of a new question with those of a cached candidate, in the order of the design note. */
  public Verdict compare(String question, String candidate) {
    return compare(Anchors.of(Objects.requireNonNull(question, "question")),
        Anchors.of(Objects.requireNonNull(candidate, "candidate")));
  }

  /** {@link #compare(String, String)} on anchors already read, for {@link MatchSignals}. */
  Verdict compare(Anchors ours, Anchors theirs) {
    return firstDifference(
        () -> polarity(ours, theirs),
        () -> askedFor(ours, theirs),
        () -> opposites(ours.words(), theirs.words()),
        () -> directions(ours, theirs),
        () -> mutuallyPresent("product codes differ", ours.codes(), theirs.codeSpellings(),
            theirs.codes(), ours.codeSpellings()),
        () -> numbers(ours, theirs),
        () -> equal("days differ", ours.days(), theirs.days()),
        () -> equal("months differ", ours.months(), theirs.months()),
        () -> equal("periods differ", ours.periods(), theirs.periods()),
        () -> equal("places differ", ours.places(), theirs.places()),
        () -> mutuallyPresent("names differ", ours.names(), theirs.vocabulary(), theirs.names(), ours.vocabulary()),
        () -> subjects(ours, theirs));
  }

  @SafeVarargs
  private static Verdict firstDifference(Supplier<Verdict>... checks) {
    for (Supplier<Verdict> check : checks) {
      Verdict verdict = check.get();
      if (!verdict.sameMeaning()) {
        return verdict;
      }
    }
    return Verdict.SAME;
  }

  /**
   * A negated question and an affirmative one differ when what the negation applies to, the first
   * word after the negator that is not an article, pronoun or auxiliary, occurs in the affirmative
   * one too: "is it waterproof" vs "is it not waterproof", "with food" vs "without food". When it
   * does not, the negation is the other question's way of saying the same thing ("my code isn't
   * working" vs "my code was rejected", "use the app offline" vs "without an internet connection"),
   * and the other rules judge the pair. Negators without an object (none, nothing, nobody, neither,
   * nor) always count.
   */
  private static Verdict polarity(Anchors ours, Anchors theirs) {
    if (ours.negated() == theirs.negated()) {
      return Verdict.SAME;
    }
    Anchors negated = ours.negated() ? ours : theirs;
    Anchors affirmative = ours.negated() ? theirs : ours;
    boolean bare = negated.negatedHeads().contains(Anchors.BARE_NEGATION);
    if (bare || !Collections.disjoint(negated.negatedHeads(), affirmative.stems())) {
      return Verdict.differ("polarity differs", polarityOf(ours), polarityOf(theirs));
    }
    return Verdict.SAME;
  }

  private static Set<String> polarityOf(Anchors anchors) {
    return anchors.negated() ? Set.of("negated") : Set.of("affirmative");
  }

  /**
   * What a question asks for, by the words that open it: an amount ("how much", "how many"), a
   * time or duration ("when", "what time", "how long", "how many days"), a reason ("why") or a
   * place ("where"), or a yes or no (opening with an auxiliary: "do you", "can I", "is there"). Two
   * questions that both say so must share one: "how much does a haircut cost" vs "how long does a
   * haircut take", "do you ship to Canada" vs "how much does shipping to Canada cost". One that opens
   * otherwise ("how do I", "what is", a statement) may ask for anything.
   */
  private static Verdict askedFor(Anchors ours, Anchors theirs) {
    if (ours.askedFor().isEmpty() || theirs.askedFor().isEmpty()
        || !Collections.disjoint(ours.askedFor(), theirs.askedFor())
        || answersTheWay(ours.askedFor(), theirs.askedFor()) || answersTheWay(theirs.askedFor(), ours.askedFor())) {
      return Verdict.SAME;
    }
    return Verdict.differ("asked for differs", ours.askedFor(), theirs.askedFor());
  }

  /**
   * Whether a question asking the way to do something ("how do I track my parcel") is answered as
   * well by one asking where ("where can I see where my parcel is") or whether one can ("can I
   * track my parcel"); not by one asking who, why, how much or when.
   */
  private static boolean answersTheWay(Set<String> asked, Set<String> other) {
    return asked.contains(Anchors.WAY) && !Collections.disjoint(other, WAY_ALSO);
  }

  private static Verdict opposites(Set<String> ourWords, Set<String> theirWords) {
    for (Opposite opposite : Lexicon.OPPOSITES) {
      Set<String> ourSides = opposite.sidesIn(ourWords);
      Set<String> theirSides = opposite.sidesIn(theirWords);
      if (opposite.differs(ourSides, theirSides)) {
        return Verdict.differ("opposites differ", ourSides, theirSides);
      }
    }
    String undone = undoneIn(ourWords, theirWords);
    if (undone == null) {
      undone = undoneIn(theirWords, ourWords);
    }
    return undone == null ? Verdict.SAME
        : Verdict.differ("opposites differ", Set.of(undone), Set.of(undone.substring(UN.length())));
  }

  /**
   * One thing that goes one way in one question and the other way in the other: "ship from the UK"
   * vs "ship to the UK", "from my phone to the laptop" vs "from the laptop to my phone". The same
   * words make the two embed almost alike (cosine 0.95–0.99 on the labeled pairs).
   */
  private static Verdict directions(Anchors ours, Anchors theirs) {
    String[] conflict = conflict(ours.directions(), theirs.directions());
    if (conflict == null) {
      return Verdict.SAME;
    }
    Set<String> ourSide = Set.of(conflict[1] + " " + conflict[0]);
    Set<String> theirSide = Set.of(conflict[2] + " " + conflict[0]);
    // final in a minimal edit, where the shared words blind cosine; beyond it a doubt, as for subjects
    return wordEdits(ours.sequence(), theirs.sequence()) <= MINIMAL_EDIT
        ? Verdict.differ("directions differ", ourSide, theirSide)
        : Verdict.doubt("directions differ", ourSide, theirSide);
  }

  /** The first key both maps hold with different values, as {key, ours, theirs}; null when none. */
  private static String[] conflict(Map<String, String> ours, Map<String, String> theirs) {
    for (Map.Entry<String, String> entry : ours.entrySet()) {
      String theirValue = theirs.get(entry.getKey());
      if (theirValue != null && !theirValue.equals(entry.getValue())) {
        return new String[] {entry.getKey(), entry.getValue(), theirValue};
      }
    }
    return null;
  }

  /**
   * A word of {@code ours} that is a word of {@code theirs} with "un" before it ("unfreeze" against
   * "freeze", "unblock" against "block", "unlimited" against "limited"), when {@code ours} lacks the
   * plain word: the un- form undoes or denies the other. Null if there is none.
   */
  private static String undoneIn(Set<String> ours, Set<String> theirs) {
    for (String word : ours) {
      if (word.startsWith(UN) && word.length() - UN.length() >= MIN_UNDONE) {
        String plain = word.substring(UN.length());
        if (theirs.contains(plain) && !ours.contains(plain)) {
          return word;
        }
      }
    }
    return null;
  }

  /** Each of our anchors must occur in their wording and each of theirs in ours. */
  private static Verdict mutuallyPresent(String what, Set<String> ours, Set<String> theirWording,
      Set<String> theirs, Set<String> ourWording) {
    Set<String> oursMissing = missing(ours, theirWording);
    Set<String> theirsMissing = missing(theirs, ourWording);
    if (oursMissing.isEmpty() && theirsMissing.isEmpty()) {
      return Verdict.SAME;
    }
    return Verdict.differ(what, oursMissing, theirsMissing);
  }

  /**
   * Numbers must be the same. One side's numbers against none reject only when a number is written
   * in digits: "add 5 users" vs "add users", but "one item was missing" vs "an item was missing" and
   * "try it for free first" vs "a free trial" use number words as plain English.
   */
  private static Verdict numbers(Anchors ours, Anchors theirs) {
    if (ours.numbers().equals(theirs.numbers())) {
      return halvesOfTheDay(ours, theirs);
    }
    boolean bothNamed = !ours.numbers().isEmpty() && !theirs.numbers().isEmpty();
    if (bothNamed || ours.digitNumbers() || theirs.digitNumbers()) {
      return Verdict.differ("numbers differ", ours.numbers(), theirs.numbers());
    }
    return Verdict.SAME;
  }

  /** One time in the morning in one question and in the afternoon in the other: "6am" vs "6pm". */
  private static Verdict halvesOfTheDay(Anchors ours, Anchors theirs) {
    String[] conflict = conflict(ours.meridiems(), theirs.meridiems());
    return conflict == null ? Verdict.SAME
        : Verdict.differ("numbers differ", Set.of(conflict[0] + conflict[1]), Set.of(conflict[0] + conflict[2]));
  }

  private static Verdict equal(String what, Set<String> ours, Set<String> theirs) {
    return ours.equals(theirs) ? Verdict.SAME : Verdict.differ(what, ours, theirs);
  }

  /**
   * Two questions with the same content words but one on each side ask about that word: "cancel
   * my order" vs "cancel my subscription", "report a lost card" vs "a stolen card". The shared
   * wording is what makes their embeddings close, so cosine cannot tell them apart.
   */
  private Verdict subjects(Anchors ourAnchors, Anchors theirAnchors) {
    Map<String, Set<String>> ours = ourAnchors.content();
    Map<String, Set<String>> theirs = theirAnchors.content();
    Set<String> onlyOurs = missing(ours.keySet(), theirs.keySet());
    Set<String> onlyTheirs = missing(theirs.keySet(), ours.keySet());
    boolean sharesTheRest = ours.size() > onlyOurs.size();
    if (onlyOurs.isEmpty() || onlyTheirs.isEmpty() || !sharesTheRest) {
      return Verdict.SAME;
    }
    boolean oneForOne = onlyOurs.size() == 1 && onlyTheirs.size() == 1;
    boolean minimalEdit = wordEdits(ourAnchors.sequence(), theirAnchors.sequence()) <= MINIMAL_EDIT;
    if (!oneForOne && !minimalEdit
        || eachHasACounterpart(onlyOurs, ours, onlyTheirs, theirs)
        && eachHasACounterpart(onlyTheirs, theirs, onlyOurs, ours)) {
      return Verdict.SAME;
    }
    return minimalEdit
        ? Verdict.differ("subjects differ", onlyOurs, onlyTheirs)
        : Verdict.doubt("subjects differ", onlyOurs, onlyTheirs);
  }

  /**
   * How many content words (stems) each question has that the other lacks and that have no synonym
   * or family member among the other's such words: {ours, theirs}. Two questions each with words of
   * its own ask about different things more often than one that only adds context.
   */
  int[] unmatched(Anchors ourAnchors, Anchors theirAnchors) {
    Map<String, Set<String>> ours = ourAnchors.content();
    Map<String, Set<String>> theirs = theirAnchors.content();
    Set<String> onlyOurs = missing(ours.keySet(), theirs.keySet());
    Set<String> onlyTheirs = missing(theirs.keySet(), ours.keySet());
    return new int[] {withoutCounterpart(onlyOurs, ours, onlyTheirs, theirs),
        withoutCounterpart(onlyTheirs, theirs, onlyOurs, ours)};
  }

  private int withoutCounterpart(Set<String> stems, Map<String, Set<String>> spellings, Set<String> others,
      Map<String, Set<String>> otherSpellings) {
    int count = 0;
    for (String stem : stems) {
      if (!eachHasACounterpart(Set.of(stem), spellings, others, otherSpellings)) {
        count++;
      }
    }
    return count;
  }

  /** Whether each of {@code stems} is of one family with, or a synonym of, one of {@code others}. */
  private boolean eachHasACounterpart(Set<String> stems, Map<String, Set<String>> spellings, Set<String> others,
      Map<String, Set<String>> otherSpellings) {
    for (String stem : stems) {
      boolean found = false;
      for (String other : others) {
        if (sameFamily(stem, other) || anySynonyms(spellings.get(stem), otherSpellings.get(other))
            || anyMisspelt(spellings.get(stem), otherSpellings.get(other))) {
          found = true;
          break;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private boolean anySynonyms(Set<String> ourWords, Set<String> theirWords) {
    for (String ours : ourWords) {
      for (String theirs : theirWords) {
        if (listedTogether(ours, theirs) || synonyms.synonyms(ours, theirs)) {
          return true;
        }
      }
    }
    return false;
  }

  /** One group of synonyms.txt ("receipt", "invoices"): words WordNet gives no shared sense. */
  private static boolean listedTogether(String ours, String theirs) {
    Integer group = Lexicon.SYNONYM_GROUPS.get(QuestionTokenizer.singular(ours));
    return group != null && group.equals(Lexicon.SYNONYM_GROUPS.get(QuestionTokenizer.singular(theirs)));
  }

  /**
   * Whether one of the words is a typo of the other: it is not a word of the language ({@link
   * Synonyms#known}) while the other is, both have at least {@value #MIN_TYPO_LENGTH} letters and
   * begin alike, and one letter turns one into the other (inserted, left out, replaced, or two
   * neighbours swapped: "cancle"/"cancel", "acount"/"account", "keybaord"/"keyboard"). Two known words
   * ("coat"/"boat") or two unknown ones ("zelle"/"zella": names, not typos) stay different.
   */
  private boolean anyMisspelt(Set<String> ourWords, Set<String> theirWords) {
    for (String ours : ourWords) {
      for (String theirs : theirWords) {
        if (Math.min(ours.length(), theirs.length()) >= MIN_TYPO_LENGTH && ours.charAt(0) == theirs.charAt(0)
            && Typos.oneEditApart(ours, theirs) && synonyms.known(ours) != synonyms.known(theirs)) {
          return true;
        }
      }
    }
    return false;
  }

  /** "refund" and "refundable", "physio" and "physiotherapy": one stem begins the other. */
  private static boolean sameFamily(String one, String other) {
    String shorter = one.length() <= other.length() ? one : other;
    String longer = shorter == one ? other : one;
    return shorter.length() >= MIN_FAMILY_STEM && longer.startsWith(shorter);
  }

  /**
   * The fewest words inserted, deleted or replaced to turn one sequence into the other (Levenshtein
   * over words): "cancel my order" to "cancel my subscription" is 1, "how do I set up voicemail" to
   * "how can I configure my voicemail" 4.
   */
  static int wordEdits(List<String> ours, List<String> theirs) {
    int[] previous = new int[theirs.size() + 1];
    int[] current = new int[theirs.size() + 1];
    for (int j = 0; j <= theirs.size(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= ours.size(); i++) {
      current[0] = i;
      for (int j = 1; j <= theirs.size(); j++) {
        int replace = previous[j - 1] + (ours.get(i - 1).equals(theirs.get(j - 1)) ? 0 : 1);
        current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[theirs.size()];
  }

  private static Set<String> missing(Set<String> anchors, Set<String> wording) {
    Set<String> missing = new TreeSet<>(anchors);
    missing.removeAll(wording);
    return missing;
  }
}
