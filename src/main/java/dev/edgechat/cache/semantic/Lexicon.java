package dev.edgechat.cache.semantic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The words the meaning guard knows, by kind: data, not rules. Each list is a UTF-8 text file under
 * {@code /meaning-guard/} on the class path (src/main/resources/meaning-guard), read once when this
 * class is first used; the file's header says what its words are for.
 *
 * <p>A file holds one entry a line, lower-case; {@code #} starts a comment and blank lines are
 * skipped. In a map file an entry reads {@code spelling = what it stands for}, and a spelling alone
 * stands for itself. opposites.txt has columns of its own, described in the file. An entry listed
 * twice, a malformed line or a missing file fails the class's initialization with the file named, so
 * a broken list stops the guard at startup instead of quietly letting different questions through.
 */
final class Lexicon {

  private static final String FOLDER = "/meaning-guard/";

  static final Set<String> FUNCTION_WORDS = words(read("function-words"));
  static final Set<String> NEGATORS = words(read("negators"));
  static final Set<String> BARE_NEGATORS = words(read("bare-negators"));
  static final Set<String> NEGATION_FILLERS = words(read("negation-fillers"));
  static final Set<String> YES_NO_OPENERS = words(read("yes-no-openers"));
  static final Set<String> ARTICLES = words(read("articles"));
  static final Map<String, String> NUMBER_WORDS = spellings(read("number-words"));
  static final Set<String> PRONOUN_ONE_BEFORE = words(read("pronoun-one-before"));
  static final Set<String> DAYS = words(read("days"));
  static final Set<String> MONTHS = words(read("months"));
  static final Map<String, String> PERIOD_ADVERBS = spellings(read("period-adverbs"));
  static final Map<String, String> PERIOD_UNITS = spellings(read("period-units"));
  static final Set<String> RATE_WORDS = words(read("rate-words"));
  static final Set<String> DURATION_BEFORE = words(read("duration-before"));
  /** Lower-case spellings of places, mapped to one name per place. */
  static final Map<String, String> PLACES = spellings(read("places"));
  static final Set<String> NOT_NAMES = words(read("not-names"));
  static final Set<String> ABBREVIATIONS = words(read("abbreviations"));
  /** Units written onto a number, in the order listed. */
  static final List<String> NUMBER_UNITS = distinct(read("number-units"));
  /** Phrases read as one word ("sign in" → "log_in"). */
  static final Map<String, String> PHRASES = spellings(read("phrases"));
  /** Words after which "to" opens a verb ("want to", "how to"), not a direction. */
  static final Set<String> BEFORE_INFINITIVE = words(read("before-infinitive"));
  /** Chat shorthand and apostrophe-less contractions, by what they stand for ("u" → "you"). */
  static final Map<String, String> SHORTHAND = spellings(read("chat-shorthand"));
  /** Words customers use for one another where WordNet lists no shared sense, by group number. */
  static final Map<String, Integer> SYNONYM_GROUPS = groups(read("synonyms"));
  /** Opposite words, in the order the guard compares them. */
  static final List<Opposite> OPPOSITES = opposites(read("opposites"));

  /** The entries of one word list, comments and blank lines gone, and where they came from. */
  record WordList(String source, List<String> entries) {

    WordList {
      entries = List.copyOf(entries);
    }

    IllegalStateException malformed(String problem) {
      return new IllegalStateException("word list " + source + ": " + problem);
    }
  }

  private Lexicon() {
  }

  /** The most words in one spelling of {@code spellings}: how far a match must look ahead. */
  static int longestSpelling(Map<String, String> spellings) {
    return spellings.keySet().stream().mapToInt(spelling -> spelling.split(" ").length).max().orElse(1);
  }

  static Set<String> words(WordList list) {
    return Set.copyOf(distinct(list));
  }

  static List<String> distinct(WordList list) {
    Set<String> seen = new HashSet<>();
    for (String entry : list.entries()) {
      if (!seen.add(entry)) {
        throw list.malformed("\"" + entry + "\" is listed twice");
      }
    }
    return list.entries();
  }

  /** Entries "spelling = meaning", or a spelling alone that means itself. */
  static Map<String, String> spellings(WordList list) {
    Map<String, String> spellings = new HashMap<>();
    for (String entry : list.entries()) {
      String[] parts = entry.split("=", -1);
      if (parts.length > 2 || parts[0].isBlank() || parts.length == 2 && parts[1].isBlank()) {
        throw list.malformed("expected \"spelling = meaning\", got \"" + entry + "\"");
      }
      String spelling = parts[0].strip();
      String meaning = parts.length == 2 ? parts[1].strip() : spelling;
      if (spellings.put(spelling, meaning) != null) {
        throw list.malformed("\"" + spelling + "\" is listed twice");
      }
    }
    return Map.copyOf(spellings);
  }

  /** Entries "word word ...", one group each; a word may be in one group only. */
  static Map<String, Integer> groups(WordList list) {
    Map<String, Integer> groups = new HashMap<>();
    for (int group = 0; group < list.entries().size(); group++) {
      String entry = list.entries().get(group);
      String[] words = entry.split("\\s+");
      if (words.length < 2 || !entry.equals(entry.toLowerCase(java.util.Locale.ROOT))) {
        throw list.malformed("a group is two or more lower-case words, got \"" + entry + "\"");
      }
      for (String word : words) {
        Integer earlier = groups.put(word, group);
        if (earlier != null) {
          throw list.malformed("\"" + word + "\" is listed twice" + (earlier == group ? " in \"" + entry + "\""
              : ", in two groups"));
        }
      }
    }
    return Map.copyOf(groups);
  }

  /** Entries "strict|conflicting verbs|words side: forms | side: forms", as opposites.txt explains. */
  static List<Opposite> opposites(WordList list) {
    List<Opposite> opposites = new ArrayList<>();
    for (String entry : list.entries()) {
      String[] columns = entry.split("\\s+", 3);
      String[] sides = columns.length == 3 ? columns[2].split("\\|", -1) : new String[0];
      boolean known = columns.length == 3 && (columns[0].equals("strict") || columns[0].equals("conflicting"))
          && (columns[1].equals("verbs") || columns[1].equals("words"));
      if (!known || sides.length != 2 || !sides[0].contains(":") || !sides[1].contains(":")) {
        throw list.malformed("expected \"strict|conflicting verbs|words side: forms | side: forms\", got \""
            + entry + "\"");
      }
      boolean verbs = columns[1].equals("verbs");
      opposites.add(new Opposite(sideName(sides[0]), forms(list, sides[0], verbs), sideName(sides[1]),
          forms(list, sides[1], verbs), columns[0].equals("strict")));
    }
    return List.copyOf(opposites);
  }

  private static String sideName(String side) {
    return side.substring(0, side.indexOf(':')).strip();
  }

  private static Set<String> forms(WordList list, String side, boolean verbs) {
    String text = side.substring(side.indexOf(':') + 1).strip();
    if (text.isEmpty()) {
      throw list.malformed("a side without forms: \"" + side.strip() + "\"");
    }
    List<String> forms = distinct(new WordList(list.source(), List.of(text.split("\\s+"))));
    return verbs ? inflected(forms) : Set.copyOf(forms);
  }

  /** Base forms with their -ed and -ing forms; plural and third-person -s are removed from words anyway. */
  private static Set<String> inflected(List<String> bases) {
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

  /** Reads {@code /meaning-guard/<name>.txt}: comments and surrounding blanks off, empty lines skipped. */
  private static WordList read(String name) {
    String resource = FOLDER + name + ".txt";
    InputStream in = Lexicon.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException("word list " + resource + " is missing from the class path");
    }
    List<String> entries = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        int comment = line.indexOf('#');
        String entry = (comment >= 0 ? line.substring(0, comment) : line).strip();
        if (!entry.isEmpty()) {
          entries.add(entry);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read word list " + resource, e);
    }
    return new WordList(resource, entries);
  }
}
