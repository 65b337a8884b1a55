package dev.edgechat.topology;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * What runs where in a {@link Topology}: a table for the operator's terminal and the same as JSON
 * ({@code topology.json}) for tests, the bench and scripts.
 */
final class TopologyDescription {

  private final Topology topology;

  TopologyDescription(Topology topology) {
    this.topology = topology;
  }

  /** One row per part: region, what, URL, time to ready, memory and a note. */
  String table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"region", "part", "url", "ready", "rss", "note"});
    String primary = topology.settings().primaryRegion();
    PostgresCluster pg = topology.postgres();
    rows.add(new String[] {primary, "postgres", pg.primaryUrl().toString(), "", "", "primary"});
    rows.add(new String[] {primary, "postgres", pg.replicaUrl().toString(), "", "",
        "replica, streaming from slot " + PostgresCluster.SLOT});
    rows.add(redisRow(primary, primary, "cache Redis"));
    rows.add(redisRow(primary, Topology.QUEUE, "queue Redis (noeviction)"));
    for (RoleProcess role : topology.roles()) {
      String note = switch (role.role()) {
        case "origin" -> "admin API: Authorization: Bearer " + topology.adminToken();
        case "edge" -> "origin " + topology.originRttMs(role.region()) + " ms away via "
            + topology.originUrlFrom(role.region());
        case "worker" -> "operations only (/readyz, /metrics)";
        case "sim" -> "origin's LLM upstream";
        default -> "";
      };
      // an edge in the primary region uses the primary's Redis, listed above
      if (role.role().equals("edge") && !role.region().equals(primary)) {
        rows.add(redisRow(role.region(), role.region(), "cache Redis"));
      }
      rows.add(new String[] {role.region(), role.role(), role.url().toString(),
          String.format(Locale.ROOT, "%.1f s", role.timeToReady().toMillis() / 1000.0),
          role.readyRssKb() / 1024 + " MiB", note});
    }
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row[i]));
        if (i < row.length - 1) {
          line.append("  ");
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private String[] redisRow(String region, String name, String note) {
    return new String[] {region, "redis", topology.regionalRedisUrl(name).toString(), "", "",
        note + ", " + topology.settings().redisRttMs() + " ms away; server " + topology.redis(name).url()};
  }

  /** The topology as {@code topology.json} holds it. */
  JsonObject json() {
    TopologySettings settings = topology.settings();
    String primary = settings.primaryRegion();
    PostgresCluster pg = topology.postgres();
    JsonArray regions = new JsonArray();
    regions.add(new JsonObject()
        .put("name", primary)
        .put("primary", true)
        .put("redis", redis(primary))
        .put("queueRedis", redis(Topology.QUEUE))
        .put("roles", new JsonArray(topology.roles().stream().filter(r -> r.region().equals(primary))
            .map(TopologyDescription::role).toList())));
    settings.primaryEdgeRttMs().ifPresent(rtt -> regions.getJsonObject(0).put("edgeOriginRttMs", rtt)
        .put("originUrl", topology.originUrlFrom(primary).toString()));
    for (EdgeRegion region : settings.edgeRegions()) {
      regions.add(new JsonObject()
          .put("name", region.name())
          .put("primary", false)
          .put("originRttMs", region.originRttMs())
          .put("originUrl", topology.originUrlFrom(region.name()).toString())
          .put("redis", redis(region.name()))
          .put("roles", new JsonArray().add(role(topology.edge(region.name())))));
    }
    return new JsonObject()
        .put("baseDir", topology.baseDir().toString())
        .put("startupMs", topology.startup().toMillis())
        .put("primaryRegion", primary)
        .put("edgeToken", topology.edgeToken())
        .put("adminToken", topology.adminToken())
        .put("postgres", new JsonObject()
            .put("primary", pg.primaryUrl().toString())
            .put("replicas", new JsonArray().add(pg.replicaUrl().toString()))
            .put("slot", PostgresCluster.SLOT)
            .put("logs", new JsonArray().add(pg.primaryLog().toString()).add(pg.replicaLog().toString())))
        .put("regions", regions);
  }

  private JsonObject redis(String name) {
    RedisServerProcess server = topology.redis(name);
    return new JsonObject()
        .put("url", topology.regionalRedisUrl(name).toString())
        .put("rttMs", topology.settings().redisRttMs())
        .put("serverUrl", server.url().toString())
        .put("pid", server.pid())
        .put("log", server.log().toString());
  }

  private static JsonObject role(RoleProcess role) {
    return new JsonObject()
        .put("role", role.role())
        .put("region", role.region())
        .put("url", role.url().toString())
        .put("pid", role.pid())
        .put("log", role.log().toString())
        .put("readyMs", role.timeToReady().toMillis())
        .put("rssKb", role.readyRssKb())
        .put("environment", new JsonObject(new LinkedHashMap<>(role.environment())));
  }
}
