package dev.edgechat.llm;

import dev.edgechat.knowledge.Passage;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.IdleWatchdog;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * The text deltas of a streamed {@code chat.completion.chunk} response. Back-pressure reaches the
 * upstream socket: pausing this stream pauses the HTTP response. A stream that ends without
 * {@code data: [DONE]} is an error (the upstream cut it), never a short answer.
 */
final class OpenAiTokenStream implements TokenStream {

  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private Handler<String> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private final IdleWatchdog watchdog;
  /** The model saw every passage of the prompt; it may draw on any of them. */
  private final List<Passage> citations;
  private boolean paused;
  private boolean finished;
  private String finishReason;
  private final String model;
  private Usage usage;

  /**
   * @param idleTimeoutMs silence after which the answer fails with {@code timeout}
   * @param model the model asked for: named in the usage when the upstream does not say
   */
  OpenAiTokenStream(Vertx vertx, HttpClientRequest request, HttpClientResponse response, long idleTimeoutMs,
      List<Passage> citations, String model) {
    this.citations = List.copyOf(citations);
    this.model = model;
    this.request = request;
    this.response = response;
    this.watchdog = new IdleWatchdog(vertx, idleTimeoutMs, () -> {
      fail(ApiError.timeout("the language model went silent for " + idleTimeoutMs + " ms"));
      request.reset();
    });
    response.pause();
    SseParser parser = new SseParser(this::onEvent);
    response.handler(chunk -> {
      watchdog.touch();
      parser.handle(chunk);
    });
    response.endHandler(v -> fail(ApiError.upstreamUnavailable("the language model stopped mid-answer")));
    response.exceptionHandler(e -> fail(OpenAiChatModel.toApiError(e)));
  }

  private void onEvent(SseEvent event) {
    if (finished) {
      return;
    }
    if ("[DONE]".equals(event.data())) {
      finished = true;
      watchdog.stop();
      if (endHandler != null) {
        endHandler.handle(null);
      }
      return;
    }
    JsonObject chunk;
    try {
      chunk = new JsonObject(event.data());
    } catch (DecodeException e) {
      fail(ApiError.upstreamUnavailable("the language model sent a malformed chunk"));
      request.reset();
      return;
    }
    if (chunk.containsKey("error")) {
      JsonObject error = chunk.getJsonObject("error", new JsonObject());
      fail(ApiError.upstreamUnavailable("the language model failed: " + error.getString("message", "unknown error")));
      request.reset();
      return;
    }
    JsonArray choices = chunk.getJsonArray("choices");
    JsonObject reported = chunk.getJsonObject("usage");
    if (reported != null) {
      usage = new Usage(chunk.getString("model", model), reported.getInteger("prompt_tokens", 0),
          reported.getInteger("completion_tokens", 0));
    }
    if (choices == null || choices.isEmpty()) {
      return; // the usage chunk
    }
    JsonObject choice = choices.getJsonObject(0);
    if (choice.getString("finish_reason") != null) {
      finishReason = choice.getString("finish_reason");
    }
    JsonObject delta = choice.getJsonObject("delta");
    String text = delta == null ? null : delta.getString("content");
    if (text != null && !text.isEmpty() && handler != null) {
      handler.handle(text);
    }
  }

  private void fail(ApiError error) {
    if (finished) {
      return;
    }
    finished = true;
    watchdog.stop();
    if (exceptionHandler != null) {
      exceptionHandler.handle(error);
    }
  }

  @Override
  public TokenStream handler(Handler<String> handler) {
    this.handler = handler;
    if (handler != null && !paused) {
      response.resume();
    }
    return this;
  }

  @Override
  public TokenStream pause() {
    paused = true;
    watchdog.paused();
    response.pause();
    return this;
  }

  @Override
  public TokenStream resume() {
    paused = false;
    watchdog.resumed();
    response.resume();
    return this;
  }

  @Override
  public TokenStream fetch(long amount) {
    paused = false;
    watchdog.resumed();
    response.fetch(amount);
    return this;
  }

  @Override
  public TokenStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public TokenStream exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public boolean truncated() {
    return "length".equals(finishReason) || "content_filter".equals(finishReason);
  }

  @Override
  public Optional<Usage> usage() {
    return Optional.ofNullable(usage);
  }

  @Override
  public List<Passage> citations() {
    return citations;
  }

  @Override
  public void cancel() {
    if (!finished) {
      finished = true;
      watchdog.stop();
      request.reset();
    }
  }
}
