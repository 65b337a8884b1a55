package dev.edgechat.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One answer to a chat call and its OpenAI wire forms: the whole {@code chat.completion} object
 * and the {@code chat.completion.chunk} frames of a stream.
 *
 * @param tokens the tokens to send, already cut to the request's limit
 * @param finishReason {@code stop}, or {@code length} when the limit cut the answer short
 */
record ChatAnswer(String id, long created, String model, List<String> tokens, String finishReason,
    int promptTokens, boolean includeUsage) {

  private static final Buffer DONE = Buffer.buffer("data: [DONE]\n\n");

  /**
   * The answer to {@code request}: {@code answerTokens} long (varied by {@code spread}, see
   * {@link #length}), or shorter when the request limits it.
   */
  static ChatAnswer of(ChatRequest request, int answerTokens, double spread, String id, long createdSeconds) {
    int length = length(request, answerTokens, spread);
    int limit = request.maxTokens() > 0 ? Math.min(request.maxTokens(), length) : length;
    List<String> full = AnswerText.tokens(request, length);
    return new ChatAnswer(id, createdSeconds, request.model(), full.subList(0, limit),
        limit < length ? "length" : "stop", request.promptTokens(), request.includeUsage());
  }

  /**
   * Tokens of the full answer: {@code answerTokens} times a factor drawn uniformly from
   * {@code [1 - spread, 1 + spread]} by a stable hash of the conversation, so the same conversation
   * always gets an answer of the same length and a set of questions has a mean of {@code answerTokens};
   * at least one token. Real answers vary in length, which is most of a model's latency spread.
   */
  static int length(ChatRequest request, int answerTokens, double spread) {
    if (spread <= 0) {
      return answerTokens;
    }
    StringBuilder conversation = new StringBuilder("length");
    for (ChatRequest.Message message : request.messages()) {
      conversation.append('\u0000').append(message.text());
    }
    double unit = (StableHash.of(conversation) >>> 11) * 0x1.0p-53;
    return (int) Math.max(1, Math.round(answerTokens * (1 + spread * (2 * unit - 1))));
  }

  String content() {
    return String.join("", tokens);
  }

  JsonObject usage(int completionTokens) {
    return new JsonObject()
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
  }

  /** The non-streamed response body. */
  JsonObject completion() {
    JsonObject choice = new JsonObject()
        .put("index", 0)
        .put("message", new JsonObject().put("role", "assistant").put("content", content()).put("refusal", null))
        .put("logprobs", null)
        .put("finish_reason", finishReason);
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion")
        .put("created", created)
        .put("model", model)
        .put("choices", new JsonArray().add(choice))
        .put("usage", usage(tokens.size()));
  }

  /** The first frame of a stream: {@code delta:{role:"assistant",content:""}}. */
  void appendRole(Buffer out) {
    appendChoice(out, new JsonObject().put("role", "assistant").put("content", ""), null);
  }

  void appendToken(Buffer out, int index) {
    appendChoice(out, new JsonObject().put("content", tokens.get(index)), null);
  }

  /** The frames after the last token: finish reason, usage when asked, {@code [DONE]}. */
  void appendEnd(Buffer out) {
    appendChoice(out, new JsonObject(), finishReason);
    if (includeUsage) {
      appendFrame(out, chunk().put("choices", new JsonArray()).put("usage", usage(tokens.size())));
    }
    out.appendBuffer(DONE);
  }

  private void appendChoice(Buffer out, JsonObject delta, String finish) {
    JsonObject choice = new JsonObject()
        .put("index", 0)
        .put("delta", delta)
        .put("logprobs", null)
        .put("finish_reason", finish);
    appendFrame(out, chunk().put("choices", new JsonArray().add(choice)));
  }

  private JsonObject chunk() {
    return new JsonObject()
        .put("id", id)
        .put("object", "chat.completion.chunk")
        .put("created", created)
        .put("model", model);
  }

  private static void appendFrame(Buffer out, JsonObject chunk) {
    out.appendString("data: ").appendString(chunk.encode()).appendString("\n\n");
  }
}
