package dev.edgechat.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** WAL positions in Postgres's text form. */
class LsnTest {

  /** Verifies that a position reads and writes as Postgres does, and orders as a 64-bit unsigned offset. */
  @Test
  void parse_postgresTextForm_roundTripsAndOrders() {
    Lsn lsn = Lsn.parse("16/B374D848");

    assertThat(lsn.value()).isEqualTo(0x16_B374_D848L);
    assertThat(lsn).hasToString("16/B374D848");
    assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.ZERO);
    assertThat(Lsn.parse("FFFFFFFF/FFFFFFFF").compareTo(Lsn.parse("1/0"))).isPositive();
    assertThat(Lsn.parse("1/0").reached(Lsn.parse("0/FFFFFFFF"))).isTrue();
    assertThat(Lsn.parse("0/10").max(Lsn.parse("0/9"))).isEqualTo(Lsn.parse("0/10"));
    assertThat(Lsn.parse("a/b")).isEqualTo(Lsn.parse("A/B"));
  }

  /** Verifies that what is not a position is refused, saying what a position looks like. */
  @Test
  void parse_notAPosition_refused() {
    for (String bad : new String[] {"", "16", "16/", "/1", "1/2/3", "G/1", "123456789/1", " 1/2"}) {
      assertThat(Lsn.isLsn(bad)).as(bad).isFalse();
      assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("X/Y");
    }
  }
}
