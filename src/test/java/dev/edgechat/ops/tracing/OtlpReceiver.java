package dev.edgechat.ops.tracing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A collector as small as a test needs: an OTLP/HTTP endpoint ({@code POST /v1/traces}, protobuf,
 * what the SDK's exporter sends) that keeps every span it is sent, with its service's name.
 * Written by hand because a collector is a separate program; the wire messages are OpenTelemetry's
 * own (opentelemetry-proto).
 */
final class OtlpReceiver {

  /** A span as it arrived: its service, and the span with ids in hex. */
  record Received(String service, Span span) {

    String traceId() {
      return hex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return hex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return hex(span.getParentSpanId().toByteArray());
    }

    String name() {
      return span.getName();
    }

    Map<String, AnyValue> attributes() {
      return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue,
          (a, b) -> b));
    }
  }

  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private HttpServer server;

  static Future<OtlpReceiver> start(Vertx vertx) {
    return start(vertx, 0);
  }

  /** On {@code port} (0: any free one). */
  static Future<OtlpReceiver> start(Vertx vertx, int port) {
    OtlpReceiver receiver = new OtlpReceiver();
    return vertx.createHttpServer().requestHandler(receiver::export).listen(port, "127.0.0.1").map(server -> {
      receiver.server = server;
      return receiver;
    });
  }

  /** The base URL, as tracing.otlpEndpoint takes it. */
  String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  List<Received> spans() {
    return List.copyOf(spans);
  }

  Future<Void> close() {
    return server.close();
  }

  private void export(HttpServerRequest request) {
    if (!"/v1/traces".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    request.body().onSuccess(body -> {
      try {
        ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(body.getBytes());
        for (ResourceSpans resource : export.getResourceSpansList()) {
          String service = resource.getResource().getAttributesList().stream()
              .filter(a -> a.getKey().equals("service.name"))
              .map(a -> a.getValue().getStringValue())
              .findFirst().orElse("");
          for (ScopeSpans scope : resource.getScopeSpansList()) {
            scope.getSpansList().forEach(span -> spans.add(new Received(service, span)));
          }
        }
        request.response().putHeader("Content-Type", "application/x-protobuf")
            .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
      } catch (InvalidProtocolBufferException e) {
        request.response().setStatusCode(400).end();
      }
    });
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
