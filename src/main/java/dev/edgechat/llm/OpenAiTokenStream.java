package dev.edgechat.llm;

import dev.edgechat.knowledge.Passage;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.IdleWatchdog;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text deltas of a streamed {@code chat.completion.chunk} response. Back-pressure reaches the
 * upstream socket: pausing this stream pauses the HTTP response. A stream that ends without
 * {@code data: [DONE]} is an error (the upstream cut it), never a short answer.
 *
 * <p>{@link #firstToken()} completes when the first text delta arrives (or the answer ends empty):
 * what a try of {@link UpstreamGuard} waits for, so that a failure before it (silence past
 * {@code firstTokenTimeoutMs}, a cut, an error chunk) may be tried again while nothing has reached
 * the visitor. It fails with an {@link UpstreamFailure}; after the first token, failures reach the
 * exception handler as an {@link ApiError}, and silence of {@code idleTimeoutMs} is one. Deltas
 * that arrive before {@link #handler} is set are held and handed over first, then the end or the
 * failure that came meanwhile. Use it from the request's event loop only.
 */
final class OpenAiTokenStream implements TokenStream {

  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private final Scheduler time;
  private final long idleTimeoutMs;
  private final Promise<TokenStream> first = Promise.promise();
  /** Deltas that arrived before a handler was set. */
  private final List<String> early = new ArrayList<>();
  private Handler<String> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;
  private IdleWatchdog watchdog;
  /** The model saw every passage of the prompt; it may draw on any of them. */
  private final List<Passage> citations;
  private boolean paused;
  private boolean finished;
  /** The answer ended, or failed, before there was a handler to tell. */
  private boolean endedEarly;
  private ApiError failedEarly;
  private String finishReason;
  private final String model;
  private Usage usage;

  /**
   * @param firstTokenTimeoutMs silence before the first delta after which the try fails
   * @param idleTimeoutMs silence between deltas after which the answer fails with {@code timeout}
   * @param model the model asked for: named in the usage when the upstream does not say
   */
  OpenAiTokenStream(Scheduler time, HttpClientRequest request, HttpClientResponse response, long firstTokenTimeoutMs,
      long idleTimeoutMs, List<Passage> citations, String model) {
    this.citations = List.copyOf(citations);
    this.model = model;
    this.time = time;
    this.request = request;
    this.response = response;
    this.idleTimeoutMs = idleTimeoutMs;
    this.watchdog = new IdleWatchdog(time, firstTokenTimeoutMs, () -> silent(firstTokenTimeoutMs));
    SseParser parser = new SseParser(this::onEvent);
    response.handler(chunk -> {
      watchdog.touch();
      parser.handle(chunk);
    });
    response.endHandler(v -> fail(ApiError.upstreamUnavailable("the language model stopped mid-answer")));
    response.exceptionHandler(e -> fail(OpenAiChatModel.toApiError(e)));
  }

  /** Completes with this stream once the first delta has arrived or the answer ended; fails before then. */
  Future<TokenStream> firstToken() {
    return first.future();
  }

  private void silent(long ms) {
    fail(ApiError.timeout("the language model went silent for " + ms + " ms"));
    request.reset();
  }

  /** The first delta is here: from now on silence is measured with {@code idleTimeoutMs}, and the reader decides the pace. */
  private void started() {
    if (first.future().isComplete()) {
      return;
    }
    watchdog.stop();
    watchdog = new IdleWatchdog(time, idleTimeoutMs, () -> silent(idleTimeoutMs));
    if (handler == null) {
      response.pause(); // held until a reader sets its handler: back-pressure from the start
      watchdog.paused();
    }
    first.complete(this);
  }

  private void onEvent(SseEvent event) {
    if (finished) {
      return;
    }
    if ("[DONE]".equals(event.data())) {
      finished = true;
      watchdog.stop();
      first.tryComplete(this); // an empty answer is an answer
      if (handler != null && endHandler != null) {
        endHandler.handle(null);
      } else {
        endedEarly = true;
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
    if (text != null && !text.isEmpty()) {
      if (handler != null) {
        handler.handle(text);
      } else {
        early.add(text);
      }
      started();
    }
  }

  private void fail(ApiError error) {
    if (finished) {
      return;
    }
    finished = true;
    watchdog.stop();
    if (first.tryFail(UpstreamFailure.beforeFirstToken(error))) {
      return;
    }
    if (handler != null && exceptionHandler != null) {
      exceptionHandler.handle(error);
    } else {
      failedEarly = error;
    }
  }

  /** Sets the reader's handler; the deltas held until now go to it first, then an end or failure that came meanwhile. */
  @Override
  public TokenStream handler(Handler<String> handler) {
    this.handler = handler;
    if (handler == null) {
      return this;
    }
    List<String> held = List.copyOf(early);
    early.clear();
    held.forEach(handler::handle);
    if (endedEarly && endHandler != null) {
      endedEarly = false;
      endHandler.handle(null);
    } else if (failedEarly != null && exceptionHandler != null) {
      ApiError error = failedEarly;
      failedEarly = null;
      exceptionHandler.handle(error);
    } else if (!paused && !finished) {
      watchdog.resumed();
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
  public Optional<String> finishReason() {
    return Optional.ofNullable(finishReason);
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
      first.tryFail(UpstreamFailure.clientLeft());
      request.reset();
    }
  }
}
