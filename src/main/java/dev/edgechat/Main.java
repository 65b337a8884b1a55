package dev.edgechat;

import dev.edgechat.bench.BenchCommand;
import dev.edgechat.config.Artifact;
import dev.edgechat.config.ConfigException;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.db.Migrations;
import dev.edgechat.topology.TopologyCommand;
import io.vertx.core.Vertx;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar edgechat.jar [ROLE] [options]}: starts one role and runs until stopped (role all
 * without one). Each role is a subcommand ({@link RoleCommand}) with a help of its own; bench and
 * topology have their own command lines; migrate applies the schema and exits.
 */
@Command(name = "edgechat", mixinStandardHelpOptions = true, version = "edgechat 0.1",
    description = {
        "Backend and widget for embeddable AI chat. One jar, several roles; without one, role all.",
        "`edgechat <role> --help` lists what that role needs and accepts."},
    subcommands = {RoleCommand.All.class, RoleCommand.Edge.class, RoleCommand.Origin.class, RoleCommand.Worker.class,
        RoleCommand.Sim.class, Main.Migrate.class},
    footerHeading = "%n",
    footer = {
        "Also:",
        "  bench     load generator against a running edge (and sim): see `edgechat bench --help`",
        "  topology  the edge network as deployed, real processes on this machine: see `edgechat topology --help`",
        "Settings: edge-config/edgechat.yaml (every setting, its default and meaning), edge-config/<region>.yaml,",
        "EDGECHAT_* environment variables."},
    sortOptions = false, usageHelpWidth = 120)
public final class Main extends RoleCommand {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  Main() {
    super(Role.ALL);
  }

  public static void main(String[] args) {
    // what logs through java.util.logging (jvector) goes to logback, in the same format and levels (logback.xml)
    SLF4JBridgeHandler.removeHandlersForRootLogger();
    SLF4JBridgeHandler.install();
    if (args.length > 0 && args[0].equals("bench") && !Artifact.holds("dev.edgechat.bench.BenchCommand")) {
      System.err.println("edgechat: the bench is not in this artifact (edgechat-slim.jar, for deployments);"
          + " run it from the developer's jar: java -jar edgechat.jar bench --help");
      System.exit(2);
    }
    int exit = args.length > 0 && args[0].equals("bench")
        ? BenchCommand.execute(Arrays.copyOfRange(args, 1, args.length))
        : args.length > 0 && args[0].equals("topology")
        ? TopologyCommand.execute(Arrays.copyOfRange(args, 1, args.length))
        : commandLine().execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** The command line of the roles and migrate; {@code execute} runs the one named (role all without one). */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).setSubcommandsCaseInsensitive(true);
  }

  /** {@code edgechat migrate}. */
  @Command(name = "migrate", mixinStandardHelpOptions = true,
      header = "apply the database migrations to EDGECHAT_POSTGRES_URL and exit (Fly's release_command)", usageHelpWidth = 120,
      description = {
          "Applies the database migrations to postgres.url and exits (Fly's release_command); the roles that",
          "migrate at start (origin, worker) then find nothing to do. Exit 0 when the schema is current."},
      footerHeading = "%n",
      footer = {
          "Needs:",
          "  EDGECHAT_POSTGRES_URL        postgres.url: the primary",
          "Accepts: EDGECHAT_CONFIG_DIR (folder of edgechat.yaml) and nothing else."})
  static final class Migrate implements Callable<Integer> {
    @Override
    public Integer call() {
      return migrate();
    }
  }

  /**
   * {@code edgechat migrate}: applies the database migrations to {@code postgres.url} and exits, so a
   * deployment runs them once before any new process starts (Fly's {@code release_command}); the roles
   * that migrate at start (origin, worker) then find nothing to do. Exit 0 when the schema is current.
   */
  private static int migrate() {
    Map<String, String> env = System.getenv();
    Vertx vertx = Vertx.vertx();
    ConfigLoader loader = new ConfigLoader(vertx, ConfigLoader.configDir(env), env);
    try {
      EdgechatConfig settings = loader.load().toCompletionStage().toCompletableFuture().get().get();
      java.net.URI url = settings.postgres().url().orElseThrow(() -> new ConfigException(
          "setting postgres.url (EDGECHAT_POSTGRES_URL) is required for migrate"));
      Migrations.migrate(url);
      LOG.info("migrations applied [postgres: {}:{}]", url.getHost(), url.getPort());
      return 0;
    } catch (ConfigException e) {
      System.err.println("edgechat: " + e.getMessage());
      return 1;
    } catch (ExecutionException e) {
      System.err.println("edgechat: " + e.getCause().getMessage());
      return 1;
    } catch (RuntimeException | InterruptedException e) {
      System.err.println("edgechat: migrations failed: " + e.getMessage());
      LOG.debug("migrations failed", e);
      return 1;
    } finally {
      loader.close();
      vertx.close();
    }
  }
}
