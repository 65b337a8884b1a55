package dev.edgechat.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** A site's own semantic settings: checked, resolved over the edge's, and carried with the site to edges. */
class SiteSemanticTest {

  /** Verifies that each setting left out is the edge's, and that a site cannot switch on what the edge switched off. */
  @Test
  void resolve_overEdgeSettings() {
    SiteSemantic off = SiteSemantic.fromJson(new JsonObject().put("enabled", false));
    SiteSemantic strict = SiteSemantic.fromJson(new JsonObject().put("maxWrongShare", 0.01).putNull("enabled"));

    assertThat(SiteSemantic.NONE.enabledOver(true)).isTrue();
    assertThat(SiteSemantic.NONE.maxWrongShareOver(0.05)).isEqualTo(0.05);
    assertThat(off.enabledOver(true)).isFalse();
    assertThat(strict.enabledOver(true)).isTrue();
    assertThat(strict.enabledOver(false)).isFalse();
    assertThat(strict.maxWrongShareOver(0.05)).isEqualTo(0.01);
    assertThat(SiteSemantic.fromJson(null)).isEqualTo(SiteSemantic.NONE);
  }

  /** Verifies that values out of bounds, of the wrong type, or unknown fields are refused naming the field. */
  @Test
  void fromJson_badValues_illegalArgumentNamingTheField() {
    for (JsonObject bad : List.of(new JsonObject().put("maxWrongShare", 0.0005), new JsonObject().put("maxWrongShare", 0.51),
        new JsonObject().put("maxWrongShare", Double.NaN), new JsonObject().put("maxWrongShare", "0.1"),
        new JsonObject().put("enabled", 1), new JsonObject().put("maxWrong", 0.1))) {
      assertThatThrownBy(() -> SiteSemantic.fromJson(bad)).as(bad.encode())
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("semantic");
    }
    assertThat(SiteSemantic.fromJson(new JsonObject().put("maxWrongShare", 0.5)).maxWrongShare())
        .isEqualTo(OptionalDouble.of(0.5));
    assertThat(SiteSemantic.fromJson(new JsonObject().put("maxWrongShare", 0.001)).maxWrongShare())
        .isEqualTo(OptionalDouble.of(0.001));
  }

  /**
   * Verifies that the settings travel with the site as origin sends it to edges, and that a site
   * from an origin that does not know them, or with a value this edge cannot read, gets the edge's.
   */
  @Test
  void site_json_carriesSettings_unknownOrUnreadableIsNone() {
    Site site = new Site("shop", "Shop", List.of("*"), null, 3, SiteLimits.NONE,
        new SiteSemantic(Optional.of(false), OptionalDouble.of(0.02)));

    assertThat(Site.fromJson(site.toJson())).isEqualTo(site);
    assertThat(Site.fromJson(site.toJson().put("semantic", new JsonObject().put("later", true))).semantic())
        .isEqualTo(SiteSemantic.NONE);
    assertThat(Site.fromJson(site.toJson().put("semantic", "x")).semantic()).isEqualTo(SiteSemantic.NONE);
    JsonObject older = site.toJson();
    older.remove("semantic");
    assertThat(Site.fromJson(older).semantic()).isEqualTo(SiteSemantic.NONE);
  }
}
