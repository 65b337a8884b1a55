package dev.edgechat.roles;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.ops.OpsRoutes;
import dev.edgechat.sim.SimulatorApi;
import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Role sim: an OpenAI-compatible upstream simulator for demos, tests and load tests. */
public final class SimRole {

  private static final Logger LOG = LoggerFactory.getLogger(SimRole.class);

  private final RoleContext context;

  public SimRole(RoleContext context) {
    this.context = Objects.requireNonNull(context);
  }

  /** Serves the simulator on http.host:http.port; succeeds with the port it listens on. */
  public Future<Integer> start() {
    EdgechatConfig settings = context.config.get();
    SimulatorApi sim = new SimulatorApi(context.vertx, settings.sim());
    OpsRoutes ops = context.ops(List.of());
    return context.serve("sim", settings.http().host(), settings.http().port(), router -> {
      ops.mount(router);
      sim.mount(router);
    }).map(p -> {
      LOG.info("sim ready [url: http://localhost:{}/v1, settings: {}]", p, settings.sim());
      return p;
    });
  }
}
