package dev.edgechat.ops.tracing;

import dev.edgechat.config.TracingSettings;
import dev.edgechat.ops.logging.LogContext;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.tracing.opentelemetry.OpenTelemetryOptions;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns traces on for one process, when {@code tracing.otlpEndpoint} names a collector: an
 * OpenTelemetry SDK of its own (not the global one: the bench runs several roles in one JVM, each
 * its own service) whose spans go in batches over OTLP/HTTP, sampled by parent, else by
 * {@code tracing.sampleRatio}, with W3C trace context read from and written to every HTTP hop.
 */
public final class Tracing implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);
  /** The name the spans are reported under (their instrumentation scope). */
  static final String SCOPE = "dev.edgechat";

  private final SdkTracerProvider provider;

  private Tracing(SdkTracerProvider provider) {
    this.provider = provider;
  }

  /**
   * Starts exporting the spans of {@code vertx} (built by {@code EdgechatVertx}, whose tracer is a
   * {@link TracerSwitch}) as service {@code edgechat-<role>} of {@code region}; empty, having done
   * nothing, when tracing is off. {@link #close()} sends what is left.
   */
  public static Optional<Tracing> start(Vertx vertx, TracingSettings settings, String role, String region) {
    if (!settings.on()) {
      return Optional.empty();
    }
    if (!(vertx instanceof VertxInternal internal) || !(internal.tracer() instanceof TracerSwitch tracerSwitch)) {
      LOG.warn("tracing.otlpEndpoint is set but this Vert.x was built without edgechat's tracer: no traces");
      return Optional.empty();
    }
    String base = settings.otlpEndpoint().get().toString();
    String endpoint = (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.builder()
        .put("service.name", "edgechat-" + role)
        .put("service.namespace", "edgechat")
        .put("cloud.region", region)
        .build()));
    SdkTracerProvider provider = SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(settings.sampleRatio())))
        .addSpanProcessor(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build())
            .build())
        .build();
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(provider)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .build();
    tracerSwitch.turnOn(new OpenTelemetryTracingFactory(sdk).tracer(new OpenTelemetryOptions()),
        sdk.getTracer(SCOPE));
    // log lines carry the span's ids; a process's other Vert.x without tracing has no span, so its own ids
    LogContext.useTraces(CurrentTrace::traceId, CurrentTrace::spanId);
    LOG.info("tracing on [endpoint: {}, sample ratio: {}, service: edgechat-{}]", endpoint, settings.sampleRatio(),
        role);
    return Optional.of(new Tracing(provider));
  }

  /** Sends the spans still batched (for at most 10 s) and stops; blocks, so never on an event loop. */
  @Override
  public void close() {
    CompletableResultCode done = provider.shutdown().join(10, TimeUnit.SECONDS);
    if (!done.isSuccess()) {
      LOG.warn("spans not all sent at stop [endpoint unreachable or slow]");
    }
  }
}
