package dev.edgechat.cache.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TyposTest {

  /** Verifies each kind of slip is one edit, in either order, and that two slips or none are not. */
  @Test
  void oneEditApart_eachKindOfSlip() {
    for (String[] pair : new String[][] {
        {"cancle", "cancel"}, {"keybaord", "keyboard"}, // neighbours swapped
        {"acount", "account"}, {"flght", "flight"},     // left out
        {"seet", "seat"}, {"warrenty", "warranty"},     // replaced
        {"intergrate", "integrate"}, {"orderr", "order"}}) { // inserted
      assertThat(Typos.oneEditApart(pair[0], pair[1])).as("%s / %s", pair[0], pair[1]).isTrue();
      assertThat(Typos.oneEditApart(pair[1], pair[0])).as("%s / %s", pair[1], pair[0]).isTrue();
    }
    for (String[] pair : new String[][] {
        {"order", "order"}, {"cancel", "cancelled"}, {"retrun", "retunr"}, {"abcd", "badc"},
        {"colour", "color "}, {"refund", "rebund2"}, {"ab", "ba c"}}) {
      assertThat(Typos.oneEditApart(pair[0], pair[1])).as("%s / %s", pair[0], pair[1]).isFalse();
    }
  }
}
