/**
 * {@code edgechat bench drills}: the reliability drills the project runs on itself, on real
 * processes (a {@link dev.edgechat.topology.Topology} with its Postgres, Redis, origin, worker, sim
 * and edge): Redis outages, killed and stopped roles, upstream faults, clients that leave,
 * slowloris and a fuzz of every public endpoint. Each drill counts what it sent and what went
 * wrong (failed, 5xx, hangs, lost data, recovery time) and states its contract, which the table
 * and {@code DrillsTest} check. docs/reliability.md describes the drills.
 */
package dev.edgechat.bench.drills;
