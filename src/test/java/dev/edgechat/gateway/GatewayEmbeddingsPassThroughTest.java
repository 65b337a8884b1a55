package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17, defect 8: the gateway's {@code /v1/embeddings} failed unless the upstream's vectors had
 * the knowledge base's length (against the simulator, {@code text-embedding-3-small} gave 502
 * "vectors of 256 dimensions where 1536 are configured (embeddings.dimensions)"), and the error named
 * the internal upstream URL. Here the simulator keeps its own default length (256), as it does when
 * run with defaults: the gateway passes through what the upstream returns for any model and any
 * {@code dimensions}, in either {@code encoding_format}; the official Java SDK works with its
 * defaults, the Node SDK's exact request (its default {@code encoding_format} is base64) too; and
 * no error names an internal address.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class GatewayEmbeddingsPassThroughTest {

  private static final String KEY = "gw-embed-" + Ids.next();
  private static final String DOWN_KEY = "gw-down-" + Ids.next();
  private static final String SLOW_KEY = "gw-slow-" + Ids.next();
  /** The simulator's default vector length (sim.embeddingDimensions), left as it is. */
  private static final int SIM_DIMENSIONS = 256;

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static Application sim;
  private static Application slowSim;
  private static Application edge;
  private static int closedPort;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    sim = await(new TestSystem(vertx).env("EDGECHAT_SIM_EMBEDDING_LATENCY_MS", "1").start(Role.SIM));
    // slower than the edge's embeddings.timeoutMs below
    slowSim = await(new TestSystem(vertx).env("EDGECHAT_SIM_EMBEDDING_LATENCY_MS", "3000").start(Role.SIM));
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Path config = Files.createTempDirectory("edgechat-gateway-embeddings");
    Files.writeString(config.resolve("edgechat.yaml"), """
        gateway:
          profiles:
            down:
              baseUrl: http://127.0.0.1:%d/v1
            slow:
              baseUrl: http://127.0.0.1:%d/v1
        """.formatted(closedPort, slowSim.simPort()));
    edge = await(new TestSystem(vertx).configDir(config)
        .env("EDGECHAT_GATEWAY_KEYS", KEY + ",down:" + DOWN_KEY + ",slow:" + SLOW_KEY)
        .env("EDGECHAT_EMBEDDINGS_TIMEOUT_MS", "500")
        .startAllWithSim(sim.simPort()));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Application app : new Application[] {edge, sim, slowSim}) {
      if (app != null) {
        await(app.close());
      }
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  private static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder().apiKey(key).baseUrl("http://127.0.0.1:" + edge.edgePort() + "/v1")
        .maxRetries(0).build();
  }

  private static HttpResponse<String> post(String key, JsonObject body) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + edge.edgePort() + "/v1/embeddings"))
        .timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + key)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))
        .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static float[] fromBase64(String base64) {
    ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
    float[] vector = new float[bytes.remaining() / 4];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = bytes.getFloat();
    }
    return vector;
  }

  private static float[] fromFloats(JsonArray floats) {
    float[] vector = new float[floats.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = floats.getNumber(i).floatValue();
    }
    return vector;
  }

  private static String unique(String text) {
    return text + " " + Ids.next();
  }

  /**
   * Verifies that the Java SDK with its defaults gets the upstream's own vectors for the model the
   * knowledge base would not take (text-embedding-3-small, 1536 in OpenAI, 256 in the simulator), for
   * a model name the gateway has never heard of, and with the {@code dimensions} parameter.
   */
  @Test
  void embeddings_javaSdkDefaults_upstreamVectorsPassedThrough() {
    CreateEmbeddingResponse small = client(KEY).embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small").input(unique("How do I reset my password?")).build());
    CreateEmbeddingResponse anyModel = client(KEY).embeddings().create(EmbeddingCreateParams.builder()
        .model("house-embedder-v7").input(unique("Opening hours")).build());
    CreateEmbeddingResponse shortened = client(KEY).embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small").input(unique("Gift cards")).dimensions(64).build());
    CreateEmbeddingResponse ada = client(KEY).embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-ada-002").inputOfArrayOfStrings(List.of(unique("one"), unique("two"))).build());

    assertThat(small.data().get(0).embedding()).hasSize(SIM_DIMENSIONS);
    assertThat(small.model()).isEqualTo("text-embedding-3-small");
    assertThat(anyModel.data().get(0).embedding()).hasSize(SIM_DIMENSIONS);
    assertThat(shortened.data().get(0).embedding()).hasSize(64);
    assertThat(ada.data()).hasSize(2).allSatisfy(e -> assertThat(e.embedding()).hasSize(SIM_DIMENSIONS));
  }

  /**
   * Verifies that the Node SDK's exact request (array and string input, {@code encoding_format:
   * base64}, which the Node SDK sends by default and decodes as little-endian float32s) gets Base64
   * vectors of the upstream's length, the same vectors the float format gives.
   */
  @Test
  void embeddings_nodeSdkRequestBase64_decodesToTheUpstreamsVectors() throws Exception {
    String text = unique("Do you ship to Norway?");
    HttpResponse<String> base64 = post(KEY, new JsonObject().put("model", "text-embedding-3-small")
        .put("input", new JsonArray().add(text).add(unique("Returns"))).put("encoding_format", "base64"));
    HttpResponse<String> single = post(KEY, new JsonObject().put("model", "text-embedding-3-small")
        .put("input", text).put("encoding_format", "base64"));
    HttpResponse<String> floats = post(KEY, new JsonObject().put("model", "text-embedding-3-small")
        .put("input", text).put("encoding_format", "float"));

    assertThat(base64.statusCode()).as(base64.body()).isEqualTo(200);
    assertThat(single.statusCode()).as(single.body()).isEqualTo(200);
    assertThat(floats.statusCode()).as(floats.body()).isEqualTo(200);
    JsonArray data = new JsonObject(base64.body()).getJsonArray("data");
    assertThat(data).hasSize(2);
    List<float[]> decoded = new ArrayList<>();
    data.forEach(item -> decoded.add(fromBase64(((JsonObject) item).getString("embedding"))));
    assertThat(decoded).allSatisfy(v -> assertThat(v).hasSize(SIM_DIMENSIONS));
    float[] one = fromBase64(new JsonObject(single.body()).getJsonArray("data").getJsonObject(0).getString("embedding"));
    float[] asFloats = fromFloats(new JsonObject(floats.body()).getJsonArray("data").getJsonObject(0)
        .getJsonArray("embedding"));
    assertThat(one).containsExactly(decoded.get(0));
    assertThat(asFloats).containsExactly(decoded.get(0));
  }

  /**
   * Verifies that an upstream that cannot be reached, one that does not answer in time, and one that
   * refuses the request each give an OpenAI-shaped error with its status that names no internal address.
   */
  @Test
  void embeddings_upstreamErrors_nameNoInternalUrl() throws Exception {
    HttpResponse<String> unreachable = post(DOWN_KEY, new JsonObject().put("model", "text-embedding-3-small")
        .put("input", unique("hello")));
    HttpResponse<String> silent = post(SLOW_KEY, new JsonObject().put("model", "text-embedding-3-small")
        .put("input", unique("hello")));
    HttpResponse<String> refused = post(KEY, new JsonObject().put("model", "text-embedding-3-small")
        .put("input", unique("hello")).put("dimensions", 8000));

    assertThat(unreachable.statusCode()).as(unreachable.body()).isEqualTo(502);
    assertThat(silent.statusCode()).as(silent.body()).isEqualTo(504);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    for (HttpResponse<String> error : List.of(unreachable, silent, refused)) {
      JsonObject body = new JsonObject(error.body()).getJsonObject("error");
      assertThat(body.getString("message")).isNotBlank();
      assertThat(error.body()).doesNotContain("127.0.0.1", "http://", "localhost", ":" + closedPort,
          ":" + sim.simPort(), ":" + slowSim.simPort(), "/v1/embeddings");
    }
    assertThatThrownBy(() -> client(KEY).embeddings().create(EmbeddingCreateParams.builder()
            .model("text-embedding-3-small").input(unique("x")).dimensions(8000).build()))
        .isInstanceOf(BadRequestException.class)
        .satisfies(e -> assertThat(((OpenAIServiceException) e).getMessage()).doesNotContain("127.0.0.1"));
  }
}
