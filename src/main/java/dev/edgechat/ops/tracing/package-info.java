/**
 * Traces with OpenTelemetry (docs/observability.md, Traces): the tracer every role's Vert.x carries
 * ({@link dev.edgechat.ops.tracing.TracerSwitch}, off until an OTLP endpoint is configured), the one place
 * that knows span names and attributes ({@link dev.edgechat.ops.tracing.Spans}; a model call's GenAI span,
 * the chat's and the gateway's: {@link dev.edgechat.ops.tracing.ModelCallSpan}), and the ids of the span in
 * force for the log lines ({@link dev.edgechat.ops.tracing.CurrentTrace}).
 */
package dev.edgechat.ops.tracing;
