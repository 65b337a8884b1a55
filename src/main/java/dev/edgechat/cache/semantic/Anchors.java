package dev.edgechat.cache.semantic;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The anchors of one question: the few words a change of which changes the answer, read from its
 * {@link QuestionTokenizer tokens} with the word lists of {@link Lexicon}. {@link MeaningGuard}
 * compares two questions' anchors; this class only reads them.
 *
 * <p>{@code words} are all its words (for opposites), {@code vocabulary} what a name of the other
 * question may match, {@code content} its stemmed content words by stem, {@code sequence} its words
 * in order without articles (for the edit distance), {@code askedFor} what its opening words ask for,
 * {@code negatedHeads} what each negator applies to, {@code digitNumbers} whether a number is written
 * in digits, {@code codeSpellings} what a code of the other question may match ("iphone15" matches
 * "iPhone 15"), {@code directions} which way each thing a "to" or "from" points at goes, {@code
 * meridiems} am or pm of each time that says so.
 */
record Anchors(List<String> sequence, Set<String> words, Set<String> vocabulary,
    Map<String, Set<String>> content, Set<String> askedFor, Set<String> stems, boolean negated,
    Set<String> negatedHeads, Set<String> numbers, boolean digitNumbers, Set<String> codes,
    Set<String> codeSpellings, Set<String> names, Set<String> days, Set<String> months, Set<String> periods,
    Set<String> places, Map<String, String> directions, Map<String, String> meridiems) {

  /** What a negator that is its own object ("none", "nothing") applies to. */
  static final String BARE_NEGATION = "(bare)";

  /** What a question asks for when it asks the way to do something: "how do I", "how can I". */
  static final String WAY = "way";

  /** Words that say which way something goes, by the way: to (or into) it, or from it. */
  private static final Map<String, String> DIRECTION_WORDS = Map.of("to", "to", "into", "to", "towards", "to",
      "onto", "to", "from", "from");

  /** The units that say which half of the day a time is in ("6am", "6 pm"). */
  private static final Set<String> MERIDIEMS = Set.of("am", "pm");

  /** How many words after a direction word may hold what it points at. */
  private static final int DIRECTION_REACH = 3;

  /** How many words after a negator may hold what it applies to. */
  private static final int NEGATION_REACH = 4;

  /** Units written onto a number ("10gb", "5kg", "7pm"): the number counts, not as a code. */
  private static final Pattern NUMBER_WITH_UNIT = Pattern.compile(
      "(\\d+(?:\\.\\d+|:\\d\\d)?)(" + String.join("|", Lexicon.NUMBER_UNITS) + ")");

  private static final Pattern DIGITS = Pattern.compile("\\d+");

  /** A comma that groups thousands ("1,000"), not a decimal comma ("2,5"). */
  private static final Pattern THOUSANDS_COMMA = Pattern.compile(",(?=\\d{3}(\\D|$))");

  private static final int LONGEST_PLACE = Lexicon.longestSpelling(Lexicon.PLACES);

  /** Words another anchor compares already, in one of several spellings. */
  private static final Set<String> ANCHOR_WORDS = anchorWords();

  /**
   * The side a word of a conflicting opposite names ("disable" and "turn_off" both name "off"), so
   * that the subject rule compares sides rather than spellings.
   */
  private static final Map<String, String> OPPOSITE_SIDES = oppositeSides();

  /** Reads the anchors of {@code question}. */
  static Anchors of(String question) {
    List<Token> tokens = QuestionTokenizer.tokens(question);
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
    List<String> sequence = tokens.stream().map(Token::word).filter(word -> !Lexicon.ARTICLES.contains(word))
        .toList();
    return new Anchors(sequence, words, vocabulary, content(words), askedFor(tokens), stems, negated(tokens),
        negatedHeads(tokens), numbers, digitNumbers, codes, codeSpellings,
        names(tokens, places.keySet()), days(tokens), months(tokens), periods(tokens),
        new HashSet<>(places.values()), directions(tokens), meridiems(tokens));
  }

  /**
   * Which way each thing a direction word points at goes, stemmed: "transfer files from my phone
   * to the laptop" → {phone: from, laptop: to}; "ship to the UK" → {uk: to}. What the word points at
   * is the first word within reach after it that is not a function word ("my", "the").
   */
  private static Map<String, String> directions(List<Token> tokens) {
    Map<String, String> directions = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      String way = DIRECTION_WORDS.get(tokens.get(i).plain());
      if (way == null || i > 0 && Lexicon.BEFORE_INFINITIVE.contains(tokens.get(i - 1).plain())) {
        continue; // "want to return", "how to cancel": the verb after it goes nowhere
      }
      for (int j = i + 1; j < tokens.size() && j <= i + DIRECTION_REACH; j++) {
        String word = tokens.get(j).word();
        if (!Lexicon.FUNCTION_WORDS.contains(word)) {
          directions.putIfAbsent(stem(OPPOSITE_SIDES.getOrDefault(word, word)), way);
          break;
        }
      }
    }
    return directions;
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
      if (!Lexicon.FUNCTION_WORDS.contains(word) && !anchor) {
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
      if (!Lexicon.NEGATORS.contains(word) || negationIsNumberSign(tokens, i)) {
        continue;
      }
      if (Lexicon.BARE_NEGATORS.contains(word)) {
        heads.add(BARE_NEGATION);
        continue;
      }
      String head = BARE_NEGATION;
      for (int j = i + 1; j < tokens.size() && j <= i + NEGATION_REACH; j++) {
        String next = tokens.get(j).word();
        if (!Lexicon.NEGATION_FILLERS.contains(next) && !Lexicon.NEGATION_FILLERS.contains(tokens.get(j).plain())) {
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
          case "many" -> Lexicon.PERIOD_UNITS.containsKey(third) || third.equals("minute") ? "time" : "amount";
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
    boolean yesOrNo = !tokens.isEmpty() && Lexicon.YES_NO_OPENERS.contains(tokens.get(0).plain());
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
      if (Lexicon.NEGATORS.contains(word) && !negationIsNumberSign(tokens, i)) {
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
      } else if (Lexicon.NUMBER_WORDS.containsKey(token.plain()) && !pronounOne(tokens, i)) {
        numbers.add(Lexicon.NUMBER_WORDS.get(token.plain()));
      }
    }
    return numbers;
  }

  /**
   * The half of the day each time says, by its number: "6am" and "6 pm" → {6: am, 6: pm}. A time
   * without am or pm says neither, so "close at 9" still meets "close at 9pm".
   */
  private static Map<String, String> meridiems(List<Token> tokens) {
    Map<String, String> meridiems = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (!token.hasDigit()) {
        continue;
      }
      Matcher withUnit = NUMBER_WITH_UNIT.matcher(token.plain());
      if (withUnit.matches() && MERIDIEMS.contains(withUnit.group(2))) {
        meridiems.put(canonicalNumber(withUnit.group(1)), withUnit.group(2));
      } else if (QuestionTokenizer.NUMBER.matcher(token.plain()).matches() && i + 1 < tokens.size()
          && MERIDIEMS.contains(tokens.get(i + 1).plain())) {
        meridiems.put(canonicalNumber(token.plain()), tokens.get(i + 1).plain());
      }
    }
    return meridiems;
  }

  private static boolean pronounOne(List<Token> tokens, int i) {
    return tokens.get(i).plain().equals("one") && i > 0
        && Lexicon.PRONOUN_ONE_BEFORE.contains(tokens.get(i - 1).plain());
  }

  private static Set<String> numbersIn(String plain) {
    Matcher number = QuestionTokenizer.NUMBER.matcher(plain);
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
    value = THOUSANDS_COMMA.matcher(value).replaceAll("").replace(',', '.');
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
        && !Lexicon.MONTHS.contains(word.word()) && !Lexicon.DAYS.contains(word.word())
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
      for (int length = Math.min(LONGEST_PLACE, tokens.size() - i); length >= 1; length--) {
        String place = Lexicon.PLACES.get(QuestionTokenizer.plainRun(tokens, i, length));
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
          && !Lexicon.NOT_NAMES.contains(token.plain())
          && !Lexicon.DAYS.contains(token.word()) && !Lexicon.MONTHS.contains(token.word())
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
      if (Lexicon.DAYS.contains(token.word())) {
        days.add(token.word());
      }
    }
    return days;
  }

  /** Months and seasons; "May" only capitalized inside a sentence, since "may" is mostly a verb. */
  private static Set<String> months(List<Token> tokens) {
    Set<String> months = new HashSet<>();
    for (Token token : tokens) {
      if (Lexicon.MONTHS.contains(token.word())) {
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
      String adverb = Lexicon.PERIOD_ADVERBS.get(token.plain());
      if (adverb != null) {
        periods.add(adverb);
      } else if (i > 0 && Lexicon.PERIOD_UNITS.containsKey(token.word()) && isRate(tokens, i - 1)) {
        periods.add(Lexicon.PERIOD_UNITS.get(token.word()));
      }
    }
    return periods;
  }

  private static boolean isRate(List<Token> tokens, int before) {
    String word = tokens.get(before).plain();
    if (!Lexicon.RATE_WORDS.contains(word)) {
      return false;
    }
    boolean article = word.equals("a") || word.equals("an");
    return !article || before == 0 || !Lexicon.DURATION_BEFORE.contains(tokens.get(before - 1).plain());
  }

  private static Set<String> anchorWords() {
    Set<String> words = new HashSet<>(Lexicon.NUMBER_WORDS.keySet());
    words.addAll(Lexicon.DAYS);
    words.addAll(Lexicon.MONTHS);
    words.addAll(Lexicon.PERIOD_ADVERBS.keySet());
    for (Opposite opposite : Lexicon.OPPOSITES) {
      if (opposite.strict()) {
        words.addAll(opposite.oneForms());
        words.addAll(opposite.otherForms());
      }
    }
    for (String place : Lexicon.PLACES.keySet()) {
      words.addAll(List.of(place.split(" ")));
    }
    return words;
  }

  private static Map<String, String> oppositeSides() {
    Map<String, String> sides = new HashMap<>();
    for (Opposite opposite : Lexicon.OPPOSITES) {
      if (!opposite.strict()) {
        opposite.oneForms().forEach(form -> sides.put(form, opposite.one()));
        opposite.otherForms().forEach(form -> sides.put(form, opposite.other()));
      }
    }
    return sides;
  }
}
