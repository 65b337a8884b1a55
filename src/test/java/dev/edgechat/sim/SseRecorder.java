package dev.edgechat.sim;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the {@code data:} frames of an OpenAI event stream as they arrive, with their arrival
 * times, and how the stream ended.
 */
final class SseRecorder {

  private final HttpClientResponse response;
  private final long sentNanos;
  private final List<String> frames = new ArrayList<>();
  private final StringBuilder pending = new StringBuilder();
  private final Promise<Void> firstToken = Promise.promise();
  private final Future<Boolean> ended;
  private long firstTokenNanos = -1;

  /** Starts recording; call it right when the response arrives, before any body is delivered. */
  SseRecorder(HttpClientResponse response, long sentNanos) {
    this.response = response;
    this.sentNanos = sentNanos;
    response.handler(this::append);
    ended = response.end().map(true).otherwise(false);
  }

  HttpClientResponse response() {
    return response;
  }

  /** Succeeds with true when the stream ended properly, false when its connection was lost. */
  Future<Boolean> ended() {
    return ended;
  }

  /** Completes when the first content token arrives. */
  Future<Void> firstToken() {
    return firstToken.future();
  }

  /** Milliseconds from sending the request to the first content token. */
  double firstTokenMs() {
    return (firstTokenNanos - sentNanos) / 1e6;
  }

  /** Every frame's data, {@code [DONE]} included. */
  List<String> frames() {
    return frames;
  }

  /** The JSON chunks: every frame but {@code [DONE]}. */
  List<JsonObject> chunks() {
    return frames.stream().filter(f -> !f.equals("[DONE]")).map(JsonObject::new).toList();
  }

  /** The content deltas of the chunks after the role chunk. */
  List<String> tokens() {
    List<String> tokens = new ArrayList<>();
    for (String frame : frames) {
      String token = frame.equals("[DONE]") ? null : token(new JsonObject(frame));
      if (token != null) {
        tokens.add(token);
      }
    }
    return tokens;
  }

  /** The content delta of a token chunk; null for the role, finish and usage chunks. */
  private static String token(JsonObject chunk) {
    if (chunk.getJsonArray("choices").isEmpty()) {
      return null;
    }
    JsonObject delta = chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
    return delta.containsKey("role") ? null : delta.getString("content");
  }

  private void append(Buffer buffer) {
    pending.append(buffer.toString());
    int end;
    while ((end = pending.indexOf("\n\n")) >= 0) {
      String frame = pending.substring(0, end);
      pending.delete(0, end + 2);
      if (!frame.startsWith("data: ")) {
        throw new IllegalStateException("not a data frame: " + frame);
      }
      String data = frame.substring("data: ".length());
      frames.add(data);
      if (firstTokenNanos < 0 && !data.equals("[DONE]") && token(new JsonObject(data)) != null) {
        firstTokenNanos = System.nanoTime();
        firstToken.complete();
      }
    }
  }
}
