package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.InternalServerException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.Await;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway against upstreams that take their time: a simulator that sends a token every half
 * second, to an edge whose first-token timeout is shorter than that and whose idle timeout longer.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class GatewayUpstreamTest {

  private static final String KEY = "gw-upstream-key";
  private static final String LONG_KEY = "gw-long-key";

  private static Application slowSim;
  private static Application longSim;
  private static Application edge;
  private static HttpClient http;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    slowSim = await(new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "50")
        .env("EDGECHAT_SIM_TOKENS_PER_SECOND", "2").env("EDGECHAT_SIM_ANSWER_TOKENS", "3").start(Role.SIM));
    // an answer far longer than the edge keeps of one, sent as fast as it goes
    longSim = await(new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "0")
        .env("EDGECHAT_SIM_TOKENS_PER_SECOND", "20000").env("EDGECHAT_SIM_ANSWER_TOKENS", "200000").start(Role.SIM));
    Path config = Files.createTempDirectory("edgechat-gateway-upstream");
    Files.writeString(config.resolve("edgechat.yaml"), """
        gateway:
          firstTokenTimeoutMs: 300
          idleTimeoutMs: 5000
          maxAnswerBytes: 65536
          profiles:
            long:
              baseUrl: http://127.0.0.1:%d/v1
        """.formatted(longSim.simPort()));
    edge = await(new TestSystem(vertx).configDir(config).env("EDGECHAT_GATEWAY_KEYS", KEY + ",long:" + LONG_KEY)
        .startAllWithSim(slowSim.simPort()));
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stop() throws Exception {
    for (Application app : new Application[] {edge, slowSim, longSim}) {
      if (app != null) {
        await(app.close());
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static OpenAIClient client() {
    return client(KEY);
  }

  private static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().apiKey(key).baseUrl("http://127.0.0.1:" + edge.edgePort() + "/v1")
        .maxRetries(0).build();
  }

  private static ChatCompletionCreateParams ask(String question) {
    return ChatCompletionCreateParams.builder().model("sim-1").temperature(0.0).addUserMessage(question).build();
  }

  /**
   * Verifies that pauses between chunks longer than the first-token timeout but shorter than the
   * idle timeout do not cut a stream: after the first chunk only {@code idleTimeoutMs} applies.
   */
  @Test
  void completions_slowChunksWithinIdleTimeout_streamCompletes() {
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = client().chat().completions()
        .createStreaming(ask("Slow " + Ids.next()))) {
      stream.stream().forEach(chunks::add);
    }
    assertThat(chunks.stream().flatMap(c -> c.choices().stream()).flatMap(c -> c.finishReason().stream()))
        .containsExactly(ChatCompletionChunk.Choice.FinishReason.STOP);
  }

  /**
   * Verifies that an upstream answer longer than {@code gateway.maxAnswerBytes} is not held whole
   * in memory: the caller gets an error, the upstream call is cancelled and nothing is cached.
   */
  @Test
  void completions_answerOverMaxAnswerBytes_cutAndNotCached(Vertx vertx) throws Exception {
    ChatCompletionCreateParams params = ask("Endless " + Ids.next());
    long cancelledBefore = simStats(vertx).getLong("cancelled");
    assertThatThrownBy(() -> client(LONG_KEY).chat().completions().create(params))
        .isInstanceOf(InternalServerException.class);
    await(Await.until(vertx, () -> simStatsLater(vertx).map(stats -> stats.getLong("cancelled") > cancelledBefore),
        10_000));
    long callsBefore = simStats(vertx).getLong("chatCalls");
    assertThatThrownBy(() -> client(LONG_KEY).chat().completions().create(params))
        .isInstanceOf(InternalServerException.class);
    assertThat(simStats(vertx).getLong("chatCalls")).isEqualTo(callsBefore + 1);
  }

  private static JsonObject simStats(Vertx vertx) throws Exception {
    return await(simStatsLater(vertx));
  }

  private static Future<JsonObject> simStatsLater(Vertx vertx) {
    return http.request(HttpMethod.GET, longSim.simPort(), "127.0.0.1", "/sim/stats")
        .compose(req -> req.send().compose(r -> r.body())).map(Buffer::toJsonObject);
  }
}
