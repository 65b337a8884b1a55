package dev.edgechat.origin;

import dev.edgechat.knowledge.Passage;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.llm.TokenStream;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.Events;
import dev.edgechat.protocol.ReadAfter;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.SseStream;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one answer from the model to the edge as {@code token} events, then {@code sources} and
 * {@code done}, saving the answer before {@code done} so a client that reads the conversation
 * right after sees it ({@code done} carries the primary's WAL position after the save,
 * {@link ReadAfter}). Back-pressure: the model stream pauses while the edge's socket is full. If
 * the edge goes away, the model call is cancelled and nothing more is written or saved.
 */
final class AnswerStream {

  private static final Logger LOG = LoggerFactory.getLogger(AnswerStream.class);

  private final AnswerRequest request;
  private final TokenStream tokens;
  private final SseStream sse;
  private final ConversationStore conversations;
  private final int maxAnswerChars;
  private final long startedNanos;
  private final long changeSeq;
  private final StringBuilder answer = new StringBuilder();
  private final Metered metered;
  /** The request's span, made where the stream is (the tokens arrive in the model's span's context). */
  private final Span answering = Span.current();
  private boolean finished;

  /**
   * The model call's metrics: {@code meters}, the model as asked, and when it was asked
   * ({@link System#nanoTime}).
   */
  record Metered(ModelMeters meters, String model, long askedNanos) {

    void ended(String errorType) {
      meters.ended(model, System.nanoTime() - askedNanos, errorType);
    }
  }

  /** @param changeSeq the last site change origin had read before retrieval, or -1 when unknown */
  AnswerStream(AnswerRequest request, TokenStream tokens, SseStream sse, ConversationStore conversations,
      int maxAnswerChars, long startedNanos, long changeSeq, Metered metered) {
    this.metered = metered;
    this.request = request;
    this.tokens = tokens;
    this.sse = sse;
    this.conversations = conversations;
    this.maxAnswerChars = maxAnswerChars;
    this.startedNanos = startedNanos;
    this.changeSeq = changeSeq;
  }

  /** Starts relaying tokens; call {@link #closed()} when the edge's connection closes. */
  void start() {
    tokens.exceptionHandler(e -> fail(e instanceof ApiError api ? api
        : ApiError.upstreamUnavailable("the language model failed")));
    tokens.endHandler(v -> complete());
    tokens.handler(this::token);
  }

  void closed() {
    if (!finished) {
      finished = true;
      tokens.cancel();
      LOG.debug("edge left, answer cancelled [message: {}]", request.message());
    }
  }

  private void token(String text) {
    if (finished) {
      return;
    }
    if (answer.length() + text.length() > maxAnswerChars) {
      tokens.cancel();
      fail(ApiError.upstreamUnavailable("the answer grew longer than " + maxAnswerChars + " characters"));
      return;
    }
    answer.append(text);
    sse.send(Events.TOKEN, new JsonObject().put("text", text));
    if (sse.writeQueueFull()) {
      tokens.pause();
      sse.drainHandler(v -> {
        if (!finished) {
          tokens.resume();
        }
      });
    }
  }

  private void complete() {
    if (finished) {
      return;
    }
    finished = true;
    metered.ended(null);
    tokens.usage().ifPresent(usage -> metered.meters().used(request.site(), metered.model(), usage));
    sse.send(Events.SOURCES, new JsonObject().put("items", sources()));
    Spans.endWith(Spans.writeBehind(answering, "assistant"), conversations.saveAnswer(request.conversation(), request.site(),
        request.visitor(), request.message(), answer.toString(), tokens.usage()))
        .onSuccess(position -> {
          JsonObject done = new JsonObject()
              .put("cache", "miss")
              .put("stale", false)
              .put("ms", (System.nanoTime() - startedNanos) / 1_000_000)
              .put("freshness", freshness());
          // what the answer cost, as the model reported it: the edge charges it to the site's daily budget
          tokens.usage().ifPresent(u -> done.put("tokens", (long) u.promptTokens() + u.completionTokens())
              // the same split: what a cached copy saves each time it is served (estimated cost, docs/observability.md)
              .put("inputTokens", u.promptTokens()).put("outputTokens", u.completionTokens()));
          if (tokens.truncated()) {
            done.put("truncated", true); // the model hit its limit: show it, never cache it
          }
          // where the answer was written: the edge's next read of the conversation waits for a replica to have it
          position.ifPresent(lsn -> done.put(ReadAfter.FIELD, lsn.toString()));
          if (changeSeq >= 0) {
            done.put("changeSeq", changeSeq); // a purge of a cited document numbered above it retires the answer
          }
          sse.send(Events.DONE, done);
          sse.end();
        })
        .onFailure(e -> {
          LOG.error("answer not saved [conversation: {}, message: {}]", request.conversation(), request.message(), e);
          sse.send(Events.ERROR,
              ApiError.upstreamUnavailable("the answer could not be saved; ask again").toEventData());
          sse.end();
        });
  }

  private void fail(ApiError error) {
    if (finished) {
      return;
    }
    finished = true;
    metered.ended(error.code());
    LOG.warn("answer failed [message: {}, code: {}, reason: {}]", request.message(), error.code(), error.getMessage());
    sse.send(Events.ERROR, error.toEventData());
    sse.end();
  }

  /** The documents the answer rests on, each once, in rank order, with their ids (what a purge by document names). */
  private JsonArray sources() {
    Map<String, JsonObject> byDocument = new LinkedHashMap<>();
    for (Passage p : tokens.citations()) {
      byDocument.computeIfAbsent(p.documentId(), id -> new JsonObject().put("title", p.title()).put("url", p.url())
          .put("id", id));
    }
    return new JsonArray(List.copyOf(byDocument.values()));
  }

  /** {@code static} when every cited document is, else {@code dynamic}: the edge cache's TTL follows it. */
  private String freshness() {
    return tokens.citations().stream().allMatch(p -> "static".equals(p.freshness())) ? "static" : "dynamic";
  }
}
