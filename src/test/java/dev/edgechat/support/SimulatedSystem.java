package dev.edgechat.support;

import dev.edgechat.Application;
import dev.edgechat.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import java.util.Map;

/**
 * A {@code sim} role and a role {@code all} that answers with it, plus the clients to talk to
 * them. Keep it in a field for the test's life: Vert.x 5 closes an HTTP client nobody references.
 */
public record SimulatedSystem(Application sim, Application app, HttpClient http, SseClient sse) {

  /** Starts the simulator with {@code simEnv}, then role all with {@code allEnv} and the simulator as its LLM. */
  public static Future<SimulatedSystem> start(Vertx vertx, Map<String, String> simEnv, Map<String, String> allEnv) {
    TestSystem simSystem = new TestSystem(vertx);
    simEnv.forEach(simSystem::env);
    return simSystem.start(Role.SIM).compose(sim -> {
      TestSystem allSystem = new TestSystem(vertx);
      allEnv.forEach(allSystem::env);
      return allSystem.startAllWithSim(sim.simPort())
          .map(app -> new SimulatedSystem(sim, app, vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(32)),
              new SseClient(vertx, app.edgePort())));
    });
  }

  /**
   * The simulator's counters: {@code chatCalls}, {@code completionTokens}, {@code cancelled}, …
   *
   * <p>The body is read in the callback that sent the request, never in a step chained after
   * {@code send()}. Vert.x 5.0.8 (fixed in 5.0.11, eclipse-vertx/vert.x#6071) never completes
   * {@code body()} or {@code end()} asked of a response that has already ended, and its
   * response is not paused: a step chained from a thread other than the request's event loop
   * (a test method's thread) can be registered after the whole exchange is over and run as a
   * separate task, and then waits forever. Inside the send callback it runs before the response
   * head is handed on, so before the end.
   */
  public Future<JsonObject> simStats() {
    return http.request(HttpMethod.GET, sim.simPort(), "127.0.0.1", "/sim/stats")
        .compose(req -> req.send().compose(r -> r.body())).map(b -> b.toJsonObject());
  }

  public Future<Void> close() {
    return Future.join(app.close(), sim.close()).eventually(http::close).mapEmpty();
  }
}
