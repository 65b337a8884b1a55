package dev.edgechat.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The OpenAI wire forms of one response: {@code data: {chat.completion.chunk}} frames with this
 * response's own {@code id} and {@code created} (a replay is a new response, as a new call to
 * OpenAI would be), and the whole {@code chat.completion} object built from the same deltas.
 *
 * <p>Frames are put together as text around the deltas' stored JSON, so a replay or a live
 * chunk costs one string copy, not a JSON encoding.
 */
final class ChunkFrames {

  static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  private final String id;
  private final long created;
  private final String prefix;
  private final String choiceSuffix;

  ChunkFrames(String model, String fingerprint) {
    this.id = newId();
    this.created = System.currentTimeMillis() / 1000;
    this.prefix = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
        + ",\"model\":" + Json.encode(model) + ",\"system_fingerprint\":" + Json.encode(fingerprint)
        + ",\"choices\":[";
    this.choiceSuffix = "]}\n\n";
  }

  /** A chunk carrying {@code delta} (encoded JSON). */
  void appendDelta(Buffer out, String delta) {
    out.appendString(prefix).appendString("{\"index\":0,\"delta\":").appendString(delta)
        .appendString(",\"logprobs\":null,\"finish_reason\":null}").appendString(choiceSuffix);
  }

  /** The last chunks: the finish reason, the usage when asked (and known), then {@code [DONE]}. */
  void appendEnd(Buffer out, String finishReason, JsonObject usage, boolean includeUsage) {
    out.appendString(prefix).appendString("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":")
        .appendString(Json.encode(finishReason)).appendString("}").appendString(choiceSuffix);
    if (includeUsage) {
      out.appendString(prefix).appendString("],\"usage\":").appendString(usage == null ? "null" : usage.encode())
          .appendString("}\n\n");
    }
    out.appendBuffer(DONE);
  }

  /** An error after the head went out: OpenAI's way, an error object as a data frame, then the end. */
  static void appendError(Buffer out, GatewayError error) {
    out.appendString("data: ").appendString(error.toBody().encode()).appendString("\n\n");
  }

  /** The {@code chat.completion} whose message the deltas add up to. */
  JsonObject completion(CachedCompletion answer) {
    JsonObject message = message(answer.deltas());
    JsonObject choice = new JsonObject().put("index", 0).put("message", message).put("logprobs", null)
        .put("finish_reason", answer.finishReason());
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", answer.model())
        .put("system_fingerprint", answer.fingerprint())
        .put("choices", new JsonArray().add(choice))
        .put("usage", answer.usage());
  }

  /**
   * Adds deltas up to a message: {@code content} and {@code refusal} texts are joined; tool calls
   * are assembled by their {@code index} (id, type and name from the first piece, arguments joined).
   */
  static JsonObject message(List<String> deltas) {
    StringBuilder content = null;
    StringBuilder refusal = null;
    String role = "assistant";
    TreeMap<Integer, JsonObject> calls = new TreeMap<>();
    TreeMap<Integer, StringBuilder> arguments = new TreeMap<>();
    for (String encoded : deltas) {
      JsonObject delta = new JsonObject(encoded);
      if (delta.getValue("role") instanceof String r) {
        role = r;
      }
      if (delta.getValue("content") instanceof String text) {
        content = (content == null ? new StringBuilder() : content).append(text);
      }
      if (delta.getValue("refusal") instanceof String text) {
        refusal = (refusal == null ? new StringBuilder() : refusal).append(text);
      }
      if (delta.getValue("tool_calls") instanceof JsonArray pieces) {
        for (Object item : pieces) {
          if (!(item instanceof JsonObject piece)) {
            continue;
          }
          int index = piece.getInteger("index", 0);
          JsonObject call = calls.computeIfAbsent(index, i -> new JsonObject()
              .put("id", null).put("type", "function").put("function", new JsonObject().put("name", null)));
          if (piece.getValue("id") instanceof String callId) {
            call.put("id", callId);
          }
          if (piece.getValue("type") instanceof String type) {
            call.put("type", type);
          }
          if (piece.getValue("function") instanceof JsonObject function) {
            if (function.getValue("name") instanceof String name) {
              call.getJsonObject("function").put("name", name);
            }
            if (function.getValue("arguments") instanceof String args) {
              arguments.computeIfAbsent(index, i -> new StringBuilder()).append(args);
            }
          }
        }
      }
    }
    JsonObject message = new JsonObject().put("role", role)
        .put("content", content == null ? null : content.toString())
        .put("refusal", refusal == null ? null : refusal.toString());
    if (!calls.isEmpty()) {
      JsonArray toolCalls = new JsonArray();
      calls.forEach((index, call) -> {
        StringBuilder args = arguments.get(index);
        call.getJsonObject("function").put("arguments", args == null ? "" : args.toString());
        toolCalls.add(call);
      });
      message.put("tool_calls", toolCalls);
    }
    return message;
  }

  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return "chatcmpl-" + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
        + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
  }
}
