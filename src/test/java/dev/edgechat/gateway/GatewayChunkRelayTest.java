package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.config.ConfigLoader;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.ops.ModelTags;
import dev.edgechat.protocol.Events;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.SseEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a cache-missed, streamed completion puts into its flight (what every caller's frames and the
 * cache are made of), from an upstream whose stream is scripted byte for byte and sent in pieces
 * that cut lines, escapes and characters: chunks read in one pass give the flight what decoding
 * each chunk whole gave it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class GatewayChunkRelayTest {

  private static final String HEAD = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
      + "\"model\":\"gpt-x-2025\",\"system_fingerprint\":\"fp_9\",\"choices\":[{\"index\":0,\"delta\":";

  private static ConfigLoader loader;
  private static LiveConfig config;
  private static HttpServer server;
  /** What the scripted upstream sends next, in these pieces. */
  private static volatile List<Buffer> script;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    loader = new ConfigLoader(vertx, Files.createTempDirectory("edgechat-relay"), Map.of());
    config = await(loader.load());
    server = await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      HttpServerResponse response = request.response().setChunked(true)
          .putHeader("Content-Type", "text/event-stream");
      send(vertx, response, script, 0);
    })).listen(0, "127.0.0.1"));
  }

  /** Writes {@code pieces} from {@code index} on, a millisecond apart, so they arrive as reads of their own. */
  private static void send(Vertx vertx, HttpServerResponse response, List<Buffer> pieces, int index) {
    if (index == pieces.size()) {
      response.end();
      return;
    }
    response.write(pieces.get(index));
    vertx.setTimer(1, t -> send(vertx, response, pieces, index + 1));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      await(server.close());
    }
    if (loader != null) {
      loader.close();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The flight's log once the scripted {@code stream} has been relayed, sent in pieces of at most {@code size} bytes. */
  private static List<SseEvent> relay(Vertx vertx, String stream, int size) throws Exception {
    script = pieces(stream, size);
    GatewayProfile profile = new GatewayProfile("default", URI.create("http://127.0.0.1:" + server.actualPort()
        + "/v1"), Optional.empty(), List.of(), 0, false, false);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Upstream upstream = new Upstream(vertx, profile.baseUrl(), config.get().gateway(), registry);
    CompletionRequest request = CompletionRequest.parse(new JsonObject("{\"model\":\"gpt-x\",\"stream\":true,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"), profile);
    CompletionSource source = new CompletionSource(upstream, profile, request, 1 << 20,
        ModelMeters.gateway(config, registry, new ModelTags(), GatewayError.KINDS));
    AnswerFlight flight = new AnswerFlight();
    Promise<List<SseEvent>> log = Promise.promise();
    flight.onEnd(log::complete);
    vertx.runOnContext(v -> source.answer(flight, new Cancellation()));
    return await(log.future());
  }

  /** {@code stream}'s UTF-8 bytes cut every {@code size} bytes, characters and all. */
  private static List<Buffer> pieces(String stream, int size) {
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    List<Buffer> pieces = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += size) {
      pieces.add(Buffer.buffer(Arrays.copyOfRange(bytes, i, Math.min(i + size, bytes.length))));
    }
    return pieces;
  }

  private static String frame(String data) {
    return "data: " + data + "\n\n";
  }

  private static String chunk(String delta, String finishReason) {
    return frame(HEAD + delta + ",\"logprobs\":null,\"finish_reason\":"
        + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}],\"usage\":null}");
  }

  private static SseEvent delta(String json) {
    return new SseEvent(null, Events.DELTA, json);
  }

  /**
   * Verifies that content (escapes, non-ASCII, an emoji), a content written with an escape Jackson
   * would not write, tool-call pieces, an empty delta, the finish reason and the usage reach the
   * flight as they did when each chunk was decoded whole: the role first, deltas encoded as Jackson
   * encodes them, empty ones left out, then {@code done} with the reason and the usage.
   */
  @Test
  void relay_mixedStreamInPieces_flightAsBefore(Vertx vertx) throws Exception {
    String stream = chunk("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", null)
        + chunk("{\"content\":\"Grüße, \"}", null)
        + chunk("{\"content\":\"line\\n\\\"two\\\" 😀\"}", null)
        + chunk("{\"content\": \"caf\\u00e9\"}", null)
        + chunk("{\"content\":\"\"}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
            + "\"arguments\":\"\"}}]}", null)
        + chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":1}\"}}]}", null)
        + chunk("{}", "tool_calls")
        + frame("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\"gpt-x-2025\","
            + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":7,\"total_tokens\":16}}")
        + frame("[DONE]");
    List<SseEvent> expected = List.of(
        new SseEvent(null, Events.HEAD, "{\"model\":\"gpt-x-2025\",\"system_fingerprint\":\"fp_9\",\"cache\":\"miss\"}"),
        delta("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}"),
        delta("{\"content\":\"Grüße, \"}"),
        delta("{\"content\":\"line\\n\\\"two\\\" 😀\"}"),
        delta("{\"content\":\"café\"}"),
        delta("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\","
            + "\"arguments\":\"\"}}]}"),
        delta("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\\\":1}\"}}]}"),
        new SseEvent(null, Events.DONE, "{\"finish_reason\":\"tool_calls\",\"usage\":{\"prompt_tokens\":9,"
            + "\"completion_tokens\":7,\"total_tokens\":16}}"));
    for (int size : new int[] {stream.length() * 4, 97, 13}) {
      assertThat(relay(vertx, stream, size)).as("pieces of %d bytes", size).containsExactlyElementsOf(expected);
    }
  }

  /** Verifies that a first delta without a role is given one, and a chunk that is not JSON fails the answer. */
  @Test
  void relay_noRoleThenMalformed_roleAddedThenError(Vertx vertx) throws Exception {
    String stream = chunk("{\"content\":\"Hi\"}", null) + chunk("{\"content\":\"there\"}", null)
        + frame("{\"choices\":[{\"delta\":{\"content\":\"x\"}]}") + frame("[DONE]");
    List<SseEvent> log = relay(vertx, stream, 31);
    assertThat(log.subList(1, 3)).containsExactly(delta("{\"role\":\"assistant\",\"content\":\"Hi\"}"),
        delta("{\"content\":\"there\"}"));
    assertThat(log).hasSize(4);
    assertThat(log.get(3).event()).isEqualTo(Events.ERROR);
    assertThat(log.get(3).json().getString("message")).isEqualTo("the upstream sent a malformed chunk");
  }

  /** Verifies that an error object in the stream fails the answer with the upstream's message. */
  @Test
  void relay_errorChunk_failsWithItsMessage(Vertx vertx) throws Exception {
    String stream = chunk("{\"role\":\"assistant\",\"content\":\"\"}", null) + chunk("{\"content\":\"a\"}", null)
        + frame("{\"error\":{\"message\":\"model overloaded\",\"type\":\"server_error\"}}") + frame("[DONE]");
    List<SseEvent> log = relay(vertx, stream, 4096);
    assertThat(log.get(log.size() - 1).event()).isEqualTo(Events.ERROR);
    assertThat(log.get(log.size() - 1).json().getString("message")).isEqualTo("the upstream failed: model overloaded");
  }
}
