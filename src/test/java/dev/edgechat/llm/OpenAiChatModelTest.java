package dev.edgechat.llm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.SimSettings;
import dev.edgechat.knowledge.Passage;
import dev.edgechat.sim.SimulatorApi;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenAI-compatible client against the simulator: tokens, and each upstream failure mapped to API.md §5. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class OpenAiChatModelTest {

  private static final ChatPrompt PROMPT = new ChatPrompt("Be brief.",
      List.of(new Passage("d1", "Doc", null, "static", "Some text.", 1.0)), List.of(new Turn("user", "earlier")),
      "What now?", 100, 0.2);

  /** Tries after the first, before the first token. */
  private static final int RETRIES = 2;

  private SimulatorApi sim;
  /** Models made by a test, held until it ends: Vert.x 5 closes an HTTP client that is no longer referenced. */
  private final java.util.List<OpenAiChatModel> models = new java.util.ArrayList<>();
  private int port;

  @BeforeEach
  void startSim(Vertx vertx, VertxTestContext ctx) {
    sim = new SimulatorApi(vertx, settings(0, 0, 0));
    Router router = Router.router(vertx);
    sim.mount(router);
    vertx.createHttpServer().requestHandler(router).listen(0).onComplete(ctx.succeeding((HttpServer s) -> {
      port = s.actualPort();
      ctx.completeNow();
    }));
  }

  private static SimSettings settings(double errorRate, double stallRate, double cutRate) {
    return SimSettings.builder().firstTokenMs(5).tokensPerSecond(5000).answerTokens(20).embeddingLatencyMs(0)
        .embeddingDimensions(64).errorRate(errorRate).stallRate(stallRate).cutRate(cutRate).seed(1).answerSpread(0)
        .build();
  }

  private OpenAiChatModel model(Vertx vertx, long firstTokenTimeoutMs) {
    return model(vertx, port, firstTokenTimeoutMs);
  }

  private OpenAiChatModel model(Vertx vertx, int upstreamPort, long firstTokenTimeoutMs) {
    return model(vertx, upstreamPort, firstTokenTimeoutMs, 100);
  }

  private OpenAiChatModel model(Vertx vertx, int upstreamPort, long firstTokenTimeoutMs, int breakerMaxFailures) {
    OpenAiChatModel model = new OpenAiChatModel(vertx, Scheduler.of(vertx), EdgechatConfig.Llm.builder()
        .baseUrl(URI.create("http://127.0.0.1:" + upstreamPort + "/v1")).model("sim-1").maxTokens(100).temperature(0.2)
        .connectTimeoutMs(1000).firstTokenTimeoutMs(firstTokenTimeoutMs).idleTimeoutMs(firstTokenTimeoutMs)
        .retries(RETRIES).retryBackoffMs(10).maxRetryAfterMs(2000).breakerMaxFailures(breakerMaxFailures)
        .breakerResetMs(10_000).poolSize(8).build(), "key", new SimpleMeterRegistry());
    models.add(model);
    return model;
  }

  /** Collects the stream: the text, or the error it ended with. */
  private static Future<String> collect(TokenStream tokens) {
    Promise<String> done = Promise.promise();
    StringBuilder text = new StringBuilder();
    tokens.exceptionHandler(done::tryFail);
    tokens.endHandler(v -> done.tryComplete(text.toString()));
    tokens.handler(text::append);
    return done.future();
  }

  /** Verifies that a streamed answer arrives whole: every token, in order, ended by [DONE]. */
  @Test
  void stream_normalAnswer_allTokens(Vertx vertx, VertxTestContext ctx) {
    model(vertx, 5000).stream(PROMPT, new Cancellation()).compose(OpenAiChatModelTest::collect)
        .onComplete(ctx.succeeding(text -> ctx.verify(() -> {
          assertThat(text.split(" ", -1)).hasSize(21); // 20 tokens, each with its leading space
          assertThat(sim.stats().completionTokens()).isEqualTo(20);
          ctx.completeNow();
        })));
  }

  /** Verifies that an answer cut at the token limit arrives but is marked truncated (never to be cached). */
  @Test
  void stream_tokenLimitReached_truncated(Vertx vertx, VertxTestContext ctx) {
    ChatPrompt brief = new ChatPrompt(null, List.of(), List.of(), "Tell me everything.", 5, 0);
    model(vertx, 5000).stream(brief, new Cancellation())
        .compose(tokens -> collect(tokens).map(text -> new Object[] {text, tokens.truncated()}))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(((String) result[0]).split(" ", -1)).hasSize(6);
          assertThat(result[1]).isEqualTo(true);
          ctx.completeNow();
        })));
  }

  /** Verifies that an upstream 429 is overloaded (503) and keeps the upstream's Retry-After. */
  @Test
  void stream_upstreamRateLimits_overloaded(Vertx vertx, VertxTestContext ctx) {
    vertx.createHttpServer()
        .requestHandler(req -> req.response().setStatusCode(429).putHeader("Retry-After", "7")
            .end("{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\"}}"))
        .listen(0)
        .compose(server -> model(vertx, server.actualPort(), 1000).stream(PROMPT, new Cancellation()))
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          ApiError error = (ApiError) e;
          assertThat(error.code()).isEqualTo("overloaded");
          assertThat(error.status()).isEqualTo(503);
          assertThat(error.retryAfterSeconds()).contains(7L);
          ctx.completeNow();
        })));
  }

  /** Verifies that an upstream 500 is upstream_unavailable (502). */
  @Test
  void stream_upstreamFails_upstreamUnavailable(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(1.0, 0, 0));
    Future<TokenStream> failing = model(vertx, 5000).stream(PROMPT, new Cancellation());
    failing.onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOf(ApiError.class);
      assertThat(((ApiError) e).code()).isEqualTo("upstream_unavailable");
      assertThat(((ApiError) e).status()).isEqualTo(502);
      ctx.completeNow();
    })));
  }

  /**
   * Verifies that a try failing before the first token (500, then a 429 with a short Retry-After)
   * is tried again, and the answer of the try that succeeds streams whole.
   */
  @Test
  void stream_failsBeforeFirstToken_retried(Vertx vertx, VertxTestContext ctx) {
    java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
    vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(b -> {
          switch (calls.getAndIncrement()) {
            case 0 -> req.response().setStatusCode(500).end("{\"error\":{\"message\":\"boom\"}}");
            case 1 -> req.response().setStatusCode(429).putHeader("Retry-After", "1")
                .end("{\"error\":{\"message\":\"slow down\"}}");
            default -> req.response().putHeader("Content-Type", "text/event-stream")
                .end("data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n"
                    + "data: {\"choices\":[{\"delta\":{\"content\":\"Hello\"}}]}\n\n"
                    + "data: {\"choices\":[{\"delta\":{\"content\":\" there\"},\"finish_reason\":\"stop\"}]}\n\n"
                    + "data: [DONE]\n\n");
          }
        }))
        .listen(0)
        .compose(server -> {
          long started = System.nanoTime();
          return model(vertx, server.actualPort(), 1000).stream(PROMPT, new Cancellation())
              .compose(OpenAiChatModelTest::collect)
              .map(text -> new Object[] {text, (System.nanoTime() - started) / 1_000_000});
        })
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          assertThat(result[0]).isEqualTo("Hello there");
          assertThat(calls.get()).isEqualTo(3);
          assertThat((Long) result[1]).isGreaterThanOrEqualTo(1000L); // the 429's Retry-After was waited for
          ctx.completeNow();
        })));
  }

  /**
   * Verifies that an upstream silent before its first token fails each try after
   * firstTokenTimeoutMs, not the 30 s it took before: every try is made, each abandoned, and the
   * answer ends with timeout within the tries' time.
   */
  @Test
  void stream_stallsBeforeFirstToken_timeoutWithinFirstTokenTimeouts(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(0, 0, 0).toBuilder().firstTokenMs(60_000).build());
    long started = System.nanoTime();
    model(vertx, 300).stream(PROMPT, new Cancellation()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertThat(((ApiError) e).code()).isEqualTo("timeout");
      assertThat(sim.stats().chatCalls()).isEqualTo(RETRIES + 1);
      assertThat(tookMs).isBetween(300L * (RETRIES + 1), 3_000L);
      vertx.setPeriodic(20, id -> {
        if (sim.stats().cancelled() == RETRIES + 1) { // each silent try was reset, not left to run on
          vertx.cancelTimer(id);
          ctx.completeNow();
        }
      });
    })));
  }

  /**
   * Verifies that failed tries open the model's breaker, which then refuses at once, without
   * asking the upstream, with 503 upstream_unavailable and a Retry-After within breakerResetMs.
   */
  @Test
  void stream_breakerOpen_refusesAtOnceWithRetryAfter(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(1.0, 0, 0));
    OpenAiChatModel model = model(vertx, port, 5000, RETRIES + 1);
    model.stream(PROMPT, new Cancellation())
        .transform(first -> {
          ctx.verify(() -> assertThat(first.failed()).isTrue());
          // the breaker counts the last failure as its completion runs, a moment after the call failed
          return vertx.timer(100);
        })
        .compose(v -> {
          long callsBefore = sim.stats().chatCalls();
          return model.stream(PROMPT, new Cancellation()).transform(second -> Future.succeededFuture(
              new Object[] {second.cause(), sim.stats().chatCalls() - callsBefore}));
        })
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          ApiError error = (ApiError) result[0];
          assertThat(error.code()).isEqualTo("upstream_unavailable");
          assertThat(error.status()).isEqualTo(503);
          assertThat(error.retryAfterSeconds()).hasValueSatisfying(s -> assertThat(s).isBetween(1L, 10L));
          assertThat(result[1]).isEqualTo(0L);
          ctx.completeNow();
        })));
  }

  /** Verifies that an upstream going silent mid-answer ends the stream with timeout. */
  @Test
  void stream_upstreamStalls_timeout(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(0, 1.0, 0));
    model(vertx, 300).stream(PROMPT, new Cancellation()).compose(OpenAiChatModelTest::collect)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ApiError) e).code()).isEqualTo("timeout");
          ctx.completeNow();
        })));
  }

  /** Verifies that a stream cut without [DONE] is an error, never a short answer. */
  @Test
  void stream_upstreamCuts_error(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(0, 0, 1.0));
    model(vertx, 5000).stream(PROMPT, new Cancellation()).compose(OpenAiChatModelTest::collect)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ApiError) e).code()).isEqualTo("upstream_unavailable");
          ctx.completeNow();
        })));
  }

  /** Verifies that an unreachable upstream is upstream_unavailable. */
  @Test
  void stream_nobodyListening_upstreamUnavailable(Vertx vertx, VertxTestContext ctx) {
    model(vertx, 1, 1000).stream(PROMPT, new Cancellation()).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(((ApiError) e).code()).isEqualTo("upstream_unavailable");
      ctx.completeNow();
    })));
  }

  /** Verifies that cancelling mid-answer abandons the upstream call (the simulator counts it). */
  @Test
  void cancel_midAnswer_upstreamSeesCancel(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(0, 0, 0).toBuilder().tokensPerSecond(20).answerTokens(200).build());
    model(vertx, 5000).stream(PROMPT, new Cancellation()).onComplete(ctx.succeeding(tokens -> tokens.handler(token -> {
      tokens.cancel();
      vertx.setPeriodic(20, id -> {
        if (sim.stats().cancelled() == 1) {
          vertx.cancelTimer(id);
          ctx.completeNow();
        }
      });
    })));
  }

  /** Verifies that cancelling before the model has answered at all abandons the upstream call. */
  @Test
  void cancel_beforeFirstToken_upstreamSeesCancel(Vertx vertx, VertxTestContext ctx) {
    sim.settings(settings(0, 0, 0).toBuilder().firstTokenMs(5_000).tokensPerSecond(20).build());
    Cancellation cancellation = new Cancellation();
    Future<TokenStream> answer = model(vertx, 10_000).stream(PROMPT, cancellation);
    vertx.setPeriodic(20, id -> {
      if (sim.stats().chatCalls() == 1 && !cancellation.isCancelled()) {
        cancellation.cancel();
      }
      if (sim.stats().cancelled() == 1 && answer.failed()) {
        vertx.cancelTimer(id);
        ctx.completeNow();
      }
    });
  }
}
