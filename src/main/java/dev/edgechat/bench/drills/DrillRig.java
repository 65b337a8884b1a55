package dev.edgechat.bench.drills;

import dev.edgechat.topology.EdgeRegion;
import dev.edgechat.topology.JavaCommand;
import dev.edgechat.topology.RoleProcess;
import dev.edgechat.topology.Topology;
import dev.edgechat.topology.TopologySettings;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The system the drills run on: a {@link Topology} (Postgres primary and replica, a cache Redis per
 * region, the queue Redis, sim, origin, worker, one edge, the demo site) in which origin asks the
 * sim through a {@link FaultForwarder}, and the edge has a gateway key and no semantic cache (each
 * drill question must reach the upstream). Roles the drills kill or stop are started again on the
 * same port with the same environment, as an orchestrator would restart them. The sim streams at 20
 * tokens a second (answers of about 3 s), and the edge gives a visitor who left 1 s to resume
 * ({@code edge.resumeGraceMs}, 5 s by default) before origin's work is cancelled, so that faults and
 * departures come while answers stream.
 */
final class DrillRig implements AutoCloseable {

  static final String REGION = "fra";
  static final String SITE = "demo";
  static final String GATEWAY_KEY = "drill-gateway-key";
  private static final Duration READY = Duration.ofMinutes(4);
  private static final Duration STOP_GRACE = Duration.ofSeconds(40);

  private final Topology topology;
  private final Vertx vertx = Vertx.vertx();
  private final JavaCommand java = JavaCommand.current(List.of());
  private final Map<String, RoleProcess> roles = new LinkedHashMap<>();
  private final List<RoleProcess> ours = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final FaultForwarder forwarder;
  private final AtomicInteger questions = new AtomicInteger();
  private final Map<String, String> extraEnv = new LinkedHashMap<>();
  private final String run = Long.toString(System.nanoTime(), 36);

  private final Thread shutdownHook = new Thread(this::stopOurs, "edgechat-drills-stop");

  private DrillRig(Topology topology) {
    this.topology = topology;
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    RoleProcess sim = topology.sim().orElseThrow();
    this.forwarder = FaultForwarder.start(vertx, sim.port());
  }

  /**
   * Starts the topology (files under {@code baseDir} when given) and puts the forwarder in origin's
   * way; {@code extraEnv} is added to the environment of the drill's edge, origin and role {@code all}
   * (a setting to try, or limits a drill should not trip over).
   */
  static DrillRig start(Optional<Path> baseDir, Map<String, String> extraEnv) {
    TopologySettings settings = TopologySettings.defaults().withEdgeRegions(List.of(new EdgeRegion(REGION, 40)));
    if (baseDir.isPresent()) {
      settings = settings.withBaseDir(baseDir.get());
    }
    Topology topology = Topology.start(settings);
    DrillRig rig;
    try {
      rig = new DrillRig(topology);
    } catch (RuntimeException e) {
      topology.close();
      throw e;
    }
    try {
      rig.roles.put("worker", topology.worker());
      // answers of about 3 s (60 tokens at 20 a second), so that faults and departures come mid-stream
      Map<String, String> simEnv = new LinkedHashMap<>(topology.sim().orElseThrow().environment());
      simEnv.put("EDGECHAT_SIM_TOKENS_PER_SECOND", "20");
      RoleProcess sim = rig.replace(topology.sim().orElseThrow(), simEnv);
      sim.awaitReady(READY);
      rig.roles.put("sim", sim);
      Map<String, String> originEnv = new LinkedHashMap<>(topology.origin().environment());
      originEnv.put("EDGECHAT_LLM_BASE_URL", "http://127.0.0.1:" + rig.forwarder.port() + "/v1");
      originEnv.putAll(extraEnv);
      Map<String, String> edgeEnv = new LinkedHashMap<>(topology.edge(REGION).environment());
      edgeEnv.put("EDGECHAT_GATEWAY_KEYS", GATEWAY_KEY);
      edgeEnv.put("EDGECHAT_CACHE_SEMANTIC", "false");
      // a visitor who left has 1 s to resume before origin's work is cancelled (default 5 s, longer than an answer here)
      edgeEnv.put("EDGECHAT_EDGE_RESUME_GRACE_MS", "1000");
      // the gateway's upstream: the sim itself (the forwarder's faults are for origin's chat path)
      edgeEnv.put("EDGECHAT_LLM_BASE_URL", topology.sim().orElseThrow().url().resolve("/v1").toString());
      edgeEnv.put("EDGECHAT_LLM_API_KEY", "sim");
      edgeEnv.putAll(extraEnv);
      rig.extraEnv.putAll(extraEnv);
      RoleProcess origin = rig.replace(topology.origin(), originEnv);
      RoleProcess edge = rig.replace(topology.edge(REGION), edgeEnv);
      origin.awaitReady(READY);
      edge.awaitReady(READY);
      rig.roles.put("origin", origin);
      rig.roles.put("edge", edge);
      return rig;
    } catch (RuntimeException e) {
      rig.close();
      throw e;
    }
  }

