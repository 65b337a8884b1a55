package dev.edgechat.bench;

import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgechat bench --target URL [--sim URL] …}: runs {@link FirstTokenBench}, prints its
 * markdown table and writes {@code first-token.md} and {@code first-token.json} to {@code --out}.
 * Exits 0, or 1 when a phase had no successful request or the run could not start.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = {SemanticLookupBench.class, KnowledgeBench.class, PlanScenario.class, GatewayBench.class,
        ReplicaReadBench.class, EdgeLatencyBench.class, OpenStreamsBench.class, dev.edgechat.bench.drills.DrillsCommand.class},
    description = "Measures time to ready, first token and whole answer through an edge and, with --sim,"
        + " straight from a sim role process, closed loop at a fixed concurrency.")
public final class BenchCommand implements Callable<Integer> {

  static final String REPORT_NAME = "first-token";

  @Spec
  private CommandSpec spec;

  @Option(names = "--scenario", paramLabel = "NAME",
      description = "run a scenario instead: 'plan' (the same as `bench plan`; the options after it are the scenario's)")
  private String scenario;

  @Option(names = "--target", paramLabel = "URL",
      description = "edge base URL, e.g. http://127.0.0.1:8080")
  private URI target;

  @Option(names = "--sim", paramLabel = "URL",
      description = "base URL of a sim role process for the direct baseline, e.g. http://127.0.0.1:9090")
  private URI sim;

  @Option(names = "--requests", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_REQUESTS,
      description = "measured requests per phase (default: ${DEFAULT-VALUE})")
  private int requests;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_CONCURRENCY,
      description = "requests in flight at once (default: ${DEFAULT-VALUE})")
  private int concurrency;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "" + BenchOptions.DEFAULT_WARMUP,
      description = "unrecorded requests per phase before the measured ones (default: ${DEFAULT-VALUE})")
  private int warmup;

  @Option(names = "--site", paramLabel = "SITE", defaultValue = BenchOptions.DEFAULT_SITE,
      description = "site to ask (default: ${DEFAULT-VALUE})")
  private String site;

  @Option(names = "--question", paramLabel = "TEXT",
      description = "a question to ask; repeat for several (default: ten demo-shop questions)")
  private List<String> questions;

  @Option(names = "--verbatim",
      description = "ask the questions as given, not made unique: after the first of each, the edge answers from its"
          + " cache (measures cache hits)")
  private boolean verbatim;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results",
      description = "folder for " + REPORT_NAME + ".md and " + REPORT_NAME + ".json (default: ${DEFAULT-VALUE})")
  private Path out;

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs {@code bench} with {@code args}; {@code --scenario plan} first (or {@code --scenario=plan})
   * is the {@code plan} subcommand, the options after it are the scenario's.
   *
   * @return the exit code
   */
  public static int execute(String[] args) {
    String[] effective = args;
    if (args.length >= 2 && args[0].equals("--scenario") && args[1].equals("plan")) {
      effective = java.util.Arrays.copyOfRange(args, 1, args.length);
    } else if (args.length >= 1 && args[0].equals("--scenario=plan")) {
      effective = args.clone();
      effective[0] = "plan";
    }
    return new CommandLine(new BenchCommand()).setAllowSubcommandsAsOptionParameters(true).execute(effective);
  }

  @Override
  public Integer call() throws Exception {
    if (scenario != null) {
      // a known scenario was turned into its subcommand by execute(); only unknown ones get here
      throw new CommandLine.ParameterException(spec.commandLine(), "Unknown scenario '" + scenario + "'; known: plan");
    }
    if (target == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Missing required option: '--target=URL'");
    }
    BenchOptions options;
    try {
      options = new BenchOptions(target, sim, requests, concurrency, warmup, site,
          questions == null ? BenchOptions.DEFAULT_QUESTIONS : questions, verbatim);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Vertx vertx = Vertx.vertx();
    BenchReport report;
    try {
      report = FirstTokenBench.run(vertx, options).await();
    } catch (RuntimeException e) {
      System.err.println("bench: the run failed: " + e);
      return 1;
    } finally {
      vertx.close().await();
    }
    String markdown = report.toMarkdown();
    System.out.println(markdown);
    Files.createDirectories(out);
    Files.writeString(out.resolve(REPORT_NAME + ".md"), markdown);
    Files.writeString(out.resolve(REPORT_NAME + ".json"), report.toJson().encodePrettily() + "\n");
    System.err.println("bench: wrote " + out.resolve(REPORT_NAME + ".md") + " and " + REPORT_NAME + ".json");
    return report.anyPhaseAllFailed() ? 1 : 0;
  }
}
