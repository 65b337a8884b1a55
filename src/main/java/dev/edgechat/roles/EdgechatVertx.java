package dev.edgechat.roles;

import dev.edgechat.ops.LatencyBuckets;
import dev.edgechat.ops.tracing.TracerSwitch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.UUID;

/** The Vert.x every role runs on, whether started by the command line or, several in one JVM, by the bench. */
public final class EdgechatVertx {

  private EdgechatVertx() {
  }

  /**
   * A Vert.x with native transport where it loads, tracing off until turned on ({@link TracerSwitch}),
   * and its metrics in {@code registry} (under a
   * name of its own: Vert.x shares a registry between instances of the same registry name, so
   * several in one JVM, as the bench starts them, would otherwise report into the first one's).
   */
  public static Vertx create(PrometheusMeterRegistry registry) {
    LatencyBuckets.applyTo(registry); // before Vert.x registers its timers
    return Vertx.builder()
        // epoll where it loads (Linux x86-64), else Java NIO
        .with(new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName("edgechat-" + UUID.randomUUID())
            .setJvmMetricsEnabled(true)
            // LOCAL tells the servers of one process apart (edge and origin in role all);
            // routes, not paths, bound the series
            .setLabels(EnumSet.of(Label.LOCAL, Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE, Label.POOL_TYPE,
                Label.POOL_NAME))))
        .withMetrics(new MicrometerMetricsFactory(registry))
        // off until the settings name a collector (RoleContext#startTraces): then every HTTP hop is traced
        .withTracer(options -> new TracerSwitch())
        .build();
  }
}
