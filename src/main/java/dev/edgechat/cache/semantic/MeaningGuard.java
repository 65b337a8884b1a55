package dev.edgechat.cache.semantic;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 *       by default Princeton WordNet 3.1 through extJWNL ({@link WordNetSynonyms}), where "cost"
 *       and "price" share a synset and "choose" is a synonym of "select", from which "selection"
 *       derives; hypernyms are not followed, so "loan" vs "mortgage" and "lost" vs "stolen" still
 *       differ. Such a swap is final in a minimal edit (at most {@code MINIMAL_EDIT} words
 *       changed, articles aside), where the shared wording blinds cosine; in a question reworded
 *       beyond that it is only a doubt ({@link Verdict#doubtOnly()}), which {@link SemanticMatcher}
 *       overrules at a high cosine. In a minimal edit, several swapped words differ too, unless each
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
 * <p>The default constructor loads WordNet once per JVM (about half a second): construct the guard
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
     * its cosine reaches {@link SemanticMatcher#REWORDED_THRESHOLD}.
     */
    static Verdict doubt(String what, Set<String> ours, Set<String> theirs) {
      return new Verdict(false, true, what + " in rewording: " + describe(ours) + " vs " + describe(theirs));
    }

    private static String describe(Set<String> values) {
      return values.isEmpty() ? "none" : String.join(",", new TreeSet<>(values));
    }
  }

  private final Synonyms synonyms;

  /**
   * A guard that asks WordNet which differing words are synonyms. The first one in a JVM loads the
   * dictionary (about half a second): construct it on a worker thread or at startup, never on an
   * event loop.
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
    Anchors ours = Anchors.of(Objects.requireNonNull(question, "question"));
    Anchors theirs = Anchors.of(Objects.requireNonNull(candidate, "candidate"));
    return firstDifference(
        () -> polarity(ours, theirs),
        () -> askedFor(ours, theirs),
        () -> opposites(ours.words(), theirs.words()),
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

  private static Verdict opposites(Set<String> ourWords, Set<String> theirWords) {
    for (Opposite opposite : OPPOSITES) {
      Set<String> ourSides = opposite.sidesIn(ourWords);
      Set<String> theirSides = opposite.sidesIn(theirWords);
      if (opposite.differs(ourSides, theirSides)) {
        return Verdict.differ("opposites differ", ourSides, theirSides);
      }
    }
    return Verdict.SAME;
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

  /** Whether each of {@code stems} is of one family with, or a synonym of, one of {@code others}. */
  private boolean eachHasACounterpart(Set<String> stems, Map<String, Set<String>> spellings, Set<String> others,
      Map<String, Set<String>> otherSpellings) {
    for (String stem : stems) {
      boolean found = false;
      for (String other : others) {
        if (sameFamily(stem, other) || anySynonyms(spellings.get(stem), otherSpellings.get(other))) {
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

  /** "refund" and "refundable", "physio" and "physiotherapy": one stem begins the other. */
  private static boolean sameFamily(String one, String other) {
    String shorter = one.length() <= other.length() ? one : other;
    String longer = shorter == one ? other : one;
    return shorter.length() >= MIN_FAMILY_STEM && longer.startsWith(shorter);
  }

  private boolean anySynonyms(Set<String> ourWords, Set<String> theirWords) {
    for (String ours : ourWords) {
      for (String theirs : theirWords) {
        if (synonyms.synonyms(ours, theirs)) {
          return true;
        }
      }
    }
    return false;
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
    boolean bare = negated.negatedHeads().contains(BARE_NEGATION);
    if (bare || !Collections.disjoint(negated.negatedHeads(), affirmative.stems())) {
      return Verdict.differ("polarity differs", polarityOf(ours), polarityOf(theirs));
    }
    return Verdict.SAME;
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
    return asked.contains(WAY) && !Collections.disjoint(other, WAY_ALSO);
  }

  private static final String WAY = "way";
  private static final Set<String> WAY_ALSO = Set.of("place", "yes or no", "choice");

  private static Set<String> polarityOf(Anchors anchors) {
    return anchors.negated() ? Set.of("negated") : Set.of("affirmative");
  }

  /**
   * Numbers must be the same. One side's numbers against none reject only when a number is written
   * in digits: "add 5 users" vs "add users", but "one item was missing" vs "an item was missing" and
   * "try it for free first" vs "a free trial" use number words as plain English.
   */
  private static Verdict numbers(Anchors ours, Anchors theirs) {
    if (ours.numbers().equals(theirs.numbers())) {
      return Verdict.SAME;
    }
    boolean bothNamed = !ours.numbers().isEmpty() && !theirs.numbers().isEmpty();
    if (bothNamed || ours.digitNumbers() || theirs.digitNumbers()) {
      return Verdict.differ("numbers differ", ours.numbers(), theirs.numbers());
    }
    return Verdict.SAME;
  }

  private static Verdict equal(String what, Set<String> ours, Set<String> theirs) {
    return ours.equals(theirs) ? Verdict.SAME : Verdict.differ(what, ours, theirs);
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

  private static Set<String> missing(Set<String> anchors, Set<String> wording) {
    Set<String> missing = new TreeSet<>(anchors);
    missing.removeAll(wording);
    return missing;
  }

  // ---------------------------------------------------------------------------------------------
  // Word lists. Words are compared lower-case and singular; verb forms come from inflected().

  /** Words that carry no subject: function words, question words, light verbs and fillers. */
  private static final Set<String> FUNCTION_WORDS = Set.of(
      "a", "an", "the", "i", "me", "my", "mine", "myself", "we", "our", "ours", "us", "you", "your", "yours",
      "it", "its", "this", "that", "these", "those", "there", "here", "they", "them", "their", "he", "she",
      "him", "her", "his", "is", "are", "was", "were", "be", "been", "being", "am", "do", "does", "did",
      "done", "doing", "have", "has", "had", "having", "can", "could", "will", "would", "shall", "should",
      "may", "might", "must", "how", "what", "when", "where", "why", "which", "who", "whom", "whose",
      "whether", "if", "then", "than", "so", "and", "or", "but", "to", "of", "in", "on", "at", "by", "for",
      "from", "with", "into", "onto", "about", "as", "up", "out", "off", "over", "again", "once", "just",
      "also", "too", "very", "really", "still", "yet", "already", "any", "some", "all", "each", "every",
      "more", "most", "much", "many", "other", "another", "get", "got", "getting", "make", "need", "want",
      "like", "please", "possible", "way", "able", "someone", "something", "anything", "everything",
      "somebody", "anybody", "thing", "let", "tell", "know", "not", "no", "never", "without", "per");

  private static final Set<String> NEGATORS = Set.of(
      "not", "no", "never", "without", "none", "nothing", "nobody", "neither", "nor", "non", "unable");

  /** Negators that are their own object: what they negate is not a word after them. */
  private static final Set<String> BARE_NEGATORS = Set.of("none", "nothing", "nobody", "neither", "nor");

  private static final String BARE_NEGATION = "(bare)";

  /** Skipped when looking for what a negator applies to: "is not a", "can not be", "have not yet". */
  private static final Set<String> NEGATION_FILLERS = Set.of(
      "a", "an", "the", "my", "your", "our", "their", "his", "her", "its", "this", "that", "these", "those",
      "any", "some", "be", "been", "being", "is", "are", "was", "were", "am", "do", "does", "did", "have",
      "has", "had", "to", "i", "you", "we", "they", "it", "he", "she", "me", "us", "them", "yet", "even",
      "really", "very", "so", "too", "ever", "all", "also", "still", "quite", "not", "no", "able");

  private static final int NEGATION_REACH = 4;

  /** Words that open a question answered with yes or no: "do you ship to Canada?". */
  private static final Set<String> YES_NO_OPENERS = Set.of(
      "do", "does", "did", "can", "could", "is", "are", "was", "were", "will", "would", "should", "may",
      "has", "have", "am", "shall", "must");

  /**
   * The most word edits between two questions (articles aside) for which a one-word difference of
   * subject is final. A minimal edit keeps the shared wording that makes cosine blind to the swapped
   * word ("cancel my order" vs "my subscription"); a pair reworded beyond it is left to cosine at
   * {@link SemanticMatcher#REWORDED_THRESHOLD} ("how do I set up voicemail" vs "how can I configure
   * my voicemail"). On the development pairs, one-word subject swaps among the hard negatives are
   * 1 or 2 edits apart; paraphrases differing in one content word are mostly 3 to 9.
   */
  private static final int MINIMAL_EDIT = 2;

  /** Left out of the word sequence that {@link #wordEdits} compares. */
  private static final Set<String> ARTICLES = Set.of("a", "an", "the");

  /** Shortest stem that, beginning a longer one, makes the two one word family. */
  private static final int MIN_FAMILY_STEM = 5;

  private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
      Map.entry("one", "1"), Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
      Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"), Map.entry("eight", "8"),
      Map.entry("nine", "9"), Map.entry("ten", "10"), Map.entry("eleven", "11"), Map.entry("twelve", "12"),
      Map.entry("first", "1"), Map.entry("second", "2"), Map.entry("third", "3"), Map.entry("fourth", "4"),
      Map.entry("fifth", "5"), Map.entry("sixth", "6"), Map.entry("seventh", "7"), Map.entry("eighth", "8"),
      Map.entry("ninth", "9"), Map.entry("tenth", "10"), Map.entry("eleventh", "11"), Map.entry("twelfth", "12"),
      Map.entry("twice", "2"));

  /** "one" is a pronoun after these ("which one", "the one", "no one"), not a count. */
  private static final Set<String> PRONOUN_ONE_BEFORE = Set.of(
      "which", "this", "that", "the", "any", "no", "every", "each", "some", "another", "other", "right", "new");

  private static final Set<String> DAYS = Set.of(
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
      "weekend", "weekday", "today", "tonight", "tomorrow", "yesterday");

  private static final Set<String> MONTHS = Set.of(
      "january", "february", "march", "april", "june", "july", "august", "september", "october",
      "november", "december", "spring", "summer", "autumn", "winter");

  private static final Map<String, String> PERIOD_ADVERBS = Map.ofEntries(
      Map.entry("hourly", "hour"), Map.entry("daily", "day"), Map.entry("nightly", "night"),
      Map.entry("weekly", "week"), Map.entry("biweekly", "2 weeks"), Map.entry("fortnightly", "2 weeks"),
      Map.entry("monthly", "month"), Map.entry("quarterly", "quarter"), Map.entry("yearly", "year"),
      Map.entry("annual", "year"), Map.entry("annually", "year"));

  private static final Map<String, String> PERIOD_UNITS = Map.of(
      "hour", "hour", "day", "day", "night", "night", "week", "week", "fortnight", "2 weeks",
      "month", "month", "quarter", "quarter", "year", "year", "annum", "year");

  private static final Set<String> RATE_WORDS = Set.of("per", "a", "an", "each", "every");

  /** "a month" after these is a duration ("within a month"), not a rate ("$10 a month"). */
  private static final Set<String> DURATION_BEFORE = Set.of(
      "in", "within", "for", "after", "before", "than", "about", "over", "under", "of", "take", "takes", "last");

  /** Lower-case spellings of places, mapped to one name per place. */
  private static final Map<String, String> PLACES = places();

  /** Capitalized, but never a proper noun. */
  private static final Set<String> NOT_NAMES = Set.of(
      "i", "ok", "okay", "hi", "hello", "please", "thanks", "dr", "mr", "mrs", "ms", "prof");

  private static final Set<String> ABBREVIATIONS = Set.of(
      "dr.", "mr.", "mrs.", "ms.", "prof.", "st.", "no.", "vs.", "e.g.", "i.e.", "approx.", "jr.", "sr.");

  /** Units written onto a number ("10gb", "5kg", "7pm"): the number counts, not as a code. */
  private static final Pattern NUMBER_WITH_UNIT = Pattern.compile(
      "(\\d+(?:\\.\\d+)?)(st|nd|rd|th|am|pm|kg|lb|lbs|oz|gb|mb|tb|kb|km|mi|cm|mm|ml|h|hr|hrs|min|mins|x)");

  private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*(?::\\d\\d)?");
  private static final Pattern DIGITS = Pattern.compile("\\d+");
  private static final Pattern LETTERS = Pattern.compile("\\p{L}+");
  private static final Pattern CONTRACTIONS = Pattern.compile("(?i)\\b(can't|cannot|won't|shan't)\\b|n't\\b");
  private static final Pattern CLITIC = Pattern.compile("'(s|m|re|ve|d|ll)?$");

  private static final Map<String, String> PHRASES = Map.ofEntries(
      Map.entry("log in", "log_in"), Map.entry("log into", "log_in"), Map.entry("logged in", "log_in"),
      Map.entry("logging in", "log_in"), Map.entry("log on", "log_in"), Map.entry("sign in", "log_in"),
      Map.entry("sign into", "log_in"), Map.entry("signed in", "log_in"), Map.entry("signing in", "log_in"),
      Map.entry("log out", "log_out"), Map.entry("logged out", "log_out"), Map.entry("logging out", "log_out"),
      Map.entry("log off", "log_out"), Map.entry("sign out", "log_out"), Map.entry("signed out", "log_out"),
      Map.entry("signing out", "log_out"),
      Map.entry("turn on", "turn_on"), Map.entry("turned on", "turn_on"), Map.entry("turning on", "turn_on"),
      Map.entry("switch on", "turn_on"), Map.entry("switched on", "turn_on"),
      Map.entry("turn off", "turn_off"), Map.entry("turned off", "turn_off"), Map.entry("turning off", "turn_off"),
      Map.entry("switch off", "turn_off"), Map.entry("switched off", "turn_off"),
      Map.entry("in stock", "in_stock"), Map.entry("out of stock", "out_of_stock"),
      Map.entry("sold out", "out_of_stock"),
      Map.entry("most expensive", "most_expensive"), Map.entry("least expensive", "cheapest"),
      Map.entry("less expensive", "cheaper"), Map.entry("more expensive", "pricier"),
      Map.entry("no one", "nobody"), Map.entry("what time", "when"), Map.entry("at what time", "when"));

  private static final int LONGEST_PHRASE = 3;

  /**
   * The pairs the issue names are strict: a question that names one side and one that names
   * neither ask different things ("export my data" vs "get my data"). The pairs added here are only
   * compared when both questions name a side, because their words also occur as plain description
   * in paraphrases: an order "arrives", a bill is "high", an invoice is "downloaded".
   */
  private static final List<Opposite> OPPOSITES = List.of(
      strict("import", inflected("import"), "export", inflected("export")),
      strict("upgrade", inflected("upgrade"), "downgrade", inflected("downgrade")),
      conflicting("on", inflected("enable", "activate", "start", "turn_on"),
          "off", inflected("disable", "deactivate", "stop", "stopped", "stopping", "turn_off")),
      conflicting("increase", inflected("increase"), "decrease", inflected("decrease", "reduce")),
      conflicting("add", inflected("add"), "remove", inflected("remove", "delete")),
      conflicting("buy", inflected("buy", "bought", "purchase"), "sell", inflected("sell", "sold")),
      conflicting("log in", inflected("login", "log_in", "signin"), "log out", inflected("logout", "log_out", "signout")),
      conflicting("open", inflected("open"), "close", inflected("close", "closure")),
      conflicting("minimum", Set.of("min", "minimum"), "maximum", Set.of("max", "maximum")),
      conflicting("before", Set.of("before"), "after", Set.of("after")),
      conflicting("cheap", Set.of("cheap", "cheaper", "cheapest", "inexpensive"),
          "expensive", Set.of("expensive", "pricier", "priciest", "most_expensive", "costliest")),
      conflicting("upload", inflected("upload"), "download", inflected("download")),
      conflicting("lock", inflected("lock"), "unlock", inflected("unlock")),
      conflicting("subscribe", inflected("subscribe"), "unsubscribe", inflected("unsubscribe")),
      conflicting("install", inflected("install"), "uninstall", inflected("uninstall")),
      conflicting("connect", inflected("connect"), "disconnect", inflected("disconnect")),
      conflicting("deposit", inflected("deposit"),
          "withdraw", inflected("withdraw", "withdrawal", "withdrew", "withdrawn")),
      conflicting("credit", inflected("credit"), "debit", inflected("debit")),
      conflicting("arrive", inflected("arrive", "arrival"), "depart", inflected("depart", "departure")),
      conflicting("early", Set.of("early", "earlier", "earliest"), "late", Set.of("late", "later", "latest")),
      conflicting("in stock", Set.of("in_stock"), "out of stock", Set.of("out_of_stock")),
      conflicting("men", Set.of("man", "men", "male"), "women", Set.of("woman", "women", "female")),
      conflicting("domestic", Set.of("domestic", "domestically"),
          "international", Set.of("international", "internationally", "abroad", "overseas")),
      conflicting("high", Set.of("high", "higher", "highest"), "low", Set.of("low", "lower", "lowest")),
      conflicting("hot", Set.of("hot"), "cold", Set.of("cold")));

  private static Opposite strict(String one, Set<String> oneForms, String other, Set<String> otherForms) {
    return new Opposite(one, oneForms, other, otherForms, true);
  }

  private static Opposite conflicting(String one, Set<String> oneForms, String other, Set<String> otherForms) {
    return new Opposite(one, oneForms, other, otherForms, false);
  }

  /**
   * Two words (with their forms) that flip a question's meaning. A strict pair rejects any
   * difference in the sides named; the others only a question naming a side the other does not
   * while that one names a side too.
   */
  private record Opposite(String one, Set<String> oneForms, String other, Set<String> otherForms, boolean strict) {

    boolean differs(Set<String> ourSides, Set<String> theirSides) {
      if (ourSides.equals(theirSides)) {
        return false;
      }
      return strict || !ourSides.isEmpty() && !theirSides.isEmpty();
    }

    Set<String> sidesIn(Set<String> words) {
      Set<String> sides = new TreeSet<>();
      if (!Collections.disjoint(oneForms, words)) {
        sides.add(one);
      }
      if (!Collections.disjoint(otherForms, words)) {
        sides.add(other);
      }
      return sides;
    }
  }

  /** Words another anchor compares already, in one of several spellings. */
  private static final Set<String> ANCHOR_WORDS = anchorWords();

  private static Set<String> anchorWords() {
    Set<String> words = new HashSet<>(NUMBER_WORDS.keySet());
    words.addAll(DAYS);
    words.addAll(MONTHS);
    words.addAll(PERIOD_ADVERBS.keySet());
    for (Opposite opposite : OPPOSITES) {
      if (opposite.strict()) {
        words.addAll(opposite.oneForms());
        words.addAll(opposite.otherForms());
      }
    }
    for (String place : PLACES.keySet()) {
      words.addAll(List.of(place.split(" ")));
    }
    return words;
  }

  /**
   * The side a word of a conflicting opposite names ("disable" and "turn_off" both name "off"), so
   * that the subject rule compares sides rather than spellings.
   */
  private static final Map<String, String> OPPOSITE_SIDES = oppositeSides();

  private static Map<String, String> oppositeSides() {
    Map<String, String> sides = new HashMap<>();
    for (Opposite opposite : OPPOSITES) {
      if (!opposite.strict()) {
        opposite.oneForms().forEach(form -> sides.put(form, opposite.one()));
        opposite.otherForms().forEach(form -> sides.put(form, opposite.other()));
      }
    }
    return sides;
  }

  /** Base forms with their -ed and -ing forms; plural and third-person -s are removed from words anyway. */
  private static Set<String> inflected(String... bases) {
    Set<String> forms = new HashSet<>();
    for (String base : bases) {
      forms.add(base);
      if (base.contains("_")) {
        continue;
      }
      String stem = base.endsWith("e") ? base.substring(0, base.length() - 1) : base;
      forms.add(stem + "ed");
      forms.add(stem + "ing");
    }
    return forms;
  }

  private static Map<String, String> places() {
    Map<String, String> places = new HashMap<>();
    for (String place : List.of(
        "afghanistan", "argentina", "australia", "austria", "bangladesh", "belgium", "brazil", "bulgaria",
        "canada", "chile", "china", "colombia", "croatia", "cuba", "czechia", "denmark", "egypt", "england",
        "estonia", "ethiopia", "finland", "france", "germany", "greece", "hungary", "iceland", "india",
        "indonesia", "iran", "iraq", "ireland", "israel", "italy", "japan", "kenya", "korea", "latvia",
        "lithuania", "luxembourg", "malaysia", "mexico", "morocco", "netherlands", "nigeria", "norway",
        "pakistan", "peru", "philippines", "poland", "portugal", "romania", "russia", "scotland",
        "serbia", "singapore", "slovakia", "slovenia", "spain", "sweden", "switzerland", "taiwan",
        "thailand", "turkey", "ukraine", "vietnam", "wales", "europe", "asia", "africa",
        "amsterdam", "athens", "barcelona", "beijing", "berlin", "boston", "brussels", "budapest",
        "chicago", "copenhagen", "cork", "dallas", "delhi", "dubai", "dublin", "edinburgh", "frankfurt",
        "geneva", "hamburg", "helsinki", "houston", "istanbul", "lisbon", "london", "lyon", "madrid",
        "manchester", "melbourne", "miami", "milan", "montreal", "moscow", "mumbai", "munich", "oslo",
        "paris", "prague", "rome", "rotterdam", "seattle", "seoul", "shanghai", "stockholm", "sydney",
        "tokyo", "toronto", "utrecht", "vancouver", "vienna", "warsaw", "washington", "zurich",
        "new zealand", "south africa", "hong kong", "new york", "los angeles", "san francisco",
        "las vegas", "rio de janeiro", "south america", "north america", "latin america",
        "united arab emirates", "saudi arabia", "costa rica")) {
      places.put(place, place);
    }
    places.put("holland", "netherlands");
    places.put("usa", "united states");
    places.put("united states", "united states");
    places.put("america", "united states");
    places.put("uk", "united kingdom");
    places.put("united kingdom", "united kingdom");
    places.put("britain", "united kingdom");
    places.put("great britain", "united kingdom");
    places.put("eu", "european union");
    places.put("european union", "european union");
    places.put("nyc", "new york");
    places.put("uae", "united arab emirates");
    return places;
  }

  // ---------------------------------------------------------------------------------------------
  // Tokens

  /**
   * One word of a question: {@code word} lower-case and singular, {@code plain} lower-case as written;
   * {@code capitalized} and {@code upperCase} describe the original, {@code sentenceStart} whether it
   * opened a sentence (where capitals say nothing).
   */
  private record Token(String word, String plain, boolean capitalized, boolean upperCase, boolean sentenceStart) {

    boolean hasDigit() {
      return plain.chars().anyMatch(Character::isDigit);
    }

    boolean hasLetter() {
      return plain.chars().anyMatch(Character::isLetter);
    }
  }

  private static List<Token> tokens(String text) {
    String expanded = expandContractions(text.replace('\u2019', '\'').replace('\u2018', '\''));
    List<Token> tokens = new ArrayList<>();
    boolean sentenceStart = true;
    for (String chunk : expanded.strip().split("\\s+")) {
      if (chunk.isEmpty()) {
        continue;
      }
      boolean first = true;
      for (String piece : pieces(chunk)) {
        if (piece.isEmpty()) {
          continue;
        }
        String plain = piece.toLowerCase(Locale.ROOT);
        boolean capitalized = Character.isUpperCase(piece.codePointAt(0));
        boolean upperCase = piece.equals(piece.toUpperCase(Locale.ROOT)) && LETTERS.matcher(piece).find();
        tokens.add(new Token(singular(plain), plain, capitalized, upperCase, sentenceStart && first));
        first = false;
      }
      sentenceStart = first ? sentenceStart || endsSentence(chunk) : endsSentence(chunk);
    }
    return joinPhrases(tokens);
  }

  private static String expandContractions(String text) {
    Matcher matcher = CONTRACTIONS.matcher(text);
    StringBuilder expanded = new StringBuilder();
    while (matcher.find()) {
      String found = matcher.group().toLowerCase(Locale.ROOT);
      String replacement = switch (found) {
        case "can't", "cannot" -> "can not";
        case "won't" -> "will not";
        case "shan't" -> "shall not";
        default -> " not";
      };
      matcher.appendReplacement(expanded, replacement);
    }
    matcher.appendTail(expanded);
    return expanded.toString().replaceAll("(?i)\\bnon-", "non ");
  }

  private static boolean endsSentence(String chunk) {
    char last = chunk.charAt(chunk.length() - 1);
    if (last == '!' || last == '?' || last == ':' || last == ';') {
      return true;
    }
    return last == '.' && !ABBREVIATIONS.contains(chunk.toLowerCase(Locale.ROOT));
  }

  /**
   * The words in one whitespace-separated chunk: surrounding punctuation and clitics ('s, 'm) off,
   * "a/b" split ("$10/month" reads "10 per month"), hyphens joined ("e-mail", "X-200") unless the
   * first part is a number ("2-year", "two-factor").
   */
  private static List<String> pieces(String chunk) {
    String trimmed = chunk.replaceAll("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}']+$", "");
    trimmed = CLITIC.matcher(trimmed).replaceAll("");
    trimmed = trimmed.replaceAll("(?<=\\p{L})\\.(?=\\p{L})", "");
    List<String> pieces = new ArrayList<>();
    String[] slashParts = trimmed.split("/");
    for (int i = 0; i < slashParts.length; i++) {
      if (i > 0 && !slashParts[i].isEmpty() && Character.isLetter(slashParts[i].charAt(0))) {
        pieces.add("per");
      }
      pieces.addAll(hyphenated(slashParts[i].replaceAll("[^\\p{L}\\p{N}.,:'-]", "")));
    }
    return pieces;
  }

  private static List<String> hyphenated(String part) {
    String[] parts = part.split("-");
    if (parts.length == 1) {
      return List.of(part);
    }
    String first = parts[0].toLowerCase(Locale.ROOT);
    if (NUMBER.matcher(first).matches() || NUMBER_WORDS.containsKey(first)) {
      return List.of(parts);
    }
    return List.of(String.join("", parts));
  }

  private static List<Token> joinPhrases(List<Token> tokens) {
    List<Token> joined = new ArrayList<>();
    int i = 0;
    while (i < tokens.size()) {
      int length = phraseAt(tokens, i);
      if (length > 1) {
        String phrase = PHRASES.get(plainRun(tokens, i, length));
        Token head = tokens.get(i);
        joined.add(new Token(phrase, phrase, false, false, head.sentenceStart()));
        i += length;
      } else {
        joined.add(tokens.get(i));
        i++;
      }
    }
    return joined;
  }

  private static int phraseAt(List<Token> tokens, int start) {
    for (int length = Math.min(LONGEST_PHRASE, tokens.size() - start); length > 1; length--) {
      if (PHRASES.containsKey(plainRun(tokens, start, length))) {
        return length;
      }
    }
    return 1;
  }

  private static String plainRun(List<Token> tokens, int start, int length) {
    StringBuilder run = new StringBuilder(tokens.get(start).plain());
    for (int i = start + 1; i < start + length; i++) {
      run.append(' ').append(tokens.get(i).plain());
    }
    return run.toString();
  }

  /** A rough singular: "deliveries" → "delivery", "boxes" → "box", "days" → "day". */
  private static String singular(String word) {
    if (word.length() <= 3 || !word.endsWith("s") || word.chars().anyMatch(Character::isDigit)
        || FUNCTION_WORDS.contains(word)) {
      return word;
    }
    if (word.endsWith("ies") && word.length() > 4) {
      return word.substring(0, word.length() - 3) + "y";
    }
    if (word.endsWith("sses") || word.endsWith("xes") || word.endsWith("ches") || word.endsWith("shes")) {
      return word.substring(0, word.length() - 2);
    }
    if (word.endsWith("ss") || word.endsWith("us") || word.endsWith("is") || word.endsWith("as")) {
      return word;
    }
    return word.substring(0, word.length() - 1);
  }

  // ---------------------------------------------------------------------------------------------
  // Anchors

  /**
   * The anchors of one question. {@code words} are all its words (for opposites), {@code
   * vocabulary} what a name of the other question may match, {@code content} its stemmed content
   * words, {@code codeSpellings} what a code of the other question may match ("iphone15" matches
   * "iPhone 15").
   */
  private record Anchors(List<String> sequence, Set<String> words, Set<String> vocabulary, Map<String, Set<String>> content, Set<String> askedFor,
      Set<String> stems, boolean negated, Set<String> negatedHeads, Set<String> numbers, boolean digitNumbers,
      Set<String> codes, Set<String> codeSpellings, Set<String> names, Set<String> days, Set<String> months,
      Set<String> periods, Set<String> places) {

    static Anchors of(String question) {
      List<Token> tokens = tokens(question);
      Set<String> words = new HashSet<>();
      for (Token token : tokens) {
        words.add(token.word());
      }
      Set<String> codes = codes(tokens);
      Map<Integer, String> places = places(tokens);
      Set<String> vocabulary = new HashSet<>(words);
      vocabulary.addAll(places.values());
      Set<String> codeSpellings = new HashSet<>(codes);
      codeSpellings.addAll(adjacentJoins(tokens));
      Set<String> stems = new HashSet<>();
      for (String word : words) {
        stems.add(stem(OPPOSITE_SIDES.getOrDefault(word, word)));
      }
      Set<String> numbers = numbers(tokens);
      boolean digitNumbers = tokens.stream().anyMatch(Token::hasDigit) && !numbers.isEmpty()
          && !numbers(wordNumbersOnly(tokens)).equals(numbers);
      List<String> sequence = tokens.stream().map(Token::word).filter(word -> !ARTICLES.contains(word)).toList();
      return new Anchors(sequence, words, vocabulary, content(words), askedFor(tokens), stems, negated(tokens), negatedHeads(tokens), numbers,
          digitNumbers, codes, codeSpellings,
          names(tokens, places.keySet()), days(tokens), months(tokens), periods(tokens),
          new HashSet<>(places.values()));
    }

    /**
     * The words that say what a question is about, stemmed so "cancelled" meets "canceled" and
     * "cancel"; without the words the other anchors have compared already, in whatever spelling
     * ("two" and "2", "yearly" and "annual", "disable" and "turn off").
     */
    private static Map<String, Set<String>> content(Set<String> words) {
      Map<String, Set<String>> content = new HashMap<>();
      for (String word : words) {
        boolean anchor = ANCHOR_WORDS.contains(word) || word.chars().anyMatch(Character::isDigit);
        if (!FUNCTION_WORDS.contains(word) && !anchor) {
          String spelling = OPPOSITE_SIDES.getOrDefault(word, word);
          content.computeIfAbsent(stem(spelling), s -> new HashSet<>()).add(spelling);
        }
      }
      return content;
    }

    /**
     * What each negator applies to, stemmed: the first word within reach after it that is not a
     * filler ("is not a member" → member); {@code BARE_NEGATION} for a negator that is its own object.
     */
    private static Set<String> negatedHeads(List<Token> tokens) {
      Set<String> heads = new HashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        String word = tokens.get(i).plain();
        if (!NEGATORS.contains(word) || negationIsNumberSign(tokens, i)) {
          continue;
        }
        if (BARE_NEGATORS.contains(word)) {
          heads.add(BARE_NEGATION);
          continue;
        }
        String head = BARE_NEGATION;
        for (int j = i + 1; j < tokens.size() && j <= i + NEGATION_REACH; j++) {
          String next = tokens.get(j).word();
          if (!NEGATION_FILLERS.contains(next) && !NEGATION_FILLERS.contains(tokens.get(j).plain())) {
            head = stem(OPPOSITE_SIDES.getOrDefault(next, next));
            break;
          }
        }
        heads.add(head);
      }
      return heads;
    }

    private static Set<String> askedFor(List<Token> tokens) {
      Set<String> asked = new HashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        if (!tokens.get(i).sentenceStart()) {
          continue;
        }
        String first = tokens.get(i).plain();
        String second = i + 1 < tokens.size() ? tokens.get(i + 1).plain() : "";
        String third = i + 2 < tokens.size() ? tokens.get(i + 2).word() : "";
        String kind = switch (first) {
          case "when" -> "time";
          case "why" -> "reason";
          case "where" -> "place";
          case "who" -> "person";
          case "which" -> "choice";
          case "how" -> switch (second) {
            case "much" -> "amount";
            case "many" -> PERIOD_UNITS.containsKey(third) || third.equals("minute") ? "time" : "amount";
            case "long" -> "time";
            case "do", "does", "can", "could", "should", "would", "to", "will" -> WAY;
            default -> null;
          };
          default -> null;
        };
        if (kind != null) {
          asked.add(kind);
        }
      }
      boolean yesOrNo = !tokens.isEmpty() && YES_NO_OPENERS.contains(tokens.get(0).plain());
      if (asked.isEmpty() && yesOrNo) {
        asked.add("yes or no");
      }
      return asked;
    }

    private static boolean negationIsNumberSign(List<Token> tokens, int i) {
      return tokens.get(i).plain().equals("no") && i + 1 < tokens.size() && tokens.get(i + 1).hasDigit();
    }

    private static List<Token> wordNumbersOnly(List<Token> tokens) {
      return tokens.stream().filter(token -> !token.hasDigit()).toList();
    }

    /** A crude stem: -ing and -ed off, then a final e and a doubled last letter ("shipped" → "ship"). */
    private static String stem(String word) {
      String stem = word;
      for (String suffix : List.of("ing", "ed")) {
        if (stem.endsWith(suffix) && stem.length() - suffix.length() >= 3) {
          stem = stem.substring(0, stem.length() - suffix.length());
          break;
        }
      }
      if (stem.endsWith("e") && stem.length() > 3) {
        stem = stem.substring(0, stem.length() - 1);
      }
      int last = stem.length() - 1;
      if (last >= 2 && stem.charAt(last) == stem.charAt(last - 1) && Character.isLetter(stem.charAt(last))) {
        stem = stem.substring(0, last);
      }
      return stem;
    }

    private static boolean negated(List<Token> tokens) {
      for (int i = 0; i < tokens.size(); i++) {
        String word = tokens.get(i).plain();
        if (NEGATORS.contains(word) && !negationIsNumberSign(tokens, i)) {
          return true;
        }
      }
      return false;
    }

    private static Set<String> numbers(List<Token> tokens) {
      Set<String> numbers = new HashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        Token token = tokens.get(i);
        if (token.hasDigit()) {
          numbers.addAll(numbersIn(token.plain()));
        } else if (NUMBER_WORDS.containsKey(token.plain()) && !pronounOne(tokens, i)) {
          numbers.add(NUMBER_WORDS.get(token.plain()));
        }
      }
      return numbers;
    }

    private static boolean pronounOne(List<Token> tokens, int i) {
      return tokens.get(i).plain().equals("one") && i > 0 && PRONOUN_ONE_BEFORE.contains(tokens.get(i - 1).plain());
    }

    private static Set<String> numbersIn(String plain) {
      Matcher number = NUMBER.matcher(plain);
      if (number.matches()) {
        return Set.of(canonicalNumber(plain));
      }
      Matcher withUnit = NUMBER_WITH_UNIT.matcher(plain);
      if (withUnit.matches()) {
        return Set.of(canonicalNumber(withUnit.group(1)));
      }
      Set<String> digits = new HashSet<>();
      Matcher runs = DIGITS.matcher(plain);
      while (runs.find()) {
        digits.add(canonicalNumber(runs.group()));
      }
      return digits;
    }

    /** "1,000" → "1000", "10.00" → "10", "9:00" → "9", "2,5" → "2.5", "9:15" stays. */
    private static String canonicalNumber(String number) {
      String value = number.endsWith(":00") ? number.substring(0, number.length() - 3) : number;
      if (value.contains(":")) {
        return value;
      }
      value = value.replaceAll(",(?=\\d{3}(\\D|$))", "").replace(',', '.');
      try {
        return new BigDecimal(value).stripTrailingZeros().toPlainString();
      } catch (NumberFormatException e) {
        return value;
      }
    }

    /** Tokens mixing letters and digits, and a capitalized word followed by a number (iPhone 15). */
    private static Set<String> codes(List<Token> tokens) {
      Set<String> codes = new HashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        Token token = tokens.get(i);
        if (token.hasDigit() && token.hasLetter() && !NUMBER_WITH_UNIT.matcher(token.plain()).matches()) {
          codes.add(token.plain());
        } else if (modelName(tokens, i)) {
          codes.add(token.plain() + tokens.get(i + 1).plain());
        }
      }
      return codes;
    }

    private static boolean modelName(List<Token> tokens, int i) {
      if (i + 1 >= tokens.size()) {
        return false;
      }
      Token word = tokens.get(i);
      Token next = tokens.get(i + 1);
      return word.capitalized() && !word.sentenceStart() && !word.hasDigit()
          && !MONTHS.contains(word.word()) && !DAYS.contains(word.word())
          && DIGITS.matcher(next.plain()).matches();
    }

    /** Every word glued to the next one, so a code written apart still matches its joined spelling. */
    private static Set<String> adjacentJoins(List<Token> tokens) {
      Set<String> joins = new HashSet<>();
      for (int i = 0; i + 1 < tokens.size(); i++) {
        joins.add(tokens.get(i).plain() + tokens.get(i + 1).plain());
      }
      return joins;
    }

    /** Places by the index of each token they cover; "US" counts only in capitals. */
    private static Map<Integer, String> places(List<Token> tokens) {
      Map<Integer, String> places = new HashMap<>();
      for (int i = 0; i < tokens.size(); i++) {
        if (tokens.get(i).plain().equals("us") && tokens.get(i).upperCase()) {
          places.put(i, "united states");
          continue;
        }
        for (int length = Math.min(3, tokens.size() - i); length >= 1; length--) {
          String place = PLACES.get(plainRun(tokens, i, length));
          if (place != null) {
            for (int covered = i; covered < i + length; covered++) {
              places.put(covered, place);
            }
            i += length - 1;
            break;
          }
        }
      }
      return places;
    }

    private static Set<String> names(List<Token> tokens, Set<Integer> placeTokens) {
      if (looksTitleCased(tokens)) {
        return Set.of();
      }
      Set<String> names = new LinkedHashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        Token token = tokens.get(i);
        if (token.capitalized() && !token.sentenceStart() && !token.hasDigit() && !placeTokens.contains(i)
            && !namesProduct(tokens, i)
            && !NOT_NAMES.contains(token.plain()) && !DAYS.contains(token.word()) && !MONTHS.contains(token.word())
            && !token.plain().equals("may")) {
          names.add(token.word());
        }
      }
      return names;
    }

    /** "Galaxy" in "Galaxy S23": the code names the product, so the code alone must match. */
    private static boolean namesProduct(List<Token> tokens, int i) {
      return i + 1 < tokens.size() && tokens.get(i + 1).hasDigit();
    }

    /** "How Do I Reset My Password": when most words are capitalized, capitals say nothing. */
    private static boolean looksTitleCased(List<Token> tokens) {
      int words = 0;
      int capitalized = 0;
      for (Token token : tokens) {
        if (!token.sentenceStart() && token.hasLetter() && !token.hasDigit() && token.plain().length() > 1) {
          words++;
          if (token.capitalized()) {
            capitalized++;
          }
        }
      }
      return words >= 3 && capitalized * 5 > words * 3;
    }

    private static Set<String> days(List<Token> tokens) {
      Set<String> days = new HashSet<>();
      for (Token token : tokens) {
        if (DAYS.contains(token.word())) {
          days.add(token.word());
        }
      }
      return days;
    }

    /** Months and seasons; "May" only capitalized inside a sentence, since "may" is mostly a verb. */
    private static Set<String> months(List<Token> tokens) {
      Set<String> months = new HashSet<>();
      for (Token token : tokens) {
        if (MONTHS.contains(token.word())) {
          months.add(token.word());
        } else if (token.plain().equals("may") && token.capitalized() && !token.sentenceStart()) {
          months.add("may");
        }
      }
      return months;
    }

    /** Rates: "monthly", "annually", "per month", "$10 a month", "every week", "/month". */
    private static Set<String> periods(List<Token> tokens) {
      Set<String> periods = new HashSet<>();
      for (int i = 0; i < tokens.size(); i++) {
        Token token = tokens.get(i);
        String adverb = PERIOD_ADVERBS.get(token.plain());
        if (adverb != null) {
          periods.add(adverb);
        } else if (i > 0 && PERIOD_UNITS.containsKey(token.word()) && isRate(tokens, i - 1)) {
          periods.add(PERIOD_UNITS.get(token.word()));
        }
      }
      return periods;
    }

    private static boolean isRate(List<Token> tokens, int before) {
      String word = tokens.get(before).plain();
      if (!RATE_WORDS.contains(word)) {
        return false;
      }
      boolean article = word.equals("a") || word.equals("an");
      return !article || before == 0 || !DURATION_BEFORE.contains(tokens.get(before - 1).plain());
    }
  }
}
