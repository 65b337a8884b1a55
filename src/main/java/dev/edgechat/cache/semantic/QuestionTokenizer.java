package dev.edgechat.cache.semantic;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a question into the {@link Token}s the meaning guard compares. Chat shorthand is written out
 * ({@link ChatShorthand}: "u" reads "you", "doesnt" "does not"), contractions are expanded
 * ("isn't" reads "is not"), surrounding punctuation, possessives and clitics come off, hyphenated
 * words are joined ("e-mail") unless they begin with a number ("2-year"), "a/b" reads "a per b", the
 * phrases of phrases.txt become one word ("sign in" → "log_in"), and each word remembers how it was
 * written and whether it opened a sentence.
 */
final class QuestionTokenizer {

  /** A number as written: "10", "1,000", "2.5", "9:30". */
  static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*(?::\\d\\d)?");

  private static final Pattern LETTERS = Pattern.compile("\\p{L}+");
  private static final Pattern CONTRACTIONS = Pattern.compile("(?i)\\b(can't|cannot|won't|shan't)\\b|n't\\b");
  private static final Pattern CLITIC = Pattern.compile("'(s|m|re|ve|d|ll)?$");
  // compiled once: a lookup reads the anchors of its question and of each candidate, word by word
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final Pattern NON_HYPHEN = Pattern.compile("(?i)\\bnon-");
  private static final Pattern SURROUNDING_PUNCTUATION = Pattern.compile("^[^\\p{L}\\p{N}]+|[^\\p{L}\\p{N}']+$");
  private static final Pattern INNER_DOT = Pattern.compile("(?<=\\p{L})\\.(?=\\p{L})");
  private static final Pattern OTHER_SIGNS = Pattern.compile("[^\\p{L}\\p{N}.,:'-]");
  private static final int LONGEST_PHRASE = Lexicon.longestSpelling(Lexicon.PHRASES);

  private QuestionTokenizer() {
  }

  static List<Token> tokens(String text) {
    String expanded = expandContractions(ChatShorthand.expand(text).replace('\u2019', '\'').replace('\u2018', '\''));
    List<Token> tokens = new ArrayList<>();
    boolean sentenceStart = true;
    for (String chunk : WHITESPACE.split(expanded.strip())) {
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

  /** The plain spellings of {@code length} tokens from {@code start}, joined by spaces: "log in". */
  static String plainRun(List<Token> tokens, int start, int length) {
    StringBuilder run = new StringBuilder(tokens.get(start).plain());
    for (int i = start + 1; i < start + length; i++) {
      run.append(' ').append(tokens.get(i).plain());
    }
    return run.toString();
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
    return NON_HYPHEN.matcher(expanded).replaceAll("non ");
  }

  private static boolean endsSentence(String chunk) {
    char last = chunk.charAt(chunk.length() - 1);
    if (last == '!' || last == '?' || last == ':' || last == ';') {
      return true;
    }
    return last == '.' && !Lexicon.ABBREVIATIONS.contains(chunk.toLowerCase(Locale.ROOT));
  }

  /**
   * The words in one whitespace-separated chunk: surrounding punctuation and clitics ('s, 'm) off,
   * "a/b" split ("$10/month" reads "10 per month"), hyphens joined ("e-mail", "X-200") unless the
   * first part is a number ("2-year", "two-factor").
   */
  private static List<String> pieces(String chunk) {
    String trimmed = SURROUNDING_PUNCTUATION.matcher(chunk).replaceAll("");
    trimmed = CLITIC.matcher(trimmed).replaceAll("");
    trimmed = INNER_DOT.matcher(trimmed).replaceAll("");
    List<String> pieces = new ArrayList<>();
    String[] slashParts = trimmed.split("/");
    for (int i = 0; i < slashParts.length; i++) {
      if (i > 0 && !slashParts[i].isEmpty() && Character.isLetter(slashParts[i].charAt(0))) {
        pieces.add("per");
      }
      pieces.addAll(hyphenated(OTHER_SIGNS.matcher(slashParts[i]).replaceAll("")));
    }
    return pieces;
  }

  private static List<String> hyphenated(String part) {
    String[] parts = part.split("-");
    if (parts.length == 1) {
      return List.of(part);
    }
    String first = parts[0].toLowerCase(Locale.ROOT);
    if (NUMBER.matcher(first).matches() || Lexicon.NUMBER_WORDS.containsKey(first)) {
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
        String phrase = Lexicon.PHRASES.get(plainRun(tokens, i, length));
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
      if (Lexicon.PHRASES.containsKey(plainRun(tokens, start, length))) {
        return length;
      }
    }
    return 1;
  }

  /** A rough singular: "deliveries" → "delivery", "boxes" → "box", "days" → "day". */
  static String singular(String word) {
    if (word.length() <= 3 || !word.endsWith("s") || word.chars().anyMatch(Character::isDigit)
        || Lexicon.FUNCTION_WORDS.contains(word)) {
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
}
