package dev.edgechat.bench;

import dev.edgechat.web.SseEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * A streamed OpenAI {@code POST /v1/chat/completions} straight to the {@code sim} role, the
 * baseline with no edge in between: timed to the first chunk whose {@code choices[0].delta.content}
 * is not empty, and to {@code data: [DONE]}.
 */
final class SimCompletionCall implements MeasuredCall {

  static final String FIRST_TOKEN = "firstToken";
  static final String DONE = StreamedCall.DONE;
  static final String MODEL = "sim-1";

  private final HttpClient client;
  private final RequestOptions request;
  private final IntFunction<String> messages;
  private final JsonObject extraFields;

  /**
   * @param url the absolute URL of {@code /v1/chat/completions}
   * @param messages the user message of each request number
   */
  SimCompletionCall(HttpClient client, String url, long idleTimeoutMs, IntFunction<String> messages) {
    this(client, url, idleTimeoutMs, messages, Map.of(), new JsonObject());
  }

  /**
   * The same call with more headers (a gateway key, a cache mode) and body fields (a temperature).
   *
   * @param headers sent with every request
   * @param extraFields put into every body
   */
  SimCompletionCall(HttpClient client, String url, long idleTimeoutMs, IntFunction<String> messages,
      Map<String, String> headers, JsonObject extraFields) {
    this.client = Objects.requireNonNull(client);
    this.request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setIdleTimeout(idleTimeoutMs)
        .putHeader(HttpHeaders.ACCEPT, "text/event-stream")
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    headers.forEach(request::putHeader);
    this.messages = Objects.requireNonNull(messages);
    this.extraFields = extraFields.copy();
  }

  @Override
  public List<String> milestones() {
    return List.of(FIRST_TOKEN, DONE);
  }

  @Override
  public Future<Marks> send(int sequence) {
    return StreamedCall.send(client, request, body(messages.apply(sequence)), SimCompletionCall::onChunk,
        "stream ended before [DONE]");
  }

  /** Asks {@code message} on a clock the caller started (an open loop times from when it was due). */
  Future<Marks> send(String message, Marks marks) {
    return StreamedCall.send(client, request, body(message), SimCompletionCall::onChunk, "stream ended before [DONE]",
        marks);
  }

  private Buffer body(String message) {
    return extraFields.copy()
        .put("model", MODEL)
        .put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", message)))
        .toBuffer();
  }

  private static void onChunk(SseEvent event, Marks marks, Promise<Marks> answered) {
    if (event.data().equals("[DONE]")) {
      if (marks.reached(FIRST_TOKEN)) {
        marks.reach(DONE);
      } else {
        answered.tryFail(new RequestFailure("[DONE] before any token"));
      }
      return;
    }
    JsonObject chunk;
    try {
      chunk = event.json();
    } catch (RuntimeException e) {
      answered.tryFail(new RequestFailure("chunk is not JSON"));
      return;
    }
    if (chunk.containsKey("error")) {
      answered.tryFail(new RequestFailure("error chunk"));
    } else if (!content(chunk).isEmpty()) {
      marks.reach(FIRST_TOKEN);
    }
  }

  /** {@code choices[0].delta.content}, or empty when the chunk has none. */
  private static String content(JsonObject chunk) {
    if (chunk.getValue("choices") instanceof JsonArray choices && !choices.isEmpty()
        && choices.getValue(0) instanceof JsonObject choice
        && choice.getValue("delta") instanceof JsonObject delta
        && delta.getValue("content") instanceof String content) {
      return content;
    }
    return "";
  }
}
