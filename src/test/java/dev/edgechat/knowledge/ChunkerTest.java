package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ChunkerTest {

  /** One token per word keeps the arithmetic of these tests visible. */
  private static final ToIntFunction<String> WORDS = text -> text.isBlank() ? 0 : text.strip().split("\\s+").length;

  private static String sentence(String topic, int words) {
    return topic + " " + IntStream.range(1, words).mapToObj(i -> "w" + i).collect(Collectors.joining(" ")) + ".";
  }

  /** Verifies that short paragraphs are packed whole into one chunk, separated as they were. */
  @Test
  void chunks_shortParagraphs_packedTogether() {
    Chunker chunker = new Chunker(50, 10, WORDS);

    List<String> chunks = chunker.chunks("Shipping is free.\n\n  Returns take 30 days.  \n\n\n");

    assertThat(chunks).containsExactly("Shipping is free.\n\nReturns take 30 days.");
  }

  /** Verifies that a paragraph that does not fit starts a new chunk rather than being cut. */
  @Test
  void chunks_paragraphNotFitting_startsNewChunkWithOverlap() {
    Chunker chunker = new Chunker(20, 5, WORDS);
    String first = sentence("alpha", 8) + " " + sentence("beta", 4);
    String second = sentence("gamma", 10);

    List<String> chunks = chunker.chunks(first + "\n\n" + second);

    assertThat(chunks).hasSize(2);
    assertThat(chunks.get(0)).isEqualTo(first);
    // the second repeats the first's last sentence (4 words <= 5) before its own paragraph
    assertThat(chunks.get(1)).isEqualTo(sentence("beta", 4) + "\n\n" + second);
  }

  /** Verifies that a long paragraph is cut between sentences, each chunk within the bound, the text all kept. */
  @Test
  void chunks_longParagraph_cutBetweenSentencesWithinBound() {
    Chunker chunker = new Chunker(30, 8, WORDS);
    String paragraph = IntStream.range(0, 12).mapToObj(i -> sentence("s" + i, 7)).collect(Collectors.joining(" "));

    List<String> chunks = chunker.chunks(paragraph);

    assertThat(chunks).hasSizeGreaterThan(3).allSatisfy(chunk -> assertThat(WORDS.applyAsInt(chunk)).isLessThanOrEqualTo(30));
    for (int i = 0; i < 12; i++) {
      String s = sentence("s" + i, 7);
      assertThat(chunks).anySatisfy(chunk -> assertThat(chunk).contains(s));
    }
    for (int i = 1; i < chunks.size(); i++) {
      String previous = chunks.get(i - 1);
      String lastSentence = previous.substring(previous.lastIndexOf(" s") + 1);
      assertThat(chunks.get(i)).as("chunk %d starts with the last sentence of the one before", i).startsWith(lastSentence);
    }
  }

  /** Verifies that a sentence longer than a chunk is cut between words, losing none. */
  @Test
  void chunks_hugeSentence_cutBetweenWords() {
    Chunker chunker = new Chunker(16, 4, WORDS);
    String huge = sentence("huge", 40);

    List<String> chunks = chunker.chunks(huge);

    assertThat(chunks).allSatisfy(chunk -> assertThat(WORDS.applyAsInt(chunk)).isLessThanOrEqualTo(16));
    assertThat(String.join(" ", chunks)).contains("huge w1 w2").contains("w39.");
  }

  /** Verifies that a "word" longer than a chunk (no spaces at all) is cut into pieces that each fit, losing nothing. */
  @Test
  void chunks_wordLongerThanChunk_cutToFit() {
    // one token per four characters, as a tokenizer splits a long run of letters
    ToIntFunction<String> perFourChars = text -> (text.strip().length() + 3) / 4;
    Chunker chunker = new Chunker(16, 4, perFourChars);
    String run = "x".repeat(300);

    List<String> chunks = chunker.chunks(run);

    assertThat(chunks).allSatisfy(chunk -> assertThat(perFourChars.applyAsInt(chunk)).isLessThanOrEqualTo(16));
    assertThat(String.join("", chunks).replace(" ", "").length()).isGreaterThanOrEqualTo(300);
  }

  /** Verifies that a blank document has no chunks. */
  @Test
  void chunks_blankText_none() {
    assertThat(new Chunker(16, 4, WORDS).chunks(" \n\n \t")).isEmpty();
  }

  /** Verifies that an overlap of half the chunk or more is refused. */
  @Test
  void constructor_overlapTooLarge_refused() {
    assertThatThrownBy(() -> new Chunker(20, 11, WORDS)).isInstanceOf(IllegalArgumentException.class);
  }
}
