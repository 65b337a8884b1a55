package dev.edgechat.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.edgechat.config.SimSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class SimulatorApiTest {

  /** Fast enough for tests, slow enough that the first token's wait is measurable. */
  private static final SimSettings FAST = SimSettings.builder().firstTokenMs(40).tokensPerSecond(2000).answerTokens(20)
      .embeddingLatencyMs(5).embeddingDimensions(256).errorRate(0).stallRate(0).cutRate(0).seed(42).answerSpread(0)
      .build();

  private Vertx vertx;
  private SimulatorApi api;
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start(VertxTestContext testContext) {
    // A blocked event loop shows up in the log at once rather than hiding in slow tests.
    vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(200)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(100)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(200)
        .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
    api = new SimulatorApi(vertx, FAST);
    Router router = Router.router(vertx);
    api.mount(router);
    client = vertx.createHttpClient();
    vertx.createHttpServer().requestHandler(router).listen(0)
        .onComplete(testContext.succeeding(started -> {
          server = started;
          testContext.completeNow();
        }));
  }

  @AfterEach
  void stop(VertxTestContext testContext) {
    vertx.close().onComplete(testContext.succeedingThenComplete());
  }

  /** Verifies that a stream sends the role chunk, one chunk per token, the finish chunk, usage and [DONE]. */
  @Test
  void chatStream_sendsRoleTokensFinishUsageAndDone(VertxTestContext testContext) {
    JsonObject body = chat("How do I reset my password?").put("stream", true)
        .put("stream_options", new JsonObject().put("include_usage", true));
    stream(body, null)
        .compose(sse -> sse.ended().map(clean -> {
          testContext.verify(() -> {
            assertThat(clean).isTrue();
            assertThat(sse.response().statusCode()).isEqualTo(200);
            assertThat(sse.response().getHeader("Content-Type")).startsWith("text/event-stream");
            List<JsonObject> chunks = sse.chunks();
            assertThat(chunks).hasSize(1 + 20 + 2);
            assertThat(chunks).allSatisfy(chunk -> {
              assertThat(chunk.getString("object")).isEqualTo("chat.completion.chunk");
              assertThat(chunk.getString("model")).isEqualTo("gpt-4o-mini");
              assertThat(chunk.getString("id")).startsWith("chatcmpl-");
            });
            assertThat(delta(chunks.get(0)))
                .isEqualTo(new JsonObject().put("role", "assistant").put("content", ""));
            assertThat(sse.tokens()).hasSize(20).allSatisfy(token -> assertThat(token).matches(" \\S+"));
            JsonObject finish = chunks.get(21).getJsonArray("choices").getJsonObject(0);
            assertThat(finish.getJsonObject("delta")).isEqualTo(new JsonObject());
            assertThat(finish.getString("finish_reason")).isEqualTo("stop");
            JsonObject usage = chunks.get(22);
            assertThat(usage.getJsonArray("choices")).isEmpty();
            assertThat(usage.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(20);
            assertThat(usage.getJsonObject("usage").getInteger("total_tokens"))
                .isEqualTo(20 + usage.getJsonObject("usage").getInteger("prompt_tokens"));
            assertThat(sse.frames().get(sse.frames().size() - 1)).isEqualTo("[DONE]");
          });
          return sse;
        }))
        .compose(sse -> getJson("/sim/stats"))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(stats.getLong("chatCalls")).isEqualTo(1);
          assertThat(stats.getLong("completionTokens")).isEqualTo(20);
          assertThat(stats.getLong("cancelled")).isZero();
          testContext.completeNow();
        })));
  }

  /** Verifies that a stream without include_usage has no usage chunk. */
  @Test
  void chatStream_withoutIncludeUsage_hasNoUsageChunk(VertxTestContext testContext) {
    stream(chat("hello").put("stream", true), null)
        .compose(sse -> sse.ended().map(sse))
        .onComplete(testContext.succeeding(sse -> testContext.verify(() -> {
          assertThat(sse.chunks()).hasSize(1 + 20 + 1).noneMatch(chunk -> chunk.containsKey("usage"));
          assertThat(sse.frames().get(sse.frames().size() - 1)).isEqualTo("[DONE]");
          testContext.completeNow();
        })));
  }

  /** Verifies that the first token comes no earlier than firstTokenMs after the request. */
  @Test
  void chatStream_firstToken_waitsFirstTokenMs(VertxTestContext testContext) {
    stream(chat("hello").put("stream", true), null)
        .compose(sse -> sse.ended().map(sse))
        .onComplete(testContext.succeeding(sse -> testContext.verify(() -> {
          assertThat(sse.firstTokenMs()).isGreaterThanOrEqualTo(FAST.firstTokenMs());
          testContext.completeNow();
        })));
  }

  /** Verifies that high rates work: a tick sends every token due, none lost or repeated. */
  @Test
  void chatStream_atHighRate_sendsEveryToken(VertxTestContext testContext) {
    api.settings(FAST.toBuilder().firstTokenMs(0).tokensPerSecond(5000).answerTokens(500).build());
    JsonObject body = chat("How do I reset my password?");
    stream(body.copy().put("stream", true), null)
        .compose(sse -> sse.ended().map(sse))
        .compose(sse -> postJson("/v1/chat/completions", body).map(whole -> {
          testContext.verify(() -> {
            assertThat(sse.tokens()).hasSize(500);
            assertThat(String.join("", sse.tokens())).isEqualTo(content(whole));
          });
          return whole;
        }))
        .onComplete(testContext.succeedingThenComplete());
  }

  /** Verifies that a client that stops reading holds the stream back (drain) and still gets it all, in order. */
  @Test
  void chatStream_slowReader_isHeldBackThenGetsEveryToken(VertxTestContext testContext) {
    int tokens = 20_000;
    api.settings(FAST.toBuilder().firstTokenMs(0).tokensPerSecond(1_000_000).answerTokens(tokens).build());
    // Small socket buffers: a paused reader fills them, and then the server's write queue, quickly.
    Router router = Router.router(vertx);
    api.mount(router);
    HttpClient slowClient = vertx.createHttpClient(new HttpClientOptions().setReceiveBufferSize(16 * 1024));
    vertx.createHttpServer(new HttpServerOptions().setSendBufferSize(16 * 1024)).requestHandler(router).listen(0)
        .compose(slowServer -> stream(slowClient, slowServer.actualPort(), chat("hello").put("stream", true), null))
        .compose(sse -> {
          sse.response().pause();
          return vertx.timer(300, TimeUnit.MILLISECONDS).compose(v -> {
            testContext.verify(() -> assertThat(api.stats().completionTokens()).isLessThan(tokens));
            sse.response().resume();
            return sse.ended().map(sse);
          });
        })
        .onComplete(testContext.succeeding(sse -> testContext.verify(() -> {
          List<String> frames = sse.frames();
          assertThat(frames).hasSize(1 + tokens + 1 + 1);
          // A string check per frame: decoding 20 000 chunks would hold the test's event loop too long.
          assertThat(frames.subList(1, 1 + tokens)).allMatch(frame -> frame.contains("\"delta\":{\"content\":\" "));
          assertThat(frames.get(1 + tokens)).contains("\"finish_reason\":\"stop\"");
          assertThat(frames.get(frames.size() - 1)).isEqualTo("[DONE]");
          assertThat(api.stats().completionTokens()).isEqualTo(tokens);
          testContext.completeNow();
        })));
  }

  /** Verifies the shape of a whole answer and that it comes no earlier than its generation time. */
  @Test
  void chatCompletion_answersWholeAfterGenerationTime(VertxTestContext testContext) {
    long sent = System.nanoTime();
    postJson("/v1/chat/completions", chat("How do I reset my password?"))
        .onComplete(testContext.succeeding(json -> testContext.verify(() -> {
          double elapsedMs = (System.nanoTime() - sent) / 1e6;
          assertThat(elapsedMs).isGreaterThanOrEqualTo(FAST.firstTokenMs() + 20 * 1000.0 / FAST.tokensPerSecond());
          assertThat(json.getString("id")).startsWith("chatcmpl-");
          assertThat(json.getString("object")).isEqualTo("chat.completion");
          assertThat(json.getLong("created")).isPositive();
          assertThat(json.getString("model")).isEqualTo("gpt-4o-mini");
          JsonObject choice = json.getJsonArray("choices").getJsonObject(0);
          assertThat(choice.getInteger("index")).isZero();
          assertThat(choice.getJsonObject("message").getString("role")).isEqualTo("assistant");
          assertThat(choice.getString("finish_reason")).isEqualTo("stop");
          assertThat(content(json).split(" ", -1)).hasSize(1 + 20);
          JsonObject usage = json.getJsonObject("usage");
          assertThat(usage.getInteger("completion_tokens")).isEqualTo(20);
          assertThat(usage.getInteger("prompt_tokens")).isPositive();
          assertThat(usage.getInteger("total_tokens"))
              .isEqualTo(usage.getInteger("prompt_tokens") + usage.getInteger("completion_tokens"));
          testContext.completeNow();
        })));
  }

  /** Verifies that the answer depends only on the conversation: same request, same text; another, another. */
  @Test
  void chatCompletion_isDeterministic(VertxTestContext testContext) {
    Future.all(
            postJson("/v1/chat/completions", chat("How do I reset my password?")),
            postJson("/v1/chat/completions", chat("How do I reset my password?")),
            postJson("/v1/chat/completions", chat("What are your opening hours on Sunday?")))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          String first = content(all.resultAt(0));
          assertThat(content(all.resultAt(1))).isEqualTo(first);
          assertThat(content(all.resultAt(2))).isNotEqualTo(first);
          testContext.completeNow();
        })));
  }

  /** Verifies that max_tokens below answerTokens cuts the answer to a prefix with finish_reason length. */
  @Test
  void chatCompletion_maxTokens_cutsWithFinishReasonLength(VertxTestContext testContext) {
    JsonObject body = chat("How do I reset my password?");
    Future.all(
            postJson("/v1/chat/completions", body),
            postJson("/v1/chat/completions", body.copy().put("max_tokens", 5)))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          JsonObject full = all.resultAt(0);
          JsonObject cut = all.resultAt(1);
          assertThat(cut.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
          assertThat(cut.getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(5);
          assertThat(content(full)).startsWith(content(cut));
          assertThat(content(cut).split(" ", -1)).hasSize(1 + 5);
          testContext.completeNow();
        })));
  }

  /** Verifies that a body that is not JSON gets a 400 in OpenAI's error shape. */
  @Test
  void chatCompletion_badJson_is400(VertxTestContext testContext) {
    call(HttpMethod.POST, "/v1/chat/completions", "{\"model\": ", null)
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(400);
          JsonObject error = reply.json().getJsonObject("error");
          assertThat(error.getString("type")).isEqualTo("invalid_request_error");
          assertThat(error.getString("message")).isNotBlank();
          assertThat(error.fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
          assertThat(api.stats().chatCalls()).isZero();
          testContext.completeNow();
        })));
  }

  /** Verifies that a request without messages gets a 400 naming the parameter. */
  @Test
  void chatCompletion_missingMessages_is400(VertxTestContext testContext) {
    call(HttpMethod.POST, "/v1/chat/completions", new JsonObject().put("model", "sim-1").encode(), null)
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(400);
          assertThat(reply.json().getJsonObject("error").getString("param")).isEqualTo("messages");
          testContext.completeNow();
        })));
  }

  /** Verifies that a body over the 1 MiB limit gets a 413 in OpenAI's error shape. */
  @Test
  void chatCompletion_bodyTooLarge_is413(VertxTestContext testContext) {
    String body = chat("x".repeat((1 << 20) + 1)).encode();
    call(HttpMethod.POST, "/v1/chat/completions", body, null)
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(413);
          assertThat(reply.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
          testContext.completeNow();
        })));
  }

  /** Verifies that X-Sim-Fault: 500 answers 500 with a server_error body. */
  @Test
  void chatCompletion_fault500_is500(VertxTestContext testContext) {
    call(HttpMethod.POST, "/v1/chat/completions", chat("hi").put("stream", true).encode(), "500")
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(500);
          JsonObject error = reply.json().getJsonObject("error");
          assertThat(error.getString("type")).isEqualTo("server_error");
          assertThat(error.fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
          testContext.completeNow();
        })));
  }

  /** Verifies that X-Sim-Fault: 429 answers 429 with Retry-After and a rate_limit_error body. */
  @Test
  void chatCompletion_fault429_isRateLimited(VertxTestContext testContext) {
    call(HttpMethod.POST, "/v1/chat/completions", chat("hi").encode(), "429")
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(429);
          assertThat(reply.retryAfter()).isEqualTo("1");
          assertThat(reply.json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
          testContext.completeNow();
        })));
  }

  /** Verifies that errorRate 1 fails every call, and that X-Sim-Fault: none overrides the dice. */
  @Test
  void chatCompletion_errorRateOne_failsUnlessHeaderSaysNone(VertxTestContext testContext) {
    api.settings(FAST.toBuilder().firstTokenMs(0).tokensPerSecond(5000).answerTokens(5).errorRate(1.0).seed(7).build());
    String body = chat("hi").encode();
    call(HttpMethod.POST, "/v1/chat/completions", body, null)
        .compose(rolled -> call(HttpMethod.POST, "/v1/chat/completions", body, "none")
            .map(forced -> List.of(rolled, forced)))
        .onComplete(testContext.succeeding(replies -> testContext.verify(() -> {
          assertThat(replies.get(0).status()).isEqualTo(500);
          assertThat(replies.get(1).status()).isEqualTo(200);
          testContext.completeNow();
        })));
  }

  /** Verifies that an unknown X-Sim-Fault value is a 400. */
  @Test
  void chatCompletion_unknownFaultHeader_is400(VertxTestContext testContext) {
    call(HttpMethod.POST, "/v1/chat/completions", chat("hi").encode(), "explode")
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(400);
          testContext.completeNow();
        })));
  }

  /** Verifies that X-Sim-Fault: cut ends the stream half way, without finish chunk or [DONE]. */
  @Test
  void chatStream_faultCut_endsWithoutDone(VertxTestContext testContext) {
    stream(chat("hello").put("stream", true), "cut")
        .compose(sse -> sse.ended().map(clean -> {
          testContext.verify(() -> {
            assertThat(clean).isFalse();
            assertThat(sse.tokens()).hasSize(10);
            assertThat(sse.frames()).doesNotContain("[DONE]");
            assertThat(sse.chunks()).noneMatch(chunk ->
                chunk.getJsonArray("choices").getJsonObject(0).getString("finish_reason") != null);
          });
          return sse;
        }))
        .compose(sse -> getJson("/sim/stats"))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(stats.getLong("completionTokens")).isEqualTo(10);
          assertThat(stats.getLong("cancelled")).isZero();
          testContext.completeNow();
        })));
  }

  /** Verifies that a stalled stream stops after the first token and counts as cancelled when the client leaves. */
  @Test
  void chatStream_faultStall_sendsOneTokenThenCancelledWhenClientLeaves(VertxTestContext testContext) {
    stream(chat("hello").put("stream", true), "stall")
        .compose(sse -> sse.firstToken()
            // Ten times the whole answer's time: a stream that were not stalled would have ended.
            .compose(v -> vertx.timer(10 * (FAST.firstTokenMs() + 10), TimeUnit.MILLISECONDS))
            .map(v -> {
              testContext.verify(() -> {
                assertThat(sse.tokens()).hasSize(1);
                assertThat(sse.frames()).doesNotContain("[DONE]");
                assertThat(sse.ended().isComplete()).isFalse();
              });
              sse.response().request().connection().close();
              return sse;
            }))
        .compose(sse -> statsWhen(stats -> stats.getLong("cancelled") > 0))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(stats.getLong("cancelled")).isEqualTo(1);
          assertThat(stats.getLong("completionTokens")).isEqualTo(1);
          testContext.completeNow();
        })));
  }

  /** Verifies that a client closing the connection mid-stream counts as cancelled and stops the tokens. */
  @Test
  void chatStream_clientClosesMidStream_countsCancelled(VertxTestContext testContext) {
    api.settings(FAST.toBuilder().firstTokenMs(0).tokensPerSecond(50).answerTokens(1000).build());
    stream(chat("hello").put("stream", true), null)
        .compose(sse -> sse.firstToken().map(v -> {
          sse.response().request().connection().close();
          return sse;
        }))
        .compose(sse -> statsWhen(stats -> stats.getLong("cancelled") > 0))
        .onComplete(testContext.succeeding(stats -> testContext.verify(() -> {
          assertThat(stats.getLong("cancelled")).isEqualTo(1);
          assertThat(stats.getLong("completionTokens")).isLessThan(1000);
          testContext.completeNow();
        })));
  }

  /** Verifies that similar texts embed nearer than unrelated ones, as unit vectors, deterministically. */
  @Test
  void embeddings_similarTextsAreNearAndVectorsNormalized(VertxTestContext testContext) {
    JsonObject body = new JsonObject()
        .put("model", "text-embedding-3-small")
        .put("input", new JsonArray()
            .add("How do I reset my password?")
            .add("how can I reset my password")
            .add("What are your opening hours on Sunday?"));
    Future.all(postJson("/v1/embeddings", body), postJson("/v1/embeddings", body))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          JsonObject first = all.resultAt(0);
          JsonObject second = all.resultAt(1);
          assertThat(first.getString("object")).isEqualTo("list");
          assertThat(first.getString("model")).isEqualTo("text-embedding-3-small");
          assertThat(first.getJsonObject("usage").getInteger("prompt_tokens")).isPositive();
          JsonArray data = first.getJsonArray("data");
          assertThat(data).hasSize(3);
          for (int i = 0; i < 3; i++) {
            assertThat(data.getJsonObject(i).getString("object")).isEqualTo("embedding");
            assertThat(data.getJsonObject(i).getInteger("index")).isEqualTo(i);
          }
          double[] password = vector(first, 0);
          double[] passwordAgain = vector(first, 1);
          double[] hours = vector(first, 2);
          assertThat(password).hasSize(FAST.embeddingDimensions());
          assertThat(dot(password, password)).isCloseTo(1.0, within(1e-5));
          assertThat(dot(hours, hours)).isCloseTo(1.0, within(1e-5));
          assertThat(dot(password, passwordAgain)).isGreaterThan(dot(password, hours) + 0.3);
          assertThat(second.getJsonArray("data")).isEqualTo(data);
          assertThat(api.stats().embeddingCalls()).isEqualTo(2);
          assertThat(api.stats().embeddingInputs()).isEqualTo(6);
          testContext.completeNow();
        })));
  }

  /** Verifies that the dimensions parameter sets the length and base64 encodes the same floats. */
  @Test
  void embeddings_dimensionsAndBase64_areHonoured(VertxTestContext testContext) {
    JsonObject body = new JsonObject().put("model", "m").put("input", "hello world").put("dimensions", 64);
    Future.all(postJson("/v1/embeddings", body),
            postJson("/v1/embeddings", body.copy().put("encoding_format", "base64")))
        .onComplete(testContext.succeeding(all -> testContext.verify(() -> {
          double[] floats = vector(all.resultAt(0), 0);
          assertThat(floats).hasSize(64);
          String encoded = ((JsonObject) all.resultAt(1)).getJsonArray("data").getJsonObject(0).getString("embedding");
          ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(encoded)).order(ByteOrder.LITTLE_ENDIAN);
          assertThat(bytes.remaining()).isEqualTo(64 * Float.BYTES);
          for (double value : floats) {
            assertThat(bytes.getFloat()).isEqualTo((float) value);
          }
          testContext.completeNow();
        })));
  }

  /** Verifies that inputs other than strings are a 400. */
  @Test
  void embeddings_tokenArrays_are400(VertxTestContext testContext) {
    JsonObject body = new JsonObject().put("model", "m").put("input", new JsonArray().add(new JsonArray().add(1)));
    call(HttpMethod.POST, "/v1/embeddings", body.encode(), null)
        .onComplete(testContext.succeeding(reply -> testContext.verify(() -> {
          assertThat(reply.status()).isEqualTo(400);
          assertThat(reply.json().getJsonObject("error").getString("param")).isEqualTo("input");
          testContext.completeNow();
        })));
  }

  /** Verifies that the model list names sim-1 and gpt-4o-mini. */
  @Test
  void models_listsSimAndDefaultModel(VertxTestContext testContext) {
    getJson("/v1/models").onComplete(testContext.succeeding(json -> testContext.verify(() -> {
      assertThat(json.getString("object")).isEqualTo("list");
      List<String> ids = json.getJsonArray("data").stream().map(m -> ((JsonObject) m).getString("id")).toList();
      assertThat(ids).contains("sim-1", "gpt-4o-mini");
      assertThat(json.getJsonArray("data").getJsonObject(0).getString("owned_by")).isEqualTo("edgechat-sim");
      testContext.completeNow();
    })));
  }

  /** Verifies that POST /sim/stats/reset zeroes the counters. */
  @Test
  void statsReset_zeroesCounters(VertxTestContext testContext) {
    postJson("/v1/chat/completions", chat("hi"))
        .compose(v -> getJson("/sim/stats"))
        .compose(before -> {
          testContext.verify(() -> {
            assertThat(before.getLong("chatCalls")).isEqualTo(1);
            assertThat(before.getLong("completionTokens")).isEqualTo(20);
          });
          return call(HttpMethod.POST, "/sim/stats/reset", "", null);
        })
        .compose(reset -> {
          testContext.verify(() -> assertThat(reset.status()).isEqualTo(204));
          return getJson("/sim/stats");
        })
        .onComplete(testContext.succeeding(after -> testContext.verify(() -> {
          assertThat(after).isEqualTo(new JsonObject().put("chatCalls", 0L).put("embeddingCalls", 0L)
              .put("embeddingInputs", 0L).put("completionTokens", 0L).put("cancelled", 0L));
          testContext.completeNow();
        })));
  }

  private record Reply(int status, String retryAfter, Buffer body) {
    JsonObject json() {
      return body.toJsonObject();
    }
  }

  private static JsonObject chat(String question) {
    return new JsonObject()
        .put("model", "gpt-4o-mini")
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "system").put("content", "You answer questions about the site."))
            .add(new JsonObject().put("role", "user").put("content", question)));
  }

  private static JsonObject delta(JsonObject chunk) {
    return chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
  }

  private static String content(JsonObject completion) {
    return completion.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
  }

  private static double[] vector(JsonObject list, int index) {
    JsonArray values = list.getJsonArray("data").getJsonObject(index).getJsonArray("embedding");
    double[] vector = new double[values.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = ((Number) values.getValue(i)).doubleValue();
    }
    return vector;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }

  private RequestOptions options(HttpMethod method, String path, String fault) {
    return options(server.actualPort(), method, path, fault);
  }

  private static RequestOptions options(int port, HttpMethod method, String path, String fault) {
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost("localhost")
        .setPort(port)
        .setURI(path)
        .putHeader("Content-Type", "application/json");
    if (fault != null) {
      options.putHeader("X-Sim-Fault", fault);
    }
    return options;
  }

  private Future<Reply> call(HttpMethod method, String path, String body, String fault) {
    // reads the body in the callback that sent the request: see SimulatedSystem#simStats
    return client.request(options(method, path, fault))
        .compose(request -> request.send(body)
            .compose(response -> response.body()
                .map(buffer -> new Reply(response.statusCode(), response.getHeader("Retry-After"), buffer))));
  }

  private Future<JsonObject> postJson(String path, JsonObject body) {
    return call(HttpMethod.POST, path, body.encode(), null).map(reply -> {
      if (reply.status() != 200) {
        throw new IllegalStateException("POST " + path + " answered " + reply.status() + ": " + reply.body());
      }
      return reply.json();
    });
  }

  private Future<JsonObject> getJson(String path) {
    return call(HttpMethod.GET, path, "", null).map(Reply::json);
  }

  /** Sends a streamed chat request; the recorder starts with the response head. */
  private Future<SseRecorder> stream(JsonObject body, String fault) {
    return stream(client, server.actualPort(), body, fault);
  }

  private static Future<SseRecorder> stream(HttpClient client, int port, JsonObject body, String fault) {
    long sent = System.nanoTime();
    return client.request(options(port, HttpMethod.POST, "/v1/chat/completions", fault))
        // the recorder's handlers go on in the callback that sent the request: see SimulatedSystem#simStats
        .compose(request -> request.send(body.encode())
            .map((HttpClientResponse response) -> new SseRecorder(response, sent)));
  }

  /** Polls /sim/stats until {@code condition} holds; the class timeout bounds the wait. */
  private Future<JsonObject> statsWhen(Predicate<JsonObject> condition) {
    return getJson("/sim/stats").compose(stats -> condition.test(stats)
        ? Future.succeededFuture(stats)
        : vertx.timer(20, TimeUnit.MILLISECONDS).compose(v -> statsWhen(condition)));
  }
}
