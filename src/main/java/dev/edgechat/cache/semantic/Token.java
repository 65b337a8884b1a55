package dev.edgechat.cache.semantic;

/**
 * One word of a question: {@code word} lower-case and singular, {@code plain} lower-case as written;
 * {@code capitalized} and {@code upperCase} describe the original, {@code sentenceStart} whether it
 * opened a sentence (where capitals say nothing).
 */
record Token(String word, String plain, boolean capitalized, boolean upperCase, boolean sentenceStart) {

  boolean hasDigit() {
    return plain.chars().anyMatch(Character::isDigit);
  }

  boolean hasLetter() {
    return plain.chars().anyMatch(Character::isLetter);
  }
}
