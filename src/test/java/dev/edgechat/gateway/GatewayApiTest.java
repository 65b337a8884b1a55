package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.HttpResponseFor;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.InternalServerException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import dev.edgechat.Application;
import dev.edgechat.Role;
import dev.edgechat.support.Await;
import dev.edgechat.support.MetricsText;
import dev.edgechat.support.TestSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway through the official OpenAI Java SDK, pointed at an edge (role all) whose upstream
 * is the simulator; a second simulator that always fails is the upstream of profile {@code broken}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class GatewayApiTest {

  private static final String KEY = "gw-test-key";
  private static final String STRICT_KEY = "strict-key";
  private static final String LIMITED_KEY = "limited-key";
  private static final String BROKEN_KEY = "broken-key";

  private static Application sim;
  private static Application failingSim;
  private static Application edge;
  private static HttpClient http;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    // answers take about 400 ms: long enough to join one in flight, or to leave it
    sim = await(new TestSystem(vertx).env("EDGECHAT_SIM_FIRST_TOKEN_MS", "200")
        .env("EDGECHAT_SIM_TOKENS_PER_SECOND", "100").env("EDGECHAT_SIM_ANSWER_TOKENS", "20")
        .env("EDGECHAT_SIM_EMBEDDING_DIMENSIONS", "1536").env("EDGECHAT_SIM_EMBEDDING_LATENCY_MS", "5")
        .start(Role.SIM));
    failingSim = await(new TestSystem(vertx).env("EDGECHAT_SIM_ERROR_RATE", "1").start(Role.SIM));
    Path config = Files.createTempDirectory("edgechat-gateway");
    Files.writeString(config.resolve("edgechat.yaml"), """
        gateway:
          retries: 1
          retryBackoffMs: 1
          breakerMaxFailures: 3
          breakerResetMs: 60000
          profiles:
            strict:
              models: [sim-1]
              semantic: true
            limited:
              requestsPerMinute: 1
            broken:
              baseUrl: http://127.0.0.1:%d/v1
        """.formatted(failingSim.simPort()));
    edge = await(new TestSystem(vertx).configDir(config)
        .env("EDGECHAT_GATEWAY_KEYS", KEY + ",strict:" + STRICT_KEY + ",limited:" + LIMITED_KEY + ",broken:"
            + BROKEN_KEY)
        // concurrent embeddings requests share upstream calls
        .env("EDGECHAT_EMBEDDINGS_BATCH_WINDOW_MS", "100")
        .startAllWithSim(sim.simPort()));
    http = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(8));
  }

  @AfterAll
  static void stop() throws Exception {
    for (Application app : new Application[] {edge, sim, failingSim}) {
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

  private static ChatCompletionCreateParams.Builder ask(String question) {
    return ChatCompletionCreateParams.builder().model("sim-1").temperature(0.0)
        .addSystemMessage("You answer shop questions.").addUserMessage(question);
  }

  private static String unique(String question) {
    return question + " (" + Ids.next() + ")";
  }

  private static JsonObject simStats(Application app) throws Exception {
    return await(simStatsLater(app));
  }

  /** The simulator's counters, without blocking: for conditions polled on an event loop. */
  private static Future<JsonObject> simStatsLater(Application app) {
    return http.request(HttpMethod.GET, app.simPort(), "127.0.0.1", "/sim/stats")
        .compose(req -> req.send().compose(r -> r.body())).map(Buffer::toJsonObject);
  }

  private static long chatCalls() throws Exception {
    return simStats(sim).getLong("chatCalls");
  }

  /** What a stream added up to, as a program reading it with the SDK sees it. */
  private record Streamed(String text, Optional<ChatCompletionChunk.Choice.FinishReason> finishReason,
      Optional<CompletionUsage> usage, boolean roleFirst, String cache) {
  }

  private static Streamed stream(OpenAIClient client, ChatCompletionCreateParams params) {
    HttpResponseFor<StreamResponse<ChatCompletionChunk>> raw =
        client.chat().completions().withRawResponse().createStreaming(params);
    StringBuilder text = new StringBuilder();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream = raw.parse()) {
      stream.stream().forEach(chunk -> {
        chunks.add(chunk);
        chunk.choices().forEach(choice -> choice.delta().content().ifPresent(text::append));
      });
    }
    Optional<ChatCompletionChunk.Choice.FinishReason> finish = chunks.stream()
        .flatMap(c -> c.choices().stream()).flatMap(c -> c.finishReason().stream()).findFirst();
    Optional<CompletionUsage> usage = chunks.stream().flatMap(c -> c.usage().stream()).findFirst();
    boolean roleFirst = !chunks.isEmpty() && chunks.get(0).choices().get(0).delta().role().isPresent();
    return new Streamed(text.toString(), finish, usage, roleFirst, raw.headers().values(CacheMode.HEADER).get(0));
  }

  private static ChatCompletionCreateParams withUsage(ChatCompletionCreateParams.Builder builder) {
    return builder.streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
  }

  /** Verifies that a whole completion comes back as the SDK expects, a miss, with usage. */
  @Test
  void completions_whole_sdkParsesAnswer() throws Exception {
    HttpResponseFor<ChatCompletion> raw = client(KEY).chat().completions().withRawResponse()
        .create(ask(unique("How do I reset my password?")).build());
    ChatCompletion completion = raw.parse();
    assertThat(raw.headers().values(CacheMode.HEADER)).containsExactly("miss");
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content()).isPresent().get().asString().isNotBlank();
    assertThat(completion.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage()).isPresent();
    assertThat(completion.usage().get().completionTokens()).isEqualTo(20);
  }

  /**
   * Verifies that a streamed completion reaches the SDK as chunks, role first, finish reason last,
   * usage when asked, and that the same request replayed from the cache reads exactly the same
   * without an upstream call.
   */
  @Test
  void completions_streamedThenReplayed_sdkSeesTheSameAnswer() throws Exception {
    ChatCompletionCreateParams params = withUsage(ask(unique("Do you ship to Canada?")));
    long before = chatCalls();
    Streamed first = stream(client(KEY), params);
    Streamed again = stream(client(KEY), params);
    assertThat(chatCalls() - before).isEqualTo(1);
    assertThat(first.cache()).isEqualTo("miss");
    assertThat(again.cache()).isEqualTo("hit");
    assertThat(first.roleFirst()).isTrue();
    assertThat(again.roleFirst()).isTrue();
    assertThat(first.text()).isNotBlank();
    assertThat(again.text()).isEqualTo(first.text());
    assertThat(first.finishReason()).contains(ChatCompletionChunk.Choice.FinishReason.STOP);
    assertThat(again.finishReason()).isEqualTo(first.finishReason());
    assertThat(first.usage()).isPresent();
    assertThat(again.usage()).isEqualTo(first.usage());
  }

  /** Verifies that a cached answer is replayed in the other form: whole to a stream, and a stream without usage when not asked. */
  @Test
  void completions_wholeThenStreamed_replayedAsChunks() throws Exception {
    ChatCompletionCreateParams.Builder builder = ask(unique("What does express delivery cost?"));
    ChatCompletion whole = client(KEY).chat().completions().create(builder.build());
    long before = chatCalls();
    Streamed streamed = stream(client(KEY), builder.build());
    assertThat(chatCalls()).isEqualTo(before);
    assertThat(streamed.cache()).isEqualTo("hit");
    assertThat(streamed.text()).isEqualTo(whole.choices().get(0).message().content().orElseThrow());
    assertThat(streamed.usage()).isEmpty();
  }

  /**
   * Verifies that an upstream call of the gateway is measured like the chat's model calls, by model
   * as the request named it: its time to the first chunk and its duration as histograms, and the
   * tokens in and out it reported; a hit of the same request adds nothing.
   */
  @Test
  void completions_miss_upstreamLatencyAndTokensByModel() throws Exception {
    String model = "api=\"gateway\",gen_ai_operation_name=\"chat\",gen_ai_request_model=\"sim-1\"";
    String before = await(MetricsText.scrape(http, edge.edgePort()));
    ChatCompletionCreateParams params = ask(unique("Do you gift-wrap orders?")).build();
    ChatCompletion answer = client(KEY).chat().completions().create(params);
    client(KEY).chat().completions().create(params); // a hit: no upstream call
    String after = await(MetricsText.scrape(http, edge.edgePort()));
    assertThat(after).contains("gen_ai_server_time_to_first_token_seconds_bucket{" + model + ",le=\"0.3\"}");
    assertThat(delta(before, after, "gen_ai_server_time_to_first_token_seconds_count", model)).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_operation_duration_seconds_count",
        model.replace("api=\"gateway\",", "api=\"gateway\",error_type=\"none\","))).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_operation_duration_seconds_bucket",
        model + ",le=\"+Inf\"")).isEqualTo(1);
    assertThat(delta(before, after, "gen_ai_client_token_usage_sum", model + ",gen_ai_token_type=\"output\""))
        .isEqualTo(answer.usage().orElseThrow().completionTokens());
    assertThat(delta(before, after, "gen_ai_client_token_usage_sum", model + ",gen_ai_token_type=\"input\""))
        .isEqualTo(answer.usage().orElseThrow().promptTokens());
  }

  private static double delta(String before, String after, String name, String labels) {
    return MetricsText.value(after, name, labels) - MetricsText.value(before, name, labels);
  }

  /** Verifies that bypass asks the upstream and stores nothing, and refresh asks it again and stores. */
  @Test
  void completions_bypassAndRefresh_askTheUpstream() throws Exception {
    ChatCompletionCreateParams.Builder builder = ask(unique("How do I cancel my subscription?"));
    OpenAIClient client = client(KEY);
    client.chat().completions().create(builder.build());
    long before = chatCalls();
    HttpResponseFor<ChatCompletion> bypassed = client.chat().completions().withRawResponse()
        .create(builder.replaceAdditionalHeaders(CacheMode.HEADER, "bypass").build());
    HttpResponseFor<ChatCompletion> refreshed = client.chat().completions().withRawResponse()
        .create(builder.replaceAdditionalHeaders(CacheMode.HEADER, "refresh").build());
    HttpResponseFor<ChatCompletion> cached = client.chat().completions().withRawResponse()
        .create(builder.replaceAdditionalHeaders(CacheMode.HEADER, "exact").build());
    assertThat(chatCalls() - before).isEqualTo(2);
    assertThat(bypassed.headers().values(CacheMode.HEADER)).containsExactly("miss");
    assertThat(refreshed.headers().values(CacheMode.HEADER)).containsExactly("miss");
    assertThat(cached.headers().values(CacheMode.HEADER)).containsExactly("hit");
  }

  /** Verifies that an answer at temperature above 0 is not cached when the key's profile does not allow it. */
  @Test
  void completions_temperatureAboveZero_notCached() throws Exception {
    ChatCompletionCreateParams params = ask(unique("Which payment methods do you accept?")).temperature(0.7).build();
    long before = chatCalls();
    client(KEY).chat().completions().create(params);
    HttpResponseFor<ChatCompletion> second = client(KEY).chat().completions().withRawResponse().create(params);
    assertThat(chatCalls() - before).isEqualTo(2);
    assertThat(second.headers().values(CacheMode.HEADER)).containsExactly("miss");
  }

  /** Verifies that two identical streams in flight at once share one upstream call and read the same answer. */
  @Test
  void completions_identicalInFlight_coalesced() throws Exception {
    ChatCompletionCreateParams params = withUsage(ask(unique("Can I return a gift card?")));
    long before = chatCalls();
    CompletableFuture<Streamed> one = CompletableFuture.supplyAsync(() -> stream(client(KEY), params));
    CompletableFuture<Streamed> two = CompletableFuture.supplyAsync(() -> stream(client(KEY), params));
    Streamed a = one.get(30, TimeUnit.SECONDS);
    Streamed b = two.get(30, TimeUnit.SECONDS);
    assertThat(chatCalls() - before).isEqualTo(1);
    assertThat(b.text()).isEqualTo(a.text());
    assertThat(a.usage()).isPresent();
    assertThat(b.usage()).isPresent();
  }

  /** Verifies that a semantic match is used only when the request asks for it and the key's profile allows it. */
  @Test
  void completions_semantic_onlyWhenAskedAndAllowed() throws Exception {
    String tag = Ids.next();
    OpenAIClient strict = client(STRICT_KEY);
    strict.chat().completions().create(ask("How long does a refund take? " + tag).build());
    ChatCompletionCreateParams paraphrase = ask("how long does a refund take " + tag + "?").build();
    HttpResponseFor<ChatCompletion> exactOnly = strict.chat().completions().withRawResponse().create(paraphrase);
    assertThat(exactOnly.headers().values(CacheMode.HEADER)).containsExactly("miss");
    assertThatThrownBy(() -> client(KEY).chat().completions().create(ask("What is a refund? " + tag)
        .putAdditionalHeader(CacheMode.HEADER, "semantic").build()))
        .isInstanceOf(BadRequestException.class);
  }

  /** Verifies that the SDK raises the exception of OpenAI's status for each refusal. */
  @Test
  void errors_raisedAsTheSdkExceptionTypes() {
    ChatCompletionCreateParams params = ask(unique("Where can I track my order?")).build();
    assertThatThrownBy(() -> client("not-a-key").chat().completions().create(params))
        .isInstanceOf(UnauthorizedException.class);
    assertThatThrownBy(() -> client(STRICT_KEY).chat().completions().create(ask("Hi").model("gpt-4o").build()))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("gpt-4o");
    assertThatThrownBy(() -> client(KEY).chat().completions().create(ask("Hi").n(2).build()))
        .isInstanceOf(BadRequestException.class);
    client(LIMITED_KEY).chat().completions().create(params);
    assertThatThrownBy(() -> client(LIMITED_KEY).chat().completions().create(params))
        .isInstanceOf(RateLimitException.class)
        .satisfies(e -> assertThat(((RateLimitException) e).headers().values("Retry-After")).isNotEmpty());
  }

  /** Verifies that a malformed body is a 400 in OpenAI's error shape, not a 500. */
  @Test
  void completions_malformedBody_badRequest() throws Exception {
    for (String body : List.of("{not json", "[]", "{\"model\":\"sim-1\"}", "{\"model\":\"sim-1\",\"messages\":[1]}",
        "{\"model\":\"sim-1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":\"yes\"}")) {
      JsonObject answer = await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
              .setHost("127.0.0.1").setPort(edge.edgePort()).setURI("/v1/chat/completions")
              .putHeader("Authorization", "Bearer " + KEY).putHeader("Content-Type", "application/json"))
          .compose(req -> req.send(body).compose(r -> r.body().map(b -> new JsonObject()
              .put("status", r.statusCode()).put("body", b.toJsonObject())))));
      assertThat(answer.getInteger("status")).as(body).isEqualTo(400);
      JsonObject error = answer.getJsonObject("body").getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("invalid_request_error");
      assertThat(error.containsKey("param")).isTrue();
      assertThat(error.containsKey("code")).isTrue();
    }
  }

  /** Verifies that a caller that disconnects mid-stream cancels the upstream call. */
  @Test
  void completions_clientDisconnects_upstreamCancelled(Vertx vertx) throws Exception {
    long cancelledBefore = simStats(sim).getLong("cancelled");
    JsonObject body = new JsonObject().put("model", "sim-1").put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", unique("Leaving"))));
    // the exchange runs on an event loop: Vert.x 5.0.8 hands a response's first chunk to nobody when its
    // handler is set from a step chained on another thread after the head arrived
    io.vertx.core.Promise<Void> left = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
            .setPort(edge.edgePort()).setURI("/v1/chat/completions")
            .putHeader("Authorization", "Bearer " + KEY).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(body.toBuffer()).compose(response -> {
          assertThat(response.statusCode()).isEqualTo(200);
          io.vertx.core.Promise<Void> firstChunk = io.vertx.core.Promise.promise();
          response.handler(chunk -> {
            if (firstChunk.tryComplete()) {
              req.reset(); // leave after the first chunk
            }
          });
          return firstChunk.future();
        })).onComplete(left));
    await(left.future());
    await(Await.until(vertx, () -> simStatsLater(sim).map(stats -> stats.getLong("cancelled") > cancelledBefore),
        10_000));
  }

  /**
   * Verifies that failed tries are retried before the first chunk, end as a 5xx the SDK raises as
   * such, and open the upstream's breaker, which then refuses at once without asking it.
   */
  @Test
  void breaker_opensAfterFailures_refusesWithoutAskingUpstream() throws Exception {
    OpenAIClient broken = client(BROKEN_KEY);
    long before = simStats(failingSim).getLong("chatCalls");
    assertThatThrownBy(() -> broken.chat().completions().create(ask(unique("One")).build()))
        .isInstanceOf(InternalServerException.class);
    assertThat(simStats(failingSim).getLong("chatCalls") - before).isEqualTo(2); // the try and one retry
    assertThatThrownBy(() -> broken.chat().completions().create(ask(unique("Two")).build()))
        .isInstanceOf(InternalServerException.class);
    long afterOpening = simStats(failingSim).getLong("chatCalls");
    assertThatThrownBy(() -> broken.chat().completions().create(ask(unique("Three")).build()))
        .isInstanceOf(InternalServerException.class)
        .satisfies(e -> assertThat(((InternalServerException) e).statusCode()).isEqualTo(503));
    assertThat(simStats(failingSim).getLong("chatCalls")).isEqualTo(afterOpening);
  }

  /** Verifies that embeddings come back as the SDK expects, and concurrent inputs share upstream calls. */
  @Test
  void embeddings_concurrentInputs_batchedAndDeduplicated() throws Exception {
    JsonObject before = simStats(sim);
    String tag = Ids.next();
    List<CompletableFuture<CreateEmbeddingResponse>> calls = IntStream.range(0, 6)
        .mapToObj(i -> CompletableFuture.supplyAsync(() -> client(KEY).embeddings().create(EmbeddingCreateParams
            .builder().model("text-embedding-3-small").input("text " + i + " " + tag).build())))
        .toList();
    CreateEmbeddingResponse several = client(KEY).embeddings().create(EmbeddingCreateParams.builder()
        .model("text-embedding-3-small")
        .inputOfArrayOfStrings(List.of("same " + tag, "same " + tag, "other " + tag, "same " + tag)).build());
    List<CreateEmbeddingResponse> answers = new ArrayList<>();
    for (CompletableFuture<CreateEmbeddingResponse> call : calls) {
      answers.add(call.get(30, TimeUnit.SECONDS));
    }
    JsonObject after = simStats(sim);
    assertThat(answers).allSatisfy(a -> assertThat(a.data().get(0).embedding()).hasSize(1536));
    assertThat(several.data()).hasSize(4);
    assertThat(several.data().get(1).embedding()).isEqualTo(several.data().get(0).embedding());
    long upstreamCalls = after.getLong("embeddingCalls") - before.getLong("embeddingCalls");
    long upstreamInputs = after.getLong("embeddingInputs") - before.getLong("embeddingInputs");
    assertThat(upstreamCalls).isLessThan(7);
    assertThat(upstreamInputs).isEqualTo(8); // 6 single texts and 2 distinct of the 4
  }

  /** Verifies that embeddings say hit only when every input's vector came from the cache. */
  @Test
  void embeddings_askedAgain_reportedAsHit() throws Exception {
    String tag = Ids.next();
    EmbeddingCreateParams first = EmbeddingCreateParams.builder().model("text-embedding-3-small")
        .input("cached text " + tag).build();
    EmbeddingCreateParams partly = EmbeddingCreateParams.builder().model("text-embedding-3-small")
        .inputOfArrayOfStrings(List.of("cached text " + tag, "new text " + tag)).build();

    HttpResponseFor<CreateEmbeddingResponse> miss = client(KEY).embeddings().withRawResponse().create(first);
    CreateEmbeddingResponse missed = miss.parse();
    HttpResponseFor<CreateEmbeddingResponse> hit = waitForHit(first);
    HttpResponseFor<CreateEmbeddingResponse> partial = client(KEY).embeddings().withRawResponse().create(partly);

    assertThat(miss.headers().values(CacheMode.HEADER)).containsExactly("miss");
    assertThat(hit.headers().values(CacheMode.HEADER)).containsExactly("hit");
    assertThat(hit.parse().data().get(0).embedding()).isEqualTo(missed.data().get(0).embedding());
    assertThat(partial.headers().values(CacheMode.HEADER)).containsExactly("miss");
  }

  /** The cache stores a vector after answering with it: asks again until it is there (at most 50 times). */
  private static HttpResponseFor<CreateEmbeddingResponse> waitForHit(EmbeddingCreateParams params) {
    HttpResponseFor<CreateEmbeddingResponse> answer = null;
    for (int i = 0; i < 50; i++) {
      answer = client(KEY).embeddings().withRawResponse().create(params);
      if (answer.headers().values(CacheMode.HEADER).contains("hit")) {
        return answer;
      }
    }
    return answer;
  }

  /** Verifies that the model list is the upstream's, narrowed to a profile's models. */
  @Test
  void models_listedPerProfile() {
    List<String> all = client(KEY).models().list().data().stream().map(Model::id).toList();
    List<String> strict = client(STRICT_KEY).models().list().data().stream().map(Model::id).toList();
    assertThat(all).contains("sim-1", "gpt-4o-mini");
    assertThat(strict).containsExactly("sim-1");
  }
}