  /** Stops {@code old} (SIGTERM) and launches the same role on its port with {@code environment}; not yet ready. */
  private RoleProcess replace(RoleProcess old, Map<String, String> environment) {
    old.stop(STOP_GRACE);
    return launch(old, environment);
  }

  private RoleProcess launch(RoleProcess old, Map<String, String> environment) {
    RoleProcess next = RoleProcess.launch(java, old.role(), old.region(), old.port(), environment,
        old.log().getParent());
    ours.add(next);
    return next;
  }

  Topology topology() {
    return topology;
  }

  FaultForwarder forwarder() {
    return forwarder;
  }

  JavaCommand java() {
    return java;
  }

  RoleProcess edge() {
    return roles.get("edge");
  }

  RoleProcess origin() {
    return roles.get("origin");
  }

  RoleProcess worker() {
    return roles.get("worker");
  }

  RoleProcess role(String name) {
    return Objects.requireNonNull(roles.get(name), name);
  }

  /** Launches {@code name} again on its port with its environment (after a kill or stop) and waits until it is ready. */
  RoleProcess restart(String name) {
    RoleProcess old = role(name);
    if (old.alive()) {
      old.kill();
    }
    RoleProcess next = launch(old, old.environment());
    roles.put(name, next);
    next.awaitReady(READY);
    return next;
  }

  /** Launches a role of our own (role {@code all}, say) in {@code dir} on {@code port}; not yet ready. */
  RoleProcess launchExtra(String role, int port, Map<String, String> environment, Path dir) {
    Map<String, String> env = new LinkedHashMap<>(environment);
    // every drill visitor comes from 127.0.0.1: per-address limits lifted, as on the topology's edges
    env.put("EDGECHAT_LIMITS_IP_CHATS_PER_MINUTE", "0");
    env.put("EDGECHAT_LIMITS_IP_READS_PER_MINUTE", "0");
    env.putAll(extraEnv);
    RoleProcess process = RoleProcess.launch(java, role, "local", port, env, dir);
    ours.add(process);
    return process;
  }

  /** A question no cache holds, so that it reaches the upstream. */
  String question(String drill) {
    return "How do I reset my password? (" + drill + " drill " + run + " question " + questions.incrementAndGet() + ")";
  }

  /** A streamed chat through the edge. */
  ChatCall.Result chat(String drill, Duration deadline) {
    return ChatCall.ask(edge().url(), SITE, question(drill), deadline);
  }

