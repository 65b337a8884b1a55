package dev.edgechat.llm;

import dev.edgechat.knowledge.Passage;
import dev.edgechat.web.Cancellation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.text.BreakIterator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The model used when no LLM API key is configured: it answers by quoting the sentences of the
 * retrieved passages that best match the question, and says that it does so. No network, no cost,
 * deterministic: good for a laptop demo and for tests of everything around the model.
 */
public final class ExtractiveChatModel implements ChatModel {

  static final String PREFIX = "No language model is configured, so here is what this site's knowledge base says "
      + "(quoted, not generated):\n\n";
  static final String NOTHING_FOUND = "No language model is configured, and this site's knowledge base has no "
      + "passage about that. Try asking with other words.";

  private static final int MAX_SENTENCES = 3;
  private static final Set<String> STOP_WORDS = Set.of(
      "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "do", "does", "for", "from", "how", "i",
      "if", "in", "is", "it", "me", "my", "of", "on", "or", "our", "please", "should", "so", "that", "the",
      "their", "there", "this", "to", "was", "we", "what", "when", "where", "which", "who", "why", "will",
      "with", "would", "you", "your");

  private final Vertx vertx;

  public ExtractiveChatModel(Vertx vertx) {
    this.vertx = java.util.Objects.requireNonNull(vertx);
  }

  @Override
  public String name() {
    return "extractive";
  }

  @Override
  public Future<TokenStream> stream(ChatPrompt prompt, Cancellation cancellation) {
    Extract extract = extract(prompt);
    return Future.succeededFuture(new TextTokenStream(vertx.getOrCreateContext(), tokens(extract.text()),
        extract.quoted()));
  }

  /** An answer and the passages it quotes, in rank order. */
  record Extract(String text, List<Passage> quoted) {
  }

  /** The whole answer to {@code prompt}. */
  static String answer(ChatPrompt prompt) {
    return extract(prompt).text();
  }

  static Extract extract(ChatPrompt prompt) {
    Set<String> terms = terms(prompt.question());
    record Scored(int passage, int position, String sentence, long overlap, double score) {
    }
    List<Scored> scored = new ArrayList<>();
    List<Passage> passages = prompt.passages();
    for (int p = 0; p < passages.size(); p++) {
      List<String> sentences = sentences(passages.get(p).text());
      // a sentence is read in the context of its document's title ("Payment methods": "We accept PayPal")
      Set<String> title = terms(passages.get(p).title());
      for (int s = 0; s < sentences.size(); s++) {
        Set<String> words = terms(sentences.get(s));
        words.addAll(title);
        long overlap = words.stream().filter(terms::contains).count();
        if (overlap > 0) {
          // earlier passages ranked higher in retrieval; a small bonus keeps their order
          scored.add(new Scored(p, s, sentences.get(s), overlap, overlap + 0.1 * (passages.size() - p)));
        }
      }
    }
    if (scored.isEmpty()) {
      return new Extract(NOTHING_FOUND, List.of());
    }
    long top = scored.stream().mapToLong(Scored::overlap).max().orElse(0);
    List<Scored> best = scored.stream()
        .filter(s -> s.overlap() * 2 > top) // a sentence matching half the words the best one does is noise
        .sorted(Comparator.comparingDouble(Scored::score).reversed())
        .limit(MAX_SENTENCES)
        .sorted(Comparator.comparingInt(Scored::passage).thenComparingInt(Scored::position))
        .toList();
    StringBuilder out = new StringBuilder(PREFIX);
    int lastPassage = -1;
    for (Scored s : best) {
      if (lastPassage >= 0) {
        out.append(s.passage() == lastPassage ? " " : "\n\n");
      }
      if (s.passage() != lastPassage) {
        out.append("> ");
      }
      out.append(s.sentence().strip());
      lastPassage = s.passage();
    }
    List<Passage> quoted = best.stream().map(Scored::passage).distinct().map(passages::get).toList();
    return new Extract(out.toString(), quoted);
  }

  /** Lowercased content words, crudely stemmed, so "resetting passwords" meets "reset your password". */
  static Set<String> terms(String text) {
    Set<String> out = new HashSet<>();
    for (String word : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (word.length() > 1 && !STOP_WORDS.contains(word)) {
        out.add(stem(word));
      }
    }
    return out;
  }

  private static String stem(String word) {
    for (String suffix : List.of("ing", "ed", "es", "s")) {
      if (word.length() > suffix.length() + 3 && word.endsWith(suffix)) {
        return word.substring(0, word.length() - suffix.length());
      }
    }
    return word;
  }

  private static List<String> sentences(String text) {
    BreakIterator it = BreakIterator.getSentenceInstance(Locale.ENGLISH);
    it.setText(text);
    List<String> out = new ArrayList<>();
    for (int start = it.first(), end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String sentence = text.substring(start, end).strip();
      if (!sentence.isEmpty()) {
        out.add(sentence);
      }
    }
    return out;
  }

  /** Splits text into word tokens that keep their leading white space, as LLM tokens do. */
  static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || Character.isWhitespace(text.charAt(i)) && !Character.isWhitespace(text.charAt(i - 1))) {
        out.add(text.substring(start, i));
        start = i;
      }
    }
    return out;
  }
}
