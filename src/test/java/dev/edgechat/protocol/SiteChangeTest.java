package dev.edgechat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The change feed's records on the wire. */
class SiteChangeTest {

  /** Verifies that a change of the whole site and a purge by document read back as written, and say which they are. */
  @Test
  void json_roundTrip_wholeSiteAndDocuments() {
    SiteChange site = new SiteChange(7, "shop", 12, List.of(), Instant.parse("2026-01-02T03:04:05.678901Z"));
    SiteChange documents = new SiteChange(8, "shop", 12, List.of("returns", "faq"), Instant.parse("2026-01-02T03:04:06Z"));

    assertThat(SiteChange.fromJson(site.toJson())).isEqualTo(site);
    assertThat(SiteChange.fromJson(documents.toJson())).isEqualTo(documents);
    assertThat(site.toJson().containsKey("documents")).isFalse();
    assertThat(site.wholeSite()).isTrue();
    assertThat(documents.wholeSite()).isFalse();
  }

  /**
   * Verifies that a reported wrong hit reads back as written, is neither a change of the whole site
   * nor a purge by document, and that a change without the field (an older origin's) reads as before.
   */
  @Test
  void json_roundTrip_wrongHit() {
    SiteChange wrong = new SiteChange(9, "shop", 12, List.of(), Instant.parse("2026-01-02T03:04:07Z"),
        "is there a student discount");

    assertThat(SiteChange.fromJson(wrong.toJson())).isEqualTo(wrong);
    assertThat(wrong.toJson().getString("wrongHit")).isEqualTo("is there a student discount");
    assertThat(wrong.isWrongHit()).isTrue();
    assertThat(wrong.wholeSite()).isFalse();
    assertThat(SiteChange.fromJson(new JsonObject().put("seq", 1).put("site", "shop").put("version", 2)
        .put("at", "2026-01-01T00:00:00Z")).isWrongHit()).isFalse();
    assertThatThrownBy(() -> new SiteChange(9, "shop", 12, List.of("faq"), Instant.EPOCH, "q"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Verifies that a malformed change is refused with what it was, not half read. */
  @Test
  void fromJson_missingOrWrongField_illegalArgument() {
    assertThatThrownBy(() -> SiteChange.fromJson(new JsonObject().put("seq", 1).put("site", "shop")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed site change");
    assertThatThrownBy(() -> SiteChange.fromJson(new JsonObject().put("seq", "x").put("site", "shop")
        .put("version", 1).put("at", "2026-01-01T00:00:00Z"))).isInstanceOf(IllegalArgumentException.class);
  }

  /** Verifies that a snapshot reads back as written: its number, every site's version, the purges kept. */
  @Test
  void snapshot_roundTrip() {
    ChangeFeed.Snapshot snapshot = new ChangeFeed.Snapshot(30, Map.of("shop", 4L, "demo", 9L),
        List.of(new SiteChange(28, "shop", 4, List.of("returns"), Instant.parse("2026-01-02T03:04:05Z"))));

    assertThat(ChangeFeed.Snapshot.fromJson(snapshot.toJson())).isEqualTo(snapshot);
    assertThatThrownBy(() -> ChangeFeed.Snapshot.fromJson(new JsonObject().put("seq", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