  /**
   * Waits until every role answers {@code /readyz} with 200 and a chat through the edge is answered
   * and kept; how long that took, or empty when it did not happen within {@code limit}.
   */
  Optional<Duration> awaitServing(Duration limit) {
    long start = System.nanoTime();
    long deadline = start + limit.toNanos();
    while (System.nanoTime() < deadline) {
      boolean ready = roles.values().stream().allMatch(r -> ChatCall.status(r.url(), "/readyz") == 200);
      if (ready) {
        ChatCall.Result answer = chat("health", Duration.ofSeconds(30));
        if (answer.answered() && ChatCall.kept(edge().url(), answer, Duration.ofSeconds(10))) {
          return Optional.of(Duration.ofNanos(System.nanoTime() - start));
        }
      }
      ChatCall.sleep(250);
    }
    return Optional.empty();
  }

  /** {@code method path} with a JSON body (or none) on {@code base}, with the admin token. */
  HttpResponse<String> admin(URI base, String method, String path, JsonObject body) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + topology.adminToken())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try {
      return ChatCall.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Creates (or updates) site {@code site}, open to every origin; fails unless origin answers 200. */
  void createSite(String site) throws IOException {
    HttpResponse<String> put = admin(origin().url(), "PUT", "/admin/sites/" + site,
        new JsonObject().put("name", "Drill " + site).put("allowedOrigins", new JsonArray().add("*")));
    if (put.statusCode() != 200) {
      throw new IllegalStateException("could not create site " + site + ": " + put.statusCode() + " " + put.body());
    }
  }

  /** One document to upload: {@code id}, a title and some paragraphs (so that ingestion has work). */
  static JsonObject document(String id, int paragraphs) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < paragraphs; i++) {
      text.append("Paragraph ").append(i).append(" of ").append(id).append(": returns are free within 30 days; ")
          .append("parcels ship within two working days; a refund reaches the card within five days.\n\n");
    }
    return new JsonObject().put("id", id).put("title", "Drill document " + id).put("text", text.toString())
        .put("freshness", "static");
  }

  /** The status of each document of {@code site}, by id, as origin's admin API lists them. */
  Map<String, String> documentStatuses(String site) {
    Map<String, String> statuses = new LinkedHashMap<>();
    try {
      HttpResponse<String> listing = admin(origin().url(), "GET", "/admin/sites/" + site + "/documents", null);
      if (listing.statusCode() == 200) {
        JsonArray documents = new JsonArray(listing.body());
        for (int i = 0; i < documents.size(); i++) {
          JsonObject d = documents.getJsonObject(i);
          statuses.put(d.getString("id"), d.getString("status"));
        }
      }
    } catch (IOException | RuntimeException e) {
      // origin not reachable now: no statuses
    }
    return statuses;
  }

  /**
   * Waits until each of {@code ids} of {@code site} is {@code ready}; the ids still not ready when
   * {@code limit} ran out (none: all indexed).
   */
  List<String> awaitIndexed(String site, java.util.Collection<String> ids, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      Map<String, String> statuses = documentStatuses(site);
      List<String> missing = ids.stream().filter(id -> !"ready".equals(statuses.get(id))).toList();
      if (missing.isEmpty() || System.nanoTime() > deadline) {
        return missing;
      }
      ChatCall.sleep(500);
    }
  }

  /**
   * Starts again, on their ports, the roles found dead though no drill stopped them (another
   * program on the machine may have); their names.
   */
  List<String> reviveDead() {
    List<String> revived = new java.util.ArrayList<>();
    for (String name : List.copyOf(roles.keySet())) {
      if (!roles.get(name).alive()) {
        restart(name);
        revived.add(name);
      }
    }
    return revived;
  }

  private void stopOurs() {
    for (RoleProcess role : ours) {
      if (role.alive()) {
        role.stop(STOP_GRACE);
      }
    }
  }

  /** Stops what the rig started (the roles it launched, the forwarder), then the topology. */
  @Override
  public void close() {
    stopOurs();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs
    }
    try {
      forwarder.close().await();
      vertx.close().await();
    } catch (RuntimeException e) {
      // closing anyway
    }
    topology.close();
  }
}
