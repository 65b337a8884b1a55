package dev.edgechat.cache.semantic;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The signals {@link LearnedDecision} weighs to tell whether two questions mean the same, for a pair
 * the {@link MeaningGuard} does not find different for sure (its final differences, in numbers,
 * names, opposites, negation, ..., are a veto, as before issue 19): their cosine, whether the guard
 * doubts a swapped word, the share of content words they share and of words edited, the content
 * words each has without a counterpart in the other, negation and what is asked for on one side
 * only, and the same words in another order.
 *
 * <p>Weighing the guard's final differences instead of obeying them was tried and lost where the
 * error bound matters: under leave-one-domain-out cross-validation, precision 0.957 at recall 0.27
 * against 0.954 at 0.45 with the veto (docs/answer-cache.md).
 *
 * <p>A caveat on two of them, kept because leaving them out lost under cross-validation (at recall
 * 0.75, precision 0.862 instead of 0.879): the weights of the shared-word share and of the edit share
 * come out "more shared words, fewer edits: less likely the same", since the labeled hard negatives
 * are minimal edits. A near-identical repeat still scores high by its cosine, but less high than
 * its cosine alone would make it.
 *
 * <p>Each signal is a number, most of them 0 or 1; {@link #NAMES} gives their order in {@link
 * #values()}, and the weights file names them so.
 */
record MatchSignals(double[] values, MeaningGuard.Verdict verdict) {

  /** The signals in the order of {@link #values()}; the first, the constant 1, carries the bias. */
  static final List<String> NAMES = List.of(
      "bias",
      "cosine",
      "cosine_squared",
      "subject_doubt",   // the guard's doubt: one content word swapped in a question otherwise reworded
      "content_overlap", // shared content stems / all content stems (Jaccard)
      "edit_share",      // word edits / the longer wording
      "unmatched_min",   // content words without counterpart, on the side with fewer (at most 3)
      "unmatched_max",   // the same, on the side with more (at most 3)
      "negated_one",     // one question negated and the other not, whatever the negation applies to
      "asked_one",       // one question says what it asks for (how much, when, ...), the other does not
      "role_swap");      // the same content words in another order ("from my phone to the laptop")

  /** The most unmatched content words a side counts: beyond it, more say nothing new. */
  private static final int MOST_UNMATCHED = 3;

  MatchSignals {
    Objects.requireNonNull(values, "values");
    Objects.requireNonNull(verdict, "verdict");
    if (values.length != NAMES.size()) {
      throw new IllegalArgumentException("expected " + NAMES.size() + " signals, got " + values.length);
    }
  }

  /**
   * Reads the signals of a pair whose anchors the guard does not find different for sure (a final
   * difference is a veto, {@link #vetoed()}, and the other signals are then not read).
   */
  static MatchSignals of(double cosine, String question, String candidate, MeaningGuard guard) {
    return of(cosine, Anchors.of(question), Anchors.of(candidate), guard);
  }

  /** {@link #of(double, String, String, MeaningGuard)} on anchors already read (a lookup reads its question's once). */
  static MatchSignals of(double cosine, Anchors ours, Anchors theirs, MeaningGuard guard) {
    MeaningGuard.Verdict verdict = guard.compare(ours, theirs);
    double[] values = new double[NAMES.size()];
    if (!verdict.sameMeaning() && !verdict.doubtOnly()) {
      return new MatchSignals(values, verdict);
    }
    values[0] = 1;
    values[1] = cosine;
    values[2] = cosine * cosine;
    values[3] = verdict.doubtOnly() ? 1 : 0;
    values[4] = overlap(ours.content().keySet(), theirs.content().keySet());
    int longer = Math.max(ours.sequence().size(), theirs.sequence().size());
    values[5] = longer == 0 ? 0 : (double) MeaningGuard.wordEdits(ours.sequence(), theirs.sequence()) / longer;
    int[] unmatched = guard.unmatched(ours, theirs);
    values[6] = Math.min(MOST_UNMATCHED, Math.min(unmatched[0], unmatched[1]));
    values[7] = Math.min(MOST_UNMATCHED, Math.max(unmatched[0], unmatched[1]));
    values[8] = ours.negated() != theirs.negated() ? 1 : 0;
    values[9] = ours.askedFor().isEmpty() != theirs.askedFor().isEmpty() ? 1 : 0;
    values[10] = roleSwap(ours, theirs) ? 1 : 0;
    return new MatchSignals(values, verdict);
  }

  /** Whether the guard found the two questions different for sure: no score then makes them a hit. */
  boolean vetoed() {
    return !verdict.sameMeaning() && !verdict.doubtOnly();
  }

  /**
   * The same content words (at least two) in another order: "transfer files from my phone to the
   * laptop" vs "from the laptop to my phone", "my tree fell on my neighbour's wall" vs "my
   * neighbour's tree fell on my wall".
   */
  private static boolean roleSwap(Anchors ours, Anchors theirs) {
    if (ours.content().size() < 2 || !ours.content().keySet().equals(theirs.content().keySet())) {
      return false;
    }
    return !contentOrder(ours).equals(contentOrder(theirs));
  }

  private static List<String> contentOrder(Anchors anchors) {
    Set<String> spellings = new HashSet<>();
    anchors.content().values().forEach(spellings::addAll);
    return anchors.sequence().stream().filter(spellings::contains).toList();
  }

  private static double overlap(Set<String> ours, Set<String> theirs) {
    Set<String> union = new HashSet<>(ours);
    union.addAll(theirs);
    if (union.isEmpty()) {
      return 1;
    }
    Set<String> shared = new HashSet<>(ours);
    shared.retainAll(theirs);
    return (double) shared.size() / union.size();
  }
}
