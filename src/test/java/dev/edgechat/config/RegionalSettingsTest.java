package dev.edgechat.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-region URLs from one app-wide value ({@code region=url,region=url}): each process takes its
 * region's, a plain URL still works, and a missing region or a malformed map stops the start naming
 * the setting.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class RegionalSettingsTest {

  private static final String REDIS_MAP = "fra=redis://fra-redis.internal:6379, sin=rediss://:s3cret@sin-redis.internal:6380/2 ,"
      + "ord=redis://ord-redis.internal:6379";

  @TempDir
  Path dir;

  private Future<EdgechatConfig> load(Vertx vertx, String... env) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < env.length; i += 2) {
      map.put(env[i], env[i + 1]);
    }
    return new ConfigLoader(vertx, dir, map).load().map(LiveConfig::get);
  }

  /**
   * Verifies that each region takes its own entry of one app-wide EDGECHAT_REDIS_URL: by FLY_REGION,
   * by EDGECHAT_REGION (which wins over FLY_REGION), and that the region's entry keeps its password,
   * port and database.
   */
  @Test
  void load_redisUrlRegionMap_eachRegionTakesItsOwn(Vertx vertx, VertxTestContext ctx) {
    Future<EdgechatConfig> sin = load(vertx, "EDGECHAT_REDIS_URL", REDIS_MAP, "FLY_REGION", "sin");
    Future<EdgechatConfig> fra = load(vertx, "EDGECHAT_REDIS_URL", REDIS_MAP, "FLY_REGION", "sin",
        "EDGECHAT_REGION", "fra");
    Future.all(sin, fra).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(sin.result().region()).isEqualTo("sin");
      assertThat(sin.result().redis().url()).contains(URI.create("rediss://:s3cret@sin-redis.internal:6380/2"));
      assertThat(fra.result().region()).isEqualTo("fra");
      assertThat(fra.result().redis().url()).contains(URI.create("redis://fra-redis.internal:6379"));
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that a plain URL still works in every region, including one whose parameters hold
   * {@code =} (not taken for a map), and that {@code region=} with no URL is "none in this region".
   */
  @Test
  void load_plainUrlOrEmptyEntry_asBefore(Vertx vertx, VertxTestContext ctx) {
    Future<EdgechatConfig> plain = load(vertx, "EDGECHAT_REDIS_URL", "rediss://cache.internal:6380?sslmode=verify-ca",
        "FLY_REGION", "sin");
    Future<EdgechatConfig> none = load(vertx, "EDGECHAT_REDIS_URL", "fra=redis://fra-redis.internal:6379,sin=",
        "FLY_REGION", "sin");
    Future.all(plain, none).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(plain.result().redis().url()).contains(URI.create("rediss://cache.internal:6380?sslmode=verify-ca"));
      assertThat(none.result().redis().url()).isEmpty();
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that a region with no entry stops the start with a message naming the setting, its
   * variable, the region and where it came from, and the regions the map has, without any URL's password.
   */
  @Test
  void load_regionWithoutEntry_failsNamingSettingAndRegions(Vertx vertx, VertxTestContext ctx) {
    Future<EdgechatConfig> ams = load(vertx, "EDGECHAT_REDIS_URL", REDIS_MAP, "FLY_REGION", "ams");
    Future<EdgechatConfig> unset = load(vertx, "EDGECHAT_REDIS_URL", REDIS_MAP);
    Future.join(ams, unset).onComplete(v -> ctx.verify(() -> {
      assertThat(ams.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("redis.url").hasMessageContaining("EDGECHAT_REDIS_URL")
          .hasMessageContaining("no entry for region ams (from FLY_REGION)")
          .hasMessageContaining("fra, sin, ord")
          .hasMessageNotContaining("s3cret");
      assertThat(unset.cause()).isInstanceOf(ConfigException.class)
          .hasMessageContaining("no entry for region local")
          .hasMessageContaining("EDGECHAT_REGION and FLY_REGION are not set");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies that malformed maps fail clearly, naming the setting and never echoing a password: a
   * plain URL among region entries, a bad region name, one region given twice, and a map where one
   * URL serves every region (the primary).
   */
  @Test
  void load_malformedMap_failsNamingWhatIsWrong(Vertx vertx, VertxTestContext ctx) {
    Future<EdgechatConfig> mixed = load(vertx, "EDGECHAT_REDIS_URL", "fra=redis://a:6379,redis://:s3cret@b:6379",
        "FLY_REGION", "fra");
    Future<EdgechatConfig> badRegion = load(vertx, "EDGECHAT_REDIS_URL", "fra=redis://a:6379,s!n=redis://b:6379",
        "FLY_REGION", "fra");
    Future<EdgechatConfig> twice = load(vertx, "EDGECHAT_REDIS_URL", "fra=redis://a:6379,fra=redis://:s3cret@b:6379",
        "FLY_REGION", "fra");
    Future<EdgechatConfig> primary = load(vertx, "EDGECHAT_POSTGRES_URL", "ord=postgres://db:5432/x",
        "FLY_REGION", "ord");
    Future<EdgechatConfig> badEntryUrl = load(vertx, "EDGECHAT_ORIGIN_URL", "fra=ftp://origin.internal,sin=http://o",
        "FLY_REGION", "fra");
    Future.join(List.of(mixed, badRegion, twice, primary, badEntryUrl)).onComplete(v -> ctx.verify(() -> {
      assertThat(mixed.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("EDGECHAT_REDIS_URL")
          .hasMessageContaining("malformed region map").hasMessageContaining("entry 2 is not region=value")
          .hasMessageNotContaining("s3cret");
      assertThat(badRegion.cause()).hasMessageContaining("redis.url").hasMessageContaining("region 's!n'");
      assertThat(twice.cause()).hasMessageContaining("redis.url").hasMessageContaining("region fra has 2 entries")
          .hasMessageNotContaining("s3cret");
      assertThat(primary.cause()).hasMessageContaining("postgres.url")
          .hasMessageContaining("one URL for every region");
      assertThat(badEntryUrl.cause()).hasMessageContaining("origin.url")
          .hasMessageContaining("entry for region fra").hasMessageContaining("scheme http or https");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies the other per-region URLs: origin.url and queue.redisUrl take their region's entry;
   * postgres.replicaUrls takes every entry of its region (several replicas), none for {@code region=},
   * and fails for a region it does not list.
   */
  @Test
  void load_otherRegionalUrls_takeTheirRegions(Vertx vertx, VertxTestContext ctx) {
    String replicas = "ord=postgres://r1.internal:5432/edgechat,ord=postgres://r2.internal:5432/edgechat,"
        + "fra=postgres://r3.internal:5432/edgechat?sslmode=require,sin=";
    String[] common = {"EDGECHAT_POSTGRES_REPLICA_URLS", replicas,
        "EDGECHAT_ORIGIN_URL", "fra=http://fra.origin.internal:8080,sin=http://sin.origin.internal:8080,ord=http://o:8080",
        "EDGECHAT_QUEUE_REDIS_URL", "fra=redis://q-fra:6379,sin=redis://q-sin:6379,ord=redis://q-ord:6379"};
    Future<EdgechatConfig> ord = load(vertx, with(common, "FLY_REGION", "ord"));
    Future<EdgechatConfig> fra = load(vertx, with(common, "FLY_REGION", "fra"));
    Future<EdgechatConfig> sin = load(vertx, with(common, "FLY_REGION", "sin"));
    Future<EdgechatConfig> ams = load(vertx, "EDGECHAT_POSTGRES_REPLICA_URLS", replicas, "EDGECHAT_REGION", "ams");
    Future.join(List.of(ord, fra, sin, ams)).onComplete(v -> ctx.verify(() -> {
      assertThat(ord.result().postgres().replicaUrls()).containsExactly(
          URI.create("postgres://r1.internal:5432/edgechat"), URI.create("postgres://r2.internal:5432/edgechat"));
      assertThat(ord.result().redis().queueUrl()).contains(URI.create("redis://q-ord:6379"));
      assertThat(fra.result().postgres().replicaUrls())
          .containsExactly(URI.create("postgres://r3.internal:5432/edgechat?sslmode=require"));
      assertThat(fra.result().origin().url()).contains(URI.create("http://fra.origin.internal:8080"));
      assertThat(sin.result().postgres().replicaUrls()).isEmpty();
      assertThat(sin.result().origin().url()).contains(URI.create("http://sin.origin.internal:8080"));
      assertThat(sin.result().redis().queueUrl()).contains(URI.create("redis://q-sin:6379"));
      assertThat(ams.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("postgres.replicaUrls")
          .hasMessageContaining("EDGECHAT_POSTGRES_REPLICA_URLS").hasMessageContaining("no entry for region ams")
          .hasMessageContaining("ord, fra, sin");
      ctx.completeNow();
    }));
  }

  /**
   * Verifies the files hold the same: a map written in edgechat.yaml is read as the variable is, a
   * region file's plain URL wins over it for that region, and a YAML mapping under a URL setting is
   * refused with the way to write it.
   */
  @Test
  void load_mapInFiles_sameRulesAndRegionFileWins(Vertx vertx, VertxTestContext ctx) throws IOException {
    Files.writeString(dir.resolve("edgechat.yaml"),
        "redis:\n  url: \"fra=redis://fra-redis:6379,sin=redis://sin-redis:6379\"\n");
    Files.writeString(dir.resolve("sin.yaml"), "redis:\n  url: redis://sin-local:6379\n");
    Path mapping = Files.createDirectory(dir.resolve("mapping"));
    Files.writeString(mapping.resolve("edgechat.yaml"), "redis:\n  url:\n    fra: redis://fra-redis:6379\n");
    Future<EdgechatConfig> fra = load(vertx, "FLY_REGION", "fra");
    Future<EdgechatConfig> sin = load(vertx, "FLY_REGION", "sin");
    Future<EdgechatConfig> yamlMapping = new ConfigLoader(vertx, mapping, Map.of("FLY_REGION", "fra")).load()
        .map(LiveConfig::get);
    Future.join(fra, sin, yamlMapping).onComplete(v -> ctx.verify(() -> {
      assertThat(fra.result().redis().url()).contains(URI.create("redis://fra-redis:6379"));
      assertThat(sin.result().redis().url()).contains(URI.create("redis://sin-local:6379"));
      assertThat(yamlMapping.cause()).isInstanceOf(ConfigException.class).hasMessageContaining("redis.url")
          .hasMessageContaining("edge-config/<region>.yaml");
      ctx.completeNow();
    }));
  }

  private static String[] with(String[] common, String... more) {
    String[] out = java.util.Arrays.copyOf(common, common.length + more.length);
    System.arraycopy(more, 0, out, common.length, more.length);
    return out;
  }
}
