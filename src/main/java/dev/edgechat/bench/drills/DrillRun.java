package dev.edgechat.bench.drills;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the drills in order on one {@link DrillRig}: the fuzz and slowloris first (on a healthy
 * system), then upstream faults, clients leaving, Redis outages, the worker, origin and edge killed
 * or stopped, and role {@code all} stopped. A drill that throws is a row with the breach "could not
 * run"; the next drill waits until the system serves again.
 */
public final class DrillRun {

  private static final Logger LOG = LoggerFactory.getLogger(DrillRun.class);

  /** The drills by name, in the order they run. */
  public static final List<String> DRILLS = List.of("fuzz", "slowloris", "upstream-500", "upstream-429",
      "upstream-stall", "upstream-cut", "client-leaves", "cache-redis", "limits", "queue-redis", "worker-kill",
      "term-worker", "origin-kill", "term-origin", "term-edge", "term-all");

  private interface Drill {
    DrillOutcome run() throws Exception;
  }

  private DrillRun() {
  }

  /**
   * Starts a topology, runs {@code only} (every drill when empty) of {@link #DRILLS} at the size of
   * {@code plan}, and stops it; {@code extraEnv} goes to the drill's edge, origin and role {@code all};
   * {@code progress} gets each outcome as it comes.
   *
   * @return the outcomes, in order
   */
  public static List<Outcome> run(DrillPlan plan, Set<String> only, Optional<Path> baseDir,
      Map<String, String> extraEnv, Consumer<Outcome> progress) {
    for (String name : only) {
      if (!DRILLS.contains(name)) {
        throw new IllegalArgumentException("no drill named '" + name + "'; drills: " + DRILLS);
      }
    }
    List<Outcome> outcomes = new ArrayList<>();
    try (DrillRig rig = DrillRig.start(baseDir, extraEnv)) {
      FaultDrills faults = new FaultDrills(rig, plan);
      Map<String, Drill> drills = new LinkedHashMap<>();
      drills.put("fuzz", () -> EndpointFuzz.run(rig, plan));
      drills.put("slowloris", () -> Slowloris.run(rig, plan));
      drills.put("upstream-500", () -> faults.upstreamFault("500", 0.3));
      drills.put("upstream-429", () -> faults.upstreamFault("429", 0.3));
      drills.put("upstream-stall", () -> faults.upstreamFault("stall", 0.3));
      drills.put("upstream-cut", () -> faults.upstreamFault("cut", 0.3));
      drills.put("client-leaves", faults::clientLeaves);
      drills.put("cache-redis", faults::cacheRedisDown);
      drills.put("limits", faults::visitorLimits);
      drills.put("queue-redis", faults::queueRedisDown);
      drills.put("worker-kill", faults::workerKilled);
      drills.put("term-worker", faults::workerTerminated);
      drills.put("origin-kill", faults::originKilled);
      drills.put("term-origin", () -> faults.terminated("origin"));
      drills.put("term-edge", () -> faults.terminated("edge"));
      drills.put("term-all", () -> faults.terminatedAll(rig.topology().baseDir().resolve("drill-all")));
      for (Map.Entry<String, Drill> drill : drills.entrySet()) {
        if (!only.isEmpty() && !only.contains(drill.getKey())) {
          continue;
        }
        LOG.info("drill {} starts", drill.getKey());
        DrillOutcome outcome;
        List<String> revived = List.of();
        try {
          revived = rig.reviveDead();
          outcome = drill.getValue().run();
        } catch (Exception | AssertionError e) {
          LOG.warn("drill {} could not run", drill.getKey(), e);
          outcome = new DrillOutcome(drill.getKey());
          outcome.breach("the drill could not run: " + e);
          rig.awaitServing(Duration.ofMinutes(3));
        }
        if (!revived.isEmpty()) {
          LOG.warn("before drill {}: {} had died though no drill stopped it; started again", drill.getKey(), revived);
          outcome.note("before it: " + revived + " had died though no drill stopped it (another program on the machine?)"
              + "; started again");
        }
        Outcome row = new Outcome(drill.getKey(), outcome);
        outcomes.add(row);
        LOG.info("drill {} done: {}", drill.getKey(), outcome.passed() ? "kept" : "BROKEN " + outcome.breaches());
        progress.accept(row);
      }
      faults.close();
    }
    return outcomes;
  }

  /** The table of {@code outcomes}, markdown, with each drill's breaches and notes below it. */
  public static String table(List<Outcome> outcomes) {
    return DrillTable.render(outcomes.stream().map(Outcome::outcome).toList());
  }

  /** One drill's result, by its name. */
  public record Outcome(String name, DrillOutcome outcome) {

    public boolean passed() {
      return outcome.passed();
    }

    public List<String> breaches() {
      return outcome.breaches();
    }

    public int sent() {
      return outcome.sent.get();
    }

    public int serverErrors() {
      return outcome.serverErrors.get();
    }

    public int hangs() {
      return outcome.hangs.get();
    }

    public int lost() {
      return outcome.lost.get();
    }
  }
}
