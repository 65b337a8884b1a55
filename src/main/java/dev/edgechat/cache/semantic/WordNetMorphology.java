package dev.edgechat.cache.semantic;

import dev.edgechat.cache.semantic.WordNetTable.Part;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A word's base forms in one part of speech ("selections" → selection, "chose" → choose, "e-mail" →
 * email): WordNet's morphology ("morphy") as extJWNL runs it with the configuration its WordNet 3.1
 * data ships ({@code res_properties.xml}), step for step, on {@link WordNetTable} instead of
 * WordNet's files. The steps, in order:
 *
 * <ol>
 *   <li>the exception list's base forms of the word;
 *   <li>each listed suffix detached and its replacement put on ("-ies" → "-y"), keeping a stem that
 *       is in the index, and the exception list's base forms of each stem;
 *   <li>the word split into its runs of letters; each run with its own base forms (as above, and the
 *       run itself, always); then every indexed joining of consecutive runs' forms, with a space, a
 *       hyphen or nothing between them.
 * </ol>
 *
 * <p>{@code WordNetTableTest} holds this to extJWNL's answers word by word. One deliberate
 * difference: the joinings grow as 2^runs, so a word of more than {@value #MAX_RUNS} runs
 * ("a1a1a1a1a1…", which a visitor can type) skips the last step, where extJWNL would work on it for
 * minutes.
 */
final class WordNetMorphology {

  private static final Map<Part, String[][]> SUFFIXES = new EnumMap<>(Map.of(
      Part.NOUN, suffixes("s=", "ses=s", "xes=x", "zes=z", "ches=ch", "shes=sh", "men=man", "ies=y"),
      Part.VERB, suffixes("s=", "ies=y", "es=e", "es=", "ed=e", "ed=", "ing=e", "ing="),
      Part.ADJECTIVE, suffixes("er=", "est=", "er=e", "est=e")));
  private static final String[] JOINS = {" ", "-"};
  /**
   * Most runs of letters a word is split into and joined again: 151 of WordNet's 155,000 lemmas have
   * more (multi-word names: "jack-in-the-pulpit" has 4), and at 5 the worst case is some 30,000 look-ups.
   */
  static final int MAX_RUNS = 5;

  private final WordNetTable table;

  WordNetMorphology(WordNetTable table) {
    this.table = table;
  }

  /** The base forms of {@code word} in {@code part}, in the order found, without repeats; empty if none. */
  Set<String> baseForms(Part part, String word) {
    Set<String> forms = new LinkedHashSet<>();
    if (word == null || word.isEmpty()) {
      return forms;
    }
    forms.addAll(table.exceptions(part, word));
    detachSuffixes(part, word, forms);
    joinRuns(part, word, forms);
    return forms;
  }

  private void detachSuffixes(Part part, String word, Collection<String> forms) {
    for (String[] suffix : SUFFIXES.getOrDefault(part, new String[0][])) {
      if (word.endsWith(suffix[0])) {
        String stem = word.substring(0, word.length() - suffix[0].length()) + suffix[1];
        addIfIndexed(part, stem, forms);
        forms.addAll(table.exceptions(part, stem));
      }
    }
  }

  private void addIfIndexed(Part part, String lemma, Collection<String> forms) {
    if (table.inIndex(part, lemma)) {
      forms.add(lemma);
    }
  }

  private void joinRuns(Part part, String word, Collection<String> forms) {
    List<String> runs = letterRuns(word);
    if (runs.size() > MAX_RUNS) {
      return;
    }
    List<List<String>> runForms = new ArrayList<>(runs.size());
    for (String run : runs) {
      Set<String> own = new LinkedHashSet<>();
      own.add(run);
      addIfIndexed(part, run, own);
      own.addAll(table.exceptions(part, run));
      detachSuffixes(part, run, own);
      runForms.add(List.copyOf(own));
    }
    for (int first = 0; first < runForms.size(); first++) {
      for (int last = runForms.size() - 1; last >= first; last--) {
        joinEveryChoice(part, runForms.subList(first, last + 1), forms);
      }
    }
  }

  /** Every choice of one form per run, joined every way; the indexed joinings are base forms. */
  private void joinEveryChoice(Part part, List<List<String>> runForms, Collection<String> forms) {
    int[] choice = new int[runForms.size()];
    String[] chosen = new String[runForms.size()];
    while (true) {
      for (int i = 0; i < choice.length; i++) {
        chosen[i] = runForms.get(i).get(choice[i]);
      }
      for (String join : JOINS) {
        joinEveryWay(part, chosen, join, forms);
      }
      int i = choice.length - 1;
      while (i >= 0 && choice[i] == runForms.get(i).size() - 1) {
        choice[i--] = 0;
      }
      if (i < 0) {
        return;
      }
      choice[i]++;
    }
  }

  /** Each gap between the runs either holds {@code join} or closes up: all 2^(runs-1) ways. */
  private void joinEveryWay(Part part, String[] runs, String join, Collection<String> forms) {
    int gaps = runs.length - 1;
    BitSet closed = new BitSet(gaps);
    while (true) {
      StringBuilder lemma = new StringBuilder(runs[0]);
      for (int i = 1; i < runs.length; i++) {
        if (!closed.get(i - 1)) {
          lemma.append(join);
        }
        lemma.append(runs[i]);
      }
      addIfIndexed(part, lemma.toString(), forms);
      int gap = gaps - 1;
      while (gap >= 0 && closed.get(gap)) {
        closed.clear(gap--);
      }
      if (gap < 0) {
        return;
      }
      closed.set(gap);
    }
  }

  /** The word's runs of letters a–z and apostrophes; anything else separates them (extJWNL's split). */
  private static List<String> letterRuns(String word) {
    List<String> runs = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= word.length(); i++) {
      char c = i < word.length() ? word.charAt(i) : ' ';
      boolean letter = (c >= 'a' && c <= 'z') || c == '\'';
      if (letter && start < 0) {
        start = i;
      } else if (!letter && start >= 0) {
        runs.add(word.substring(start, i));
        start = -1;
      }
    }
    return runs;
  }

  private static String[][] suffixes(String... rules) {
    String[][] pairs = new String[rules.length][];
    for (int i = 0; i < rules.length; i++) {
      pairs[i] = rules[i].split("=", -1);
    }
    return pairs;
  }
}
