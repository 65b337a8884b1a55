package dev.edgechat.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * Traces ({@code tracing.*} in edgechat.yaml; docs/observability.md, Traces).
 *
 * @param otlpEndpoint the OTLP/HTTP collector's base URL ({@code /v1/traces} is added), as
 *     {@code OTEL_EXPORTER_OTLP_ENDPOINT} gives it; empty: tracing is off
 * @param sampleRatio share of the traces that start here (no sampled {@code traceparent} came with the
 *     request) that are recorded and exported, 0..1; a request's parent decides for a request that has one
 */
public record TracingSettings(Optional<URI> otlpEndpoint, double sampleRatio) {

  public TracingSettings {
    Objects.requireNonNull(otlpEndpoint);
  }

  /** Whether spans are recorded and exported at all. */
  public boolean on() {
    return otlpEndpoint.isPresent();
  }

  /** A builder with no value set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's values, to change some of them by name. */
  public Builder toBuilder() {
    return new Builder().otlpEndpoint(otlpEndpoint).sampleRatio(sampleRatio);
  }

  /** Builds {@link TracingSettings} by name; {@link #build()} fails naming a value left unset. */
  public static final class Builder {

    private Optional<URI> otlpEndpoint;
    private Double sampleRatio;

    private Builder() {
    }

    public Builder otlpEndpoint(Optional<URI> otlpEndpoint) {
      this.otlpEndpoint = otlpEndpoint;
      return this;
    }

    public Builder sampleRatio(double sampleRatio) {
      this.sampleRatio = sampleRatio;
      return this;
    }

    public TracingSettings build() {
      return new TracingSettings(
          Required.value(otlpEndpoint, "TracingSettings.otlpEndpoint"),
          Required.value(sampleRatio, "TracingSettings.sampleRatio"));
    }
  }
}
