package dev.edgechat.config;

import io.vertx.config.ConfigChange;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.Yaml;

/**
 * Loads the settings with vertx-config: the defaults built into the jar, then
 * {@code <configDir>/edgechat.yaml}, then {@code <configDir>/<region>.yaml}, then {@code EDGECHAT_*}
 * environment variables. Validates them at start (a bad value fails the start) and, when the
 * files change, applies the [tunable] ones to the {@link LiveConfig}.
 */
public final class ConfigLoader {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);
  private static final String DEFAULTS_RESOURCE = "/edge-config/edgechat.yaml";

  private final Vertx vertx;
  private final Path configDir;
  private final Map<String, String> env;
  private final JsonObject defaults;
  private ConfigRetriever watcher;
  /** The settings JSON of the last load or reload accepted: what the next reload's changes are told against. */
  private JsonObject inForce;

  /**
   * @param configDir the operator's folder of settings files (it need not exist)
   * @param env the process environment; tests pass their own
   */
  public ConfigLoader(Vertx vertx, Path configDir, Map<String, String> env) {
    this.vertx = Objects.requireNonNull(vertx);
    this.configDir = Objects.requireNonNull(configDir);
    this.env = Map.copyOf(env);
    this.defaults = readDefaults();
  }

  /** The folder named by {@code EDGECHAT_CONFIG_DIR}, else {@code ./edge-config}. */
  public static Path configDir(Map<String, String> env) {
    return Path.of(env.getOrDefault("EDGECHAT_CONFIG_DIR", "edge-config"));
  }

  /**
   * Reads and validates the settings once, then watches the files if {@code config.scanPeriodMs} &gt; 0.
   * Fails with a {@link ConfigException} naming the setting when a value is bad.
   */
  public Future<LiveConfig> load() {
    EnvironmentOverlay overlay = new EnvironmentOverlay(defaults, env);
    overlay.warnAboutUnknownVariables();
    ConfigRetriever once = ConfigRetriever.create(vertx, options(0));
    once.setConfigurationProcessor(overlay::apply);
    return once.getConfig()
        .eventually(() -> {
          once.close();
          return Future.succeededFuture();
        })
        .compose(json -> {
          EdgechatConfig config = new SettingsReader(json, defaults).read(env);
          LiveConfig live = new LiveConfig(config);
          watch(json, overlay, live, config.scanPeriodMs());
          return Future.succeededFuture(live);
        });
  }

  /** Stops watching the files. */
  public void close() {
    if (watcher != null) {
      watcher.close();
    }
  }

  private void watch(JsonObject startJson, EnvironmentOverlay overlay, LiveConfig live, long scanPeriodMs) {
    if (scanPeriodMs <= 0) {
      return;
    }
    watcher = ConfigRetriever.create(vertx, options(scanPeriodMs));
    watcher.setConfigurationProcessor(overlay::apply);
    inForce = startJson;
    watcher.listen(change -> reload(change, live));
  }

  /**
   * Applies the [tunable] settings of a changed file and logs what changed since the settings in
   * force (the last load or reload accepted, not those of the start): applied, or waiting for a
   * restart. A file with bad values is refused whole, naming each of them.
   */
  private void reload(ConfigChange change, LiveConfig live) {
    JsonObject json = change.getNewConfiguration();
    EdgechatConfig reloaded;
    try {
      reloaded = new SettingsReader(json, defaults).read(env);
    } catch (ConfigException e) {
      LOG.error("settings reload refused, keeping the settings in force [reason: {}]", e.getMessage());
      return;
    }
    TreeSet<String> tunable = new TreeSet<>();
    TreeSet<String> needRestart = new TreeSet<>();
    Map<String, Object> before = SettingPath.leaves(inForce);
    inForce = json;
    SettingPath.leaves(json).forEach((path, value) -> {
      if (!Objects.equals(before.get(path), value)) {
        (Tunables.PATHS.contains(path) ? tunable : needRestart).add(path);
      }
    });
    live.applyTunables(reloaded);
    if (!tunable.isEmpty()) {
      LOG.info("settings reloaded [applied: {}]", tunable);
    }
    if (!needRestart.isEmpty()) {
      LOG.warn("settings changed that apply only at the next start [settings: {}]", needRestart);
    }
  }

  private ConfigRetrieverOptions options(long scanPeriodMs) {
    String region = env.getOrDefault("EDGECHAT_REGION", env.getOrDefault("FLY_REGION", "local"));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(scanPeriodMs > 0 ? scanPeriodMs : Long.MAX_VALUE)
        .addStore(new ConfigStoreOptions().setType("json").setConfig(defaults))
        .addStore(fileStore(configDir.resolve("edgechat.yaml")));
    if (region.matches("[A-Za-z0-9_-]{1,64}")) {
      options.addStore(fileStore(configDir.resolve(region + ".yaml")));
    }
    return options;
  }

  private static ConfigStoreOptions fileStore(Path path) {
    return new ConfigStoreOptions()
        .setType("file")
        .setFormat("yaml")
        .setOptional(true)
        .setConfig(new JsonObject().put("path", path.toAbsolutePath().toString()));
  }

  private static JsonObject readDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the jar");
      }
      Object yaml = new Yaml().load(in);
      return new JsonObject(Json.encode(yaml));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
