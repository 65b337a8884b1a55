package dev.edgechat.cache.semantic;

import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * Two words (with their forms) that flip a question's meaning, as listed in opposites.txt. A strict
 * pair rejects any difference in the sides named; the others only a question naming a side the other
 * does not while that one names a side too.
 */
record Opposite(String one, Set<String> oneForms, String other, Set<String> otherForms, boolean strict) {

  boolean differs(Set<String> ourSides, Set<String> theirSides) {
    if (ourSides.equals(theirSides)) {
      return false;
    }
    return strict || !ourSides.isEmpty() && !theirSides.isEmpty();
  }

  Set<String> sidesIn(Set<String> words) {
    Set<String> sides = new TreeSet<>();
    if (!Collections.disjoint(oneForms, words)) {
      sides.add(one);
    }
    if (!Collections.disjoint(otherForms, words)) {
      sides.add(other);
    }
    return sides;
  }
}
