package dev.edgechat.ops.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.roles.EdgechatVertx;
import dev.edgechat.support.EdgeProxy;
import dev.edgechat.support.TestDatabases;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One chat through an edge and origin, two Vert.x instances as two processes would be (each its own
 * OpenTelemetry SDK and service), their spans sent over OTLP/HTTP to a receiver the test runs; the
 * simulator is the LLM. Between edge and origin a pass-through proxy shows the headers of each hop.
 * A second edge has tracing off.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, timeUnit = TimeUnit.MINUTES)
class TracesTest {

  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  private static final String MODEL = "sim-traced";
  private static final String GATEWAY_KEY = "gw-traces-" + Ids.next();
  private static Vertx originVertx;
  private static Vertx edgeVertx;
  private static Vertx untracedVertx;
  private static OtlpReceiver receiver;
  private static Application sim;
  private static Application origin;
  private static EdgeProxy toOrigin;
  private static Application edge;
  private static Application untraced;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start(Vertx vertx) {
    receiver = OtlpReceiver.start(vertx).await();
    sim = new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "20")
        .env("EDGECHAT_SIM_TOKENS_PER_SECOND", "2000").env("EDGECHAT_SIM_ANSWER_TOKENS", "12")
        .start(Role.SIM).await();
    // origin (in role all, which also seeds the demo site), traced as edgechat-all
    originVertx = EdgechatVertx.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    origin = traced(new TestSystem(originVertx)).env("EDGECHAT_LLM_MODEL", MODEL)
        .env("EDGECHAT_GATEWAY_KEYS", GATEWAY_KEY).startAllWithSim(sim.simPort())
        .await();
    toOrigin = EdgeProxy.start(vertx, origin.originPort(), 0).await();
    edgeVertx = EdgechatVertx.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    edge = traced(new TestSystem(edgeVertx))
        .env("EDGECHAT_ORIGIN_URL", toOrigin.url())
        .env("EDGECHAT_REDIS_URL", TestDatabases.redis().toString())
        .start(Role.EDGE).await();
    // tracing off: no endpoint
    untracedVertx = EdgechatVertx.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    untraced = new TestSystem(untracedVertx).env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_ORIGIN_URL", toOrigin.url())
        .env("EDGECHAT_REDIS_URL", TestDatabases.redis().toString())
        .start(Role.EDGE).await();
  }

  private static TestSystem traced(TestSystem system) {
    return system.env("EDGECHAT_EDGE_TOKEN", EDGE_TOKEN)
        .env("EDGECHAT_TRACING_OTLP_ENDPOINT", receiver.url())
        .env("EDGECHAT_TRACING_SAMPLE_RATIO", "1");
  }

  @AfterAll
  static void stop() {
    for (Application app : new Application[] {untraced, edge, origin, sim}) {
      if (app != null) {
        app.close().await();
      }
    }
    if (toOrigin != null) {
      toOrigin.close().await();
    }
    for (Vertx v : new Vertx[] {untracedVertx, edgeVertx, originVertx}) {
      if (v != null) {
        v.close().await();
      }
    }
    if (receiver != null) {
      receiver.close().await();
    }
  }

  /**
   * Verifies that a chat a client sent with a traceparent is one trace whose root is the client's
   * span: the edge's request, cache lookup and call to origin, origin's request, retrieval, prompt
   * and write-behind, and the LLM call with the GenAI attributes, whose HTTP call to the upstream is
   * its child; and that the hop to origin carried that trace's traceparent.
   */
  @Test
  void chat_clientTraceparent_oneTraceThroughEdgeOriginAndLlm() throws Exception {
    String traceId = hex(16);
    String clientSpanId = hex(8);
    String body = chat(edge.edgePort(), "00-" + traceId + "-" + clientSpanId + "-01");
    assertThat(body).contains("event: done").contains("\"cache\":\"miss\"");

    List<OtlpReceiver.Received> trace = awaitTrace(traceId, 2, "POST /v1/chat", "POST /internal/answer",
        "chat " + MODEL, "conversation.write");
    Map<String, OtlpReceiver.Received> byId = trace.stream()
        .collect(Collectors.toMap(OtlpReceiver.Received::spanId, s -> s, (a, b) -> a));

    OtlpReceiver.Received edgeRequest = one(trace, "edgechat-edge", "POST /v1/chat", Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(edgeRequest.parentSpanId()).as("the client's span is the trace's parent").isEqualTo(clientSpanId);
    assertThat(edgeRequest.attributes().get("edgechat.cache.outcome").getStringValue()).isEqualTo("miss");
    OtlpReceiver.Received lookup = one(trace, "edgechat-edge", "cache.lookup", Span.SpanKind.SPAN_KIND_INTERNAL);
    assertThat(lookup.parentSpanId()).isEqualTo(edgeRequest.spanId());
    OtlpReceiver.Received toOriginCall = one(trace, "edgechat-edge", "POST /internal/answer",
        Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(toOriginCall.parentSpanId()).isEqualTo(edgeRequest.spanId());

    OtlpReceiver.Received originRequest = one(trace, "edgechat-all", "POST /internal/answer",
        Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(originRequest.parentSpanId()).as("origin continues the edge's call").isEqualTo(toOriginCall.spanId());
    for (String step : List.of("retrieval", "prompt")) {
      assertThat(one(trace, "edgechat-all", step, Span.SpanKind.SPAN_KIND_INTERNAL).parentSpanId()).as(step)
          .isEqualTo(originRequest.spanId());
    }
    // the write-behind: the question, saved while the model is asked, then the answer
    assertThat(trace).filteredOn(s -> s.name().equals("conversation.write"))
        .allSatisfy(s -> assertThat(s.parentSpanId()).isEqualTo(originRequest.spanId()))
        .extracting(s -> s.attributes().get("edgechat.message.role").getStringValue())
        .containsExactlyInAnyOrder("user", "assistant");

    OtlpReceiver.Received llm = one(trace, "edgechat-all", "chat " + MODEL, Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(llm.parentSpanId()).isEqualTo(originRequest.spanId());
    Map<String, AnyValue> genAi = llm.attributes();
    assertThat(genAi.get("gen_ai.operation.name").getStringValue()).isEqualTo("chat");
    assertThat(genAi.get("gen_ai.provider.name").getStringValue()).isEqualTo("openai");
    assertThat(genAi.get("gen_ai.request.model").getStringValue()).isEqualTo(MODEL);
    assertThat(genAi.get("gen_ai.usage.input_tokens").getIntValue()).isPositive();
    assertThat(genAi.get("gen_ai.usage.output_tokens").getIntValue()).isEqualTo(12);
    assertThat(genAi.get("gen_ai.response.finish_reasons").getArrayValue().getValuesList())
        .extracting(AnyValue::getStringValue).containsExactly("stop");
    assertThat(genAi.get("gen_ai.response.time_to_first_chunk").getDoubleValue()).isPositive();
    assertThat(llm.span().getEventsList()).extracting(Span.Event::getName).contains("gen_ai.first_token");
    // the call to the upstream is the LLM span's child: the traceparent it sent names that span
    assertThat(trace).filteredOn(s -> s.parentSpanId().equals(llm.spanId())
            && s.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT && s.attributes().containsKey("url.full"))
        .extracting(s -> s.attributes().get("url.full").getStringValue())
        .singleElement().asString().endsWith("/v1/chat/completions");

    // the hop as origin received it
    List<MultiMap> hops = toOrigin.headers("POST /internal/answer").stream()
        .filter(h -> h.get("traceparent") != null && h.get("traceparent").contains(traceId)).toList();
    assertThat(hops).singleElement().satisfies(h -> assertThat(h.getAll("traceparent"))
        .containsExactly("00-" + traceId + "-" + toOriginCall.spanId() + "-01"));
    // every span of the trace hangs from the client's span
    trace.forEach(span -> assertThat(rootOf(span, byId)).as(span.name()).isEqualTo(clientSpanId));
  }

  /**
   * Verifies that an edge with tracing off answers a chat that came with a traceparent as any other
   * and records no span, and that its call to origin carries the client's trace with a span of the
   * edge's own (the log lines' ids, so edge and origin lines join), once.
   */
  @Test
  void chat_tracingOff_answersRecordsNothingAndPassesTheTraceOnForLogs() throws Exception {
    String traceId = hex(16);
    String clientSpanId = hex(8);
    String body = chat(untraced.edgePort(), "00-" + traceId + "-" + clientSpanId + "-01");
    assertThat(body).contains("event: done").contains("\"cache\":\"miss\"");
    List<MultiMap> hops = toOrigin.headers("POST /internal/answer").stream()
        .filter(h -> h.get("traceparent") != null && h.get("traceparent").contains(traceId)).toList();
    assertThat(hops).singleElement().satisfies(h -> assertThat(h.getAll("traceparent")).singleElement().asString()
        .startsWith("00-" + traceId + "-").doesNotContain(clientSpanId).endsWith("-01"));
    // origin (traced) sends its spans of this trace; the edge sends none
    awaitTrace(traceId, 1, "POST /internal/answer", "chat " + MODEL, "conversation.write");
    assertThat(receiver.spans()).filteredOn(s -> s.traceId().equals(traceId))
        .isNotEmpty().noneMatch(s -> s.service().equals("edgechat-edge"));
  }

  /**
   * Verifies that the gateway's upstream call is a GenAI client span under the completion request,
   * in the client's trace, with the model asked and answering and the tokens in and out, and that
   * the HTTP call to the upstream is its child (so it carries its traceparent).
   */
  @Test
  void gatewayCompletion_clientTraceparent_genAiSpanOnTheUpstreamCall() throws Exception {
    String traceId = hex(16);
    String clientSpanId = hex(8);
    String gatewayModel = "sim-gateway-traced";
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + origin.edgePort() + "/v1/chat/completions"))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + GATEWAY_KEY)
        .header("traceparent", "00-" + traceId + "-" + clientSpanId + "-01")
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + gatewayModel + "\",\"temperature\":0,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Is gift wrapping free " + hex(4) + "?\"}]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

    List<OtlpReceiver.Received> trace = awaitTrace(traceId, 1, "chat " + gatewayModel, "POST /v1/chat/completions");
    Map<String, OtlpReceiver.Received> byId = trace.stream()
        .collect(Collectors.toMap(OtlpReceiver.Received::spanId, s -> s, (a, b) -> a));
    OtlpReceiver.Received call = one(trace, "edgechat-all", "chat " + gatewayModel, Span.SpanKind.SPAN_KIND_CLIENT);
    Map<String, AnyValue> genAi = call.attributes();
    assertThat(genAi.get("gen_ai.operation.name").getStringValue()).isEqualTo("chat");
    assertThat(genAi.get("gen_ai.provider.name").getStringValue()).isEqualTo("openai");
    assertThat(genAi.get("gen_ai.request.model").getStringValue()).isEqualTo(gatewayModel);
    assertThat(genAi.get("gen_ai.response.model").getStringValue()).isNotBlank();
    assertThat(genAi.get("gen_ai.usage.input_tokens").getIntValue()).isPositive();
    assertThat(genAi.get("gen_ai.usage.output_tokens").getIntValue()).isEqualTo(12);
    assertThat(genAi.get("gen_ai.response.finish_reasons").getArrayValue().getValuesList())
        .extracting(AnyValue::getStringValue).containsExactly("stop");
    assertThat(genAi.get("gen_ai.response.time_to_first_chunk").getDoubleValue()).isPositive();
    OtlpReceiver.Received request = one(trace, "edgechat-all", "POST /v1/chat/completions",
        Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(request.parentSpanId()).as("the client's span is the trace's parent").isEqualTo(clientSpanId);
    assertThat(call.parentSpanId()).as("under the completion request's span").isEqualTo(request.spanId());
    assertThat(rootOf(call, byId)).isEqualTo(clientSpanId);
    assertThat(trace).filteredOn(s -> s.parentSpanId().equals(call.spanId())
            && s.span().getKind() == Span.SpanKind.SPAN_KIND_CLIENT && s.attributes().containsKey("url.full"))
        .extracting(s -> s.attributes().get("url.full").getStringValue())
        .singleElement().asString().endsWith("/v1/chat/completions");
  }

  /** Asks a question nobody asked before (a miss) with {@code traceparent}; the whole SSE body. */
  private static String chat(int port, String traceparent) throws Exception {
    String question = "Can I return an opened item bought " + ThreadLocalRandom.current().nextInt(1_000_000)
        + " days ago?";
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat"))
        .header("Content-Type", "application/json")
        .header("Accept", "text/event-stream")
        .header("traceparent", traceparent)
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString("{\"site\":\"demo\",\"message\":\"" + question + "\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /**
   * The spans of {@code traceId} once those named {@code names} have all arrived, the last one
   * {@code lastCount} times (batches go every 5 s).
   */
  private static List<OtlpReceiver.Received> awaitTrace(String traceId, int lastCount, String... names)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      List<OtlpReceiver.Received> trace = receiver.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
      List<String> seen = trace.stream().map(OtlpReceiver.Received::name).toList();
      String last = names[names.length - 1];
      if (seen.containsAll(List.of(names)) && seen.stream().filter(last::equals).count() >= lastCount
          || System.nanoTime() > deadline) {
        return trace;
      }
      Thread.sleep(200);
    }
  }

  private static OtlpReceiver.Received one(List<OtlpReceiver.Received> trace, String service, String name,
      Span.SpanKind kind) {
    List<OtlpReceiver.Received> found = trace.stream()
        .filter(s -> s.service().equals(service) && s.name().equals(name) && s.span().getKind() == kind).toList();
    assertThat(found).as(service + " " + name + " in " + describe(trace)).hasSize(1);
    return found.get(0);
  }

  /** The parent of the topmost span above {@code span} in this trace: the client's span id for all. */
  private static String rootOf(OtlpReceiver.Received span, Map<String, OtlpReceiver.Received> byId) {
    OtlpReceiver.Received at = span;
    for (int depth = 0; depth < 50; depth++) {
      Optional<OtlpReceiver.Received> parent = Optional.ofNullable(byId.get(at.parentSpanId()));
      if (parent.isEmpty()) {
        return at.parentSpanId();
      }
      at = parent.get();
    }
    throw new AssertionError("a cycle of parents at " + span.name());
  }

  private static String describe(List<OtlpReceiver.Received> trace) {
    return trace.stream().map(s -> s.service() + ":" + s.name() + "(" + s.span().getKind() + ")")
        .collect(Collectors.joining(", "));
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zero
    return HexFormat.of().formatHex(random);
  }
}
