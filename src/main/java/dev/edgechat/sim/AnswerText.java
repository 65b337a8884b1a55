package dev.edgechat.sim;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Writes the simulated answer: sentences of words from the last user message mixed with a fixed
 * vocabulary, drawn by a {@link Random} seeded with a hash of the conversation. The same
 * conversation always gets the same answer, whatever the model, streaming or token limit; a
 * limited answer is a prefix of the full one.
 */
final class AnswerText {

  private static final String[] VOCABULARY = {
    "the", "a", "your", "this", "that", "it", "you", "we", "can", "will", "should", "may", "is", "are",
    "to", "of", "in", "on", "for", "with", "from", "by", "and", "or", "then", "when", "if", "after",
    "account", "settings", "page", "option", "menu", "button", "link", "email", "support", "team",
    "request", "answer", "details", "step", "steps", "help", "guide", "section", "profile", "order",
    "open", "select", "choose", "check", "find", "follow", "update", "save", "contact", "reset",
    "simply", "usually", "first", "next", "also", "again", "below", "above", "there", "here",
  };

  private AnswerText() {
  }

  /**
   * The answer as tokens, each a word with its leading space.
   *
   * @param count how many tokens; the answer's length in full
   */
  static List<String> tokens(ChatRequest request, int count) {
    StringBuilder conversation = new StringBuilder();
    for (ChatRequest.Message message : request.messages()) {
      conversation.append(message.role()).append('\u0000').append(message.text()).append('\u0001');
    }
    Random random = new Random(StableHash.of(conversation));
    List<String> topic = topicWords(request.lastUserText());
    List<String> tokens = new ArrayList<>(count);
    int sentenceLeft = 0;
    for (int i = 0; i < count; i++) {
      boolean sentenceStart = sentenceLeft == 0;
      if (sentenceStart) {
        sentenceLeft = 6 + random.nextInt(7);
      }
      String word = !topic.isEmpty() && random.nextInt(4) == 0
          ? topic.get(random.nextInt(topic.size()))
          : VOCABULARY[random.nextInt(VOCABULARY.length)];
      if (sentenceStart) {
        word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
      }
      sentenceLeft--;
      if (sentenceLeft == 0 || i == count - 1) {
        word += ".";
      }
      tokens.add(" " + word);
    }
    return tokens;
  }

  /** Distinct words of four letters or more, in order of first use. */
  private static List<String> topicWords(String text) {
    Set<String> words = new LinkedHashSet<>();
    for (String word : Words.of(text)) {
      if (word.length() >= 4) {
        words.add(word);
      }
    }
    return List.copyOf(words);
  }
}
