package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void bits_anyIdMade_spellsTheSameIdBack() {
    for (int i = 0; i < 10_000; i++) {
      String id = Ids.next();
      Ids.Bits bits = Ids.bits(id);

      assertThat(Ids.text(bits.high(), bits.low())).isEqualTo(id);
    }
  }

  @Test
  void bits_areTheIdsBytesInOrder() {
    byte[] bytes = new byte[16];
    for (int i = 0; i < 16; i++) {
      bytes[i] = (byte) (0xF0 + i);
    }
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

    assertThat(Ids.bits(id)).isEqualTo(new Ids.Bits(0xF0F1F2F3F4F5F6F7L, 0xF8F9FAFBFCFDFEFFL));
  }

  @Test
  void bits_whatNoIdIs_null() {
    String id = Ids.next();

    assertThat(Ids.bits(null)).isNull();
    assertThat(Ids.bits(id.substring(1))).as("too short").isNull();
    assertThat(Ids.bits(id + "A")).as("too long").isNull();
    assertThat(Ids.bits(id.substring(0, 10) + "+" + id.substring(11))).as("not URL-safe Base64").isNull();
    assertThat(Ids.bits(id.substring(0, 21) + "B")).as("the same bits spelled otherwise").isNull();
  }
}
