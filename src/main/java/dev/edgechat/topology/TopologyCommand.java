package dev.edgechat.topology;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code edgechat topology [--regions fra:90,sin:180] [--primary-edge-rtt-ms 1] …}: starts a
 * multi-region deployment on this machine ({@link Topology}), prints what runs where, and runs until Ctrl-C, which stops it all.
 */
@Command(name = "topology", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
    description = {
        "Starts the edge network on this machine as deployed, every part a real process on loopback:",
        "a Postgres 15 primary with a streaming replica, a Redis per region and the queue Redis, origin and worker",
        "(and the sim upstream) in the primary region, an edge in each other region (and, when asked, in the",
        "primary region too), with round trips between regions put by delay proxies. Prints a table of what runs",
        "where (also in <base-dir>/topology.json) and runs until Ctrl-C. Needs Debian's postgresql (15) and",
        "redis-server: scripts/install-services.sh."})
public final class TopologyCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--regions", paramLabel = "NAME:RTT", split = ",",
      description = "edge regions and each one's round trip to origin in ms (default: fra:90,sin:180)")
  private List<String> regions;

  @Option(names = "--primary", paramLabel = "NAME", defaultValue = "ord",
      description = "the primary region: Postgres, origin, worker (default: ${DEFAULT-VALUE})")
  private String primary;

  @Option(names = "--primary-edge-rtt-ms", paramLabel = "MS",
      description = "also run an edge in the primary region, this round trip from origin (e.g. 1), on the primary"
          + " region's Redis (default: none)")
  private Long primaryEdgeRttMs;

  @Option(names = "--redis-rtt-ms", paramLabel = "MS", defaultValue = "1",
      description = "round trip between a role and its region's Redis (default: ${DEFAULT-VALUE})")
  private long redisRttMs;

  @Option(names = "--sim", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "run the sim role as origin's LLM upstream; --no-sim: origin's offline extractive answers"
          + " (default: ${DEFAULT-VALUE})")
  private boolean sim;

  @Option(names = "--base-dir", paramLabel = "DIR",
      description = "folder for logs, data and topology.json, kept after the stop (default: a temporary folder,"
          + " deleted on stop)")
  private Path baseDir;

  @Option(names = "--jvm-option", paramLabel = "OPTION",
      description = "an option for every role's JVM, e.g. --jvm-option=-Xmx512m; repeat for several")
  private List<String> jvmOptions;

  /** Runs {@code topology} with {@code args}; returns the exit code. */
  public static int execute(String[] args) {
    return new CommandLine(new TopologyCommand()).execute(args);
  }

  @Override
  public Integer call() throws InterruptedException {
    TopologySettings settings;
    try {
      settings = TopologySettings.defaults()
          .withPrimaryRegion(primary)
          .withEdgeRegions(regions == null ? TopologySettings.DEFAULT_EDGE_REGIONS
              : regions.stream().map(EdgeRegion::parse).toList())
          .withRedisRttMs(redisRttMs)
          .withSim(sim)
          .withJvmOptions(jvmOptions == null ? List.of() : jvmOptions);
      if (primaryEdgeRttMs != null) {
        settings = settings.withPrimaryEdge(primaryEdgeRttMs);
      }
      if (baseDir != null) {
        settings = settings.withBaseDir(baseDir);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    Topology topology;
    try {
      topology = Topology.start(settings);
    } catch (RuntimeException e) {
      System.err.println("topology: did not start: " + e.getMessage());
      return 1;
    }
    System.out.println();
    System.out.print(topology.table());
    System.out.println();
    System.out.println("Up in " + topology.startup().toMillis() + " ms; what runs where: "
        + topology.baseDir().resolve("topology.json"));
    RoleProcess firstEdge = topology.edges().get(settings.edgeRegions().get(0).name());
    System.out.println("Ask the edge in " + firstEdge.region() + ":");
    System.out.println("  curl -N -H 'Accept: text/event-stream' -d '{\"site\":\"demo\",\"message\":\"How do I reset"
        + " my password?\"}' " + firstEdge.url() + "/v1/chat");
    System.out.println("Ctrl-C stops everything.");
    // Ctrl-C runs the topology's shutdown hook, which stops every part in order
    new CountDownLatch(1).await();
    return 0;
  }
}
