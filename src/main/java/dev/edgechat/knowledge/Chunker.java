package dev.edgechat.knowledge;

import dev.edgechat.web.VisibleText;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;

/**
 * Cuts a document into chunks for embedding: paragraph-aware, overlapping, sized in the embedding
 * model's tokens.
 *
 * <p>A chunk holds whole paragraphs while they fit in {@code maxTokens}; a paragraph too long for
 * one chunk is cut between sentences, and a sentence too long between words. Each chunk after the
 * first starts with the last sentences of the one before, up to {@code overlapTokens}, so that a
 * fact stated across a boundary is whole in at least one chunk.
 *
 * <p>Written by hand, and small: langchain4j's recursive splitter lives in its main artifact, which
 * Maven Central does not serve at the version of the langchain4j core this project uses; the
 * model's own tokenizer (the {@code tokens} function) is the library part that matters.
 */
public final class Chunker {

  private static final Pattern PARAGRAPH_BREAK = Pattern.compile("\\n\\s*\\n");
  /** After . ! ? (and closing quotes or brackets), before whitespace. */
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?][\"')\\]]?)\\s+");
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final int maxTokens;
  private final int overlapTokens;
  private final ToIntFunction<String> tokens;

  /**
   * @param maxTokens most tokens of a chunk (the embedding model's window, or less)
   * @param overlapTokens most tokens a chunk repeats from the one before; less than half of {@code maxTokens}
   * @param tokens counts the tokens of a text as the embedding model does
   */
  public Chunker(int maxTokens, int overlapTokens, ToIntFunction<String> tokens) {
    if (maxTokens < 8 || overlapTokens < 0 || overlapTokens * 2 > maxTokens) {
      throw new IllegalArgumentException("need maxTokens >= 8 and 0 <= overlapTokens <= maxTokens / 2, got "
          + maxTokens + " and " + overlapTokens);
    }
    this.maxTokens = maxTokens;
    this.overlapTokens = overlapTokens;
    this.tokens = Objects.requireNonNull(tokens);
  }

  /** The chunks of {@code text}, in order; none for a blank text. */
  public List<String> chunks(String text) {
    List<String> out = new ArrayList<>();
    Chunk current = new Chunk();
    for (String paragraph : PARAGRAPH_BREAK.split(text.strip())) {
      String cleaned = paragraph.strip();
      if (cleaned.isEmpty()) {
        continue;
      }
      List<Piece> sentences = sentences(cleaned);
      int paragraphTokens = sentences.stream().mapToInt(Piece::tokens).sum();
      if (!current.hasOnlyOverlap() && current.tokens + paragraphTokens > maxTokens) {
        current = current.closeInto(out);
      }
      current.startParagraph();
      for (Piece sentence : sentences) {
        if (!current.hasOnlyOverlap() && current.tokens + sentence.tokens() > maxTokens) {
          current = current.closeInto(out);
          current.startParagraph();
        }
        current.add(sentence);
      }
    }
    if (!current.hasOnlyOverlap()) {
      current.closeInto(out);
    }
    return out;
  }

  /** The sentences of a paragraph, each cut between words when longer than a chunk. */
  private List<Piece> sentences(String paragraph) {
    List<Piece> out = new ArrayList<>();
    for (String sentence : SENTENCE_END.split(paragraph)) {
      if (!VisibleText.in(sentence)) {
        continue; // nothing the model could embed (white space, zero-width or format characters only)
      }
      int count = tokens.applyAsInt(sentence);
      if (count <= maxTokens - overlapTokens) {
        out.add(new Piece(sentence, count));
      } else {
        splitWords(sentence, out);
      }
    }
    return out;
  }

  private void splitWords(String sentence, List<Piece> out) {
    int budget = maxTokens - overlapTokens;
    List<String> words = new ArrayList<>();
    for (String word : WHITESPACE.split(sentence)) {
      words.addAll(cutLongWord(word, budget));
    }
    StringBuilder part = new StringBuilder();
    for (String word : words) {
      String candidate = part.isEmpty() ? word : part + " " + word;
      if (!part.isEmpty() && tokens.applyAsInt(candidate) > budget) {
        out.add(new Piece(part.toString(), tokens.applyAsInt(part.toString())));
        part.setLength(0);
        part.append(word);
      } else {
        part.setLength(0);
        part.append(candidate);
      }
    }
    if (!part.isEmpty()) {
      out.add(new Piece(part.toString(), tokens.applyAsInt(part.toString())));
    }
  }

  /** A "word" longer than a chunk (a URL, a hash, a run without spaces) in pieces that each fit. */
  private List<String> cutLongWord(String word, int budget) {
    int count = tokens.applyAsInt(word);
    if (count <= budget) {
      return List.of(word);
    }
    List<String> pieces = new ArrayList<>();
    int length = Math.max(1, (int) ((long) word.length() * budget / count / 2));
    for (int at = 0; at < word.length(); at += length) {
      pieces.add(word.substring(at, Math.min(word.length(), at + length)));
    }
    return pieces;
  }

  private record Piece(String text, int tokens) {
  }

  /** A chunk being filled: its sentences, grouped in paragraphs, and how many of them repeat the last chunk. */
  private final class Chunk {
    private final List<List<Piece>> paragraphs = new ArrayList<>();
    private int tokens;
    private int overlapPieces;

    boolean hasOnlyOverlap() {
      return pieceCount() == overlapPieces;
    }

    void startParagraph() {
      if (paragraphs.isEmpty() || !paragraphs.get(paragraphs.size() - 1).isEmpty()) {
        paragraphs.add(new ArrayList<>());
      }
    }

    void add(Piece piece) {
      paragraphs.get(paragraphs.size() - 1).add(piece);
      tokens += piece.tokens();
    }

    private int pieceCount() {
      return paragraphs.stream().mapToInt(List::size).sum();
    }

    /** Adds this chunk's text to {@code out}; returns the next chunk, holding the overlap. */
    Chunk closeInto(List<String> out) {
      StringBuilder text = new StringBuilder();
      for (List<Piece> paragraph : paragraphs) {
        if (paragraph.isEmpty()) {
          continue;
        }
        if (!text.isEmpty()) {
          text.append("\n\n");
        }
        for (int i = 0; i < paragraph.size(); i++) {
          text.append(i == 0 ? "" : " ").append(paragraph.get(i).text());
        }
      }
      if (!text.isEmpty()) {
        out.add(text.toString());
      }
      Chunk next = new Chunk();
      List<Piece> tail = new ArrayList<>();
      int tailTokens = 0;
      List<Piece> last = paragraphs.isEmpty() ? List.of() : paragraphs.get(paragraphs.size() - 1);
      for (int i = last.size() - 1; i >= 0 && tailTokens + last.get(i).tokens() <= overlapTokens; i--) {
        tail.add(0, last.get(i));
        tailTokens += last.get(i).tokens();
      }
      if (!tail.isEmpty()) {
        next.paragraphs.add(tail);
        next.tokens = tailTokens;
        next.overlapPieces = tail.size();
      }
      return next;
    }
  }
}
