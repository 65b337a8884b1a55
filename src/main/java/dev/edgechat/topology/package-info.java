/**
 * The edge network as deployed, on one machine: {@link dev.edgechat.topology.Topology} starts a
 * multi-region deployment of real processes (a Postgres primary with a streaming replica, a Redis per
 * region and the queue Redis, origin and worker in the primary region, an edge in each other region
 * and, on request, one in the primary region; each role a JVM of its own configured only by
 * environment variables) with {@link dev.edgechat.topology.DelayProxy}s putting round trips between
 * regions. {@link dev.edgechat.topology.TopologyCommand} ({@code edgechat topology}) runs it for an
 * operator; the tests and the bench start it from code.
 */
package dev.edgechat.topology;
