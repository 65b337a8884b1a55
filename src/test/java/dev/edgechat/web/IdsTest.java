package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Random;
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

  /** Random spellings, most of them URL-safe Base64: bits for exactly those Java's decoder reads back as written. */
  @Test
  void bits_randomStrings_agreeWithJavasBase64() {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=!";
    Random random = new Random(20261208);
    int accepted = 0;
    for (int i = 0; i < 200_000; i++) {
      char[] chars = new char[22];
      for (int c = 0; c < chars.length; c++) {
        chars[c] = alphabet.charAt(random.nextInt(alphabet.length()));
      }
      String text = new String(chars);
      Ids.Bits expected = null;
      try {
        byte[] bytes = Base64.getUrlDecoder().decode(text);
        if (Base64.getUrlEncoder().withoutPadding().encodeToString(bytes).equals(text)) {
          ByteBuffer buffer = ByteBuffer.wrap(bytes);
          expected = new Ids.Bits(buffer.getLong(), buffer.getLong());
        }
      } catch (IllegalArgumentException notBase64) {
        // expected stays null
      }
      assertThat(Ids.bits(text)).as(text).isEqualTo(expected);
      accepted += expected == null ? 0 : 1;
    }
    assertThat(accepted).as("canonical spellings met").isGreaterThan(2_000);
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
