/**
 * The {@code bench} role: load generators that measure what a visitor feels, against a running
 * edge and, for a baseline, the {@code sim} upstream directly. {@link dev.edgechat.bench.BenchCommand}
 * is the command line; {@link dev.edgechat.bench.FirstTokenBench} is the first measurement (time to
 * {@code ready}, first token and whole answer); {@link dev.edgechat.bench.BenchReport} turns its
 * histograms into a markdown table and JSON. {@link dev.edgechat.bench.PlanScenario} ({@code bench plan})
 * replays the performance plan: it starts the system in-process ({@code PlanSystem}), puts distances
 * between visitor, edge and origin ({@code DelayProxy}), sends an open-loop load of visits drawn
 * from a seeded catalogue ({@code OpenLoop}, {@code QuestionCatalogue}, {@code VisitorLoad}) and
 * writes the plan's table beside ours ({@code PlanReport}, {@code LatencyChart}). Two claims are measured
 * on the multi-region topology of real processes instead ({@link dev.edgechat.topology.Topology}):
 * {@code bench replicas} ({@code ReplicaReadBench}, claim 8) and {@code bench edge-latency}
 * ({@code EdgeLatencyBench}, claim 7: visitors far from origin with and without an edge in their region,
 * reported by {@code EdgeLatencyReport}). {@code bench open-streams} ({@code OpenStreamsBench}) holds many
 * visitor answers open on one edge while timing new ones, and reads what the edge process holds
 * ({@code EdgeProcessFigures}: /proc and the JVM series of /metrics).
 */
package dev.edgechat.bench;
