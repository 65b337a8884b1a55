package dev.edgechat.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics} (API.md §4), mounted by every role.
 * While the process drains, {@code /readyz} answers {@code 503 {"status":"draining"}} at once,
 * without asking the dependencies: a load balancer stops sending new work, {@code /healthz} still says up.
 *
 * <p>With an operations port ({@code http.metricsPort}), the role's own port keeps {@code /healthz}
 * and a {@code /readyz} that answers its status alone (same codes, no dependency names, addresses or
 * reasons); {@code /metrics} and the detailed {@code /readyz} are served on the operations port
 * ({@link #mountOperations}). Without one (a single {@code java -jar} on a laptop) everything stays
 * on the role's port, as there is nowhere else to read it.
 */
public final class OpsRoutes {

  private static final long CHECK_TIMEOUT_MS = 2000;

  private final PrometheusMeterRegistry registry;
  private final List<Readiness> dependencies;
  private final BooleanSupplier draining;
  private final boolean metricsHere;

  /** @param draining whether the process drains ({@link Drain#draining()}) */
  public OpsRoutes(PrometheusMeterRegistry registry, List<Readiness> dependencies, BooleanSupplier draining) {
    this(registry, dependencies, draining, true);
  }

  /**
   * @param metricsHere whether {@code /metrics} and the detailed {@code /readyz} are served with the
   *     other routes; false when the process serves them on a port of its own ({@code http.metricsPort},
   *     see {@link #mountOperations}): {@code /readyz} here then answers its status alone
   */
  public OpsRoutes(PrometheusMeterRegistry registry, List<Readiness> dependencies, BooleanSupplier draining,
      boolean metricsHere) {
    this.registry = Objects.requireNonNull(registry);
    this.dependencies = List.copyOf(dependencies);
    this.draining = Objects.requireNonNull(draining);
    this.metricsHere = metricsHere;
  }

  public void mount(Router router) {
    router.get("/healthz").handler(OpsRoutes::healthz);
    router.get("/readyz").handler(ctx -> readyz(ctx, metricsHere));
    if (metricsHere) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    }
  }

  /**
   * The routes of the operations port ({@code http.metricsPort}): {@code /metrics}, {@code /healthz}
   * and {@code /readyz} with every dependency's details; mount on an instance made with the process's
   * dependencies, all its roles' together.
   */
  public void mountOperations(Router router) {
    router.get("/healthz").handler(OpsRoutes::healthz);
    router.get("/readyz").handler(ctx -> readyz(ctx, true));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }

  private static void healthz(RoutingContext ctx) {
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end("{\"status\":\"up\"}");
  }

  /**
   * 200 {@code ready} when every essential dependency answers, else 503 {@code not_ready}; each
   * dependency's entry is {@code up}, {@code down} (essential) or {@code degraded} (not essential:
   * the process does without it), with the reason and the dependency's details; without
   * {@code details}, the status alone.
   */
  private void readyz(RoutingContext ctx, boolean details) {
    if (draining.getAsBoolean()) {
      ctx.response()
          .setStatusCode(503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(new JsonObject().put("status", "draining").encode());
      return;
    }
    JsonObject checks = new JsonObject();
    List<Future<Void>> all = new ArrayList<>();
    for (Readiness dependency : dependencies) {
      Future<Void> check = dependency.check()
          .timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS)
          .onSuccess(v -> checks.put(dependency.name(), new JsonObject().put("status", "up")
              .mergeIn(dependency.details())))
          .onFailure(e -> checks.put(dependency.name(), new JsonObject()
              .put("status", dependency.essential() ? "down" : "degraded")
              .put("reason", String.valueOf(e.getMessage()))
              .mergeIn(dependency.details())));
      all.add(check);
    }
    Future.join(all).onComplete(done -> {
      boolean ready = true;
      for (int i = 0; i < all.size(); i++) {
        ready &= all.get(i).succeeded() || !dependencies.get(i).essential();
      }
      JsonObject answer = new JsonObject().put("status", ready ? "ready" : "not_ready");
      if (details) {
        answer.put("checks", checks);
      }
      ctx.response()
          .setStatusCode(ready ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .end(answer.encode());
    });
  }
}
