package dev.edgechat.sim;

import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulator has served since it started or was last reset; safe to read and update from
 * any thread.
 */
public final class SimStats {

  private final LongAdder chatCalls = new LongAdder();
  private final LongAdder embeddingCalls = new LongAdder();
  private final LongAdder embeddingInputs = new LongAdder();
  private final LongAdder completionTokens = new LongAdder();
  private final LongAdder cancelled = new LongAdder();

  /** Valid chat completion requests, faulted ones included; malformed requests are not counted. */
  public long chatCalls() {
    return chatCalls.sum();
  }

  /** Valid embeddings requests. */
  public long embeddingCalls() {
    return embeddingCalls.sum();
  }

  /** Texts embedded: an embeddings request with an array of five inputs counts five. */
  public long embeddingInputs() {
    return embeddingInputs.sum();
  }

  /** Answer tokens actually sent to clients, streamed or whole. */
  public long completionTokens() {
    return completionTokens.sum();
  }

  /** Streamed chat calls the client left before the stream ended (a stalled stream included). */
  public long cancelled() {
    return cancelled.sum();
  }

  /** Zeroes every counter. */
  public void reset() {
    chatCalls.reset();
    embeddingCalls.reset();
    embeddingInputs.reset();
    completionTokens.reset();
    cancelled.reset();
  }

  /** {@code {"chatCalls","embeddingCalls","embeddingInputs","completionTokens","cancelled"}}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("chatCalls", chatCalls())
        .put("embeddingCalls", embeddingCalls())
        .put("embeddingInputs", embeddingInputs())
        .put("completionTokens", completionTokens())
        .put("cancelled", cancelled());
  }

  void chatCall() {
    chatCalls.increment();
  }

  void embeddingCall(int inputs) {
    embeddingCalls.increment();
    embeddingInputs.add(inputs);
  }

  void tokensSent(int tokens) {
    completionTokens.add(tokens);
  }

  void streamCancelled() {
    cancelled.increment();
  }
}
