package dev.edgechat.bench.drills;

import dev.edgechat.topology.ServiceBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code edgechat bench drills [--full] [--only NAME,…] [--fuzz-requests N] [--env NAME=VALUE …] [--out FILE]}: starts a
 * topology of real processes, runs the drills ({@link DrillRun}) and prints their table. Exits 0
 * when every drill kept its contract, 1 when one broke it, 2 when the run could not start.
 */
@Command(name = "drills", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs the reliability drills (Redis and queue outages, killed and stopped roles, upstream"
        + " faults, clients leaving, slowloris, a fuzz of every public endpoint) on a topology of real processes"
        + " and prints: drill | sent | failed | 5xx | hangs | lost | recovery time. Needs Debian's Postgres 15"
        + " and redis-server (scripts/install-services.sh).")
public final class DrillsCommand implements Callable<Integer> {

  @Option(names = "--full", description = "the full run: 30 chats per drill, 10,000 fuzz requests, 200 slowloris"
      + " connections for 75 s (default: the short run CI does: 10 chats, 1,500 fuzz requests, 40 connections for 40 s)")
  private boolean full;

  @Option(names = "--only", split = ",", paramLabel = "NAME",
      description = "run only these drills, comma-separated: fuzz, slowloris, upstream-500, upstream-429,"
          + " upstream-stall, upstream-cut, client-leaves, cache-redis, limits, queue-redis, worker-kill, term-worker,"
          + " origin-kill, term-origin, term-edge, term-all (default: all, in that order)")
  private List<String> only;

  @Option(names = "--fuzz-requests", paramLabel = "N", description = "requests of the fuzz (default: 1,500, or 10,000"
      + " with --full)")
  private Integer fuzzRequests;

  @Option(names = "--base-dir", paramLabel = "DIR",
      description = "keep the topology's files and logs here (default: a temporary folder, deleted afterwards)")
  private Path baseDir;

  @Option(names = "--out", paramLabel = "FILE", description = "also write the table to this file")
  private Path out;

  @Option(names = "--env", paramLabel = "NAME=VALUE",
      description = "an environment variable for the drill's edge, origin and role all, e.g. a setting to try; repeatable")
  private java.util.Map<String, String> env;

  @Override
  public Integer call() throws Exception {
    Optional<String> missing = ServiceBinaries.missing();
    if (missing.isPresent()) {
      System.err.println("bench drills: " + missing.get());
      return 2;
    }
    DrillPlan plan = full ? DrillPlan.full() : DrillPlan.brief();
    if (fuzzRequests != null) {
      plan = plan.withFuzzRequests(fuzzRequests);
    }
    Set<String> chosen = only == null ? Set.of() : new LinkedHashSet<>(only);
    long start = System.nanoTime();
    List<DrillRun.Outcome> outcomes;
    try {
      outcomes = DrillRun.run(plan, chosen, Optional.ofNullable(baseDir), env == null ? java.util.Map.of() : env,
          row -> System.err.println("bench drills: " + row.name() + " " + (row.passed() ? "kept its contract"
              : "BROKE its contract: " + row.breaches())));
    } catch (IllegalArgumentException e) {
      System.err.println("bench drills: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      System.err.println("bench drills: the run failed: " + e);
      return 2;
    }
    String table = "Drills, " + plan.name() + " run, " + (System.nanoTime() - start) / 1_000_000_000 + " s:\n\n"
        + DrillRun.table(outcomes);
    System.out.println(table);
    if (out != null) {
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(out, table);
    }
    return outcomes.stream().allMatch(DrillRun.Outcome::passed) ? 0 : 1;
  }
}
