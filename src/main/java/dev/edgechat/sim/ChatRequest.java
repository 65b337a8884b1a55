package dev.edgechat.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an OpenAI chat completion request the simulator uses.
 *
 * @param model the model asked for; any name is accepted
 * @param messages the conversation, as {@code role} and plain text
 * @param stream whether to answer as a server-sent event stream
 * @param includeUsage whether a stream ends with a usage chunk ({@code stream_options.include_usage})
 * @param maxTokens the answer's token limit ({@code max_tokens} or {@code max_completion_tokens}),
 *     or 0 for none
 */
record ChatRequest(String model, List<Message> messages, boolean stream, boolean includeUsage, int maxTokens) {

  static final String DEFAULT_MODEL = "sim-1";

  /** One message; {@code text} joins the text parts of array content and is empty for none. */
  record Message(String role, String text) {
  }

  /**
   * Reads a request body.
   *
   * @throws OpenAiError a 400 naming the field when the body is not a valid chat request
   */
  static ChatRequest parse(Buffer body) {
    JsonObject json = jsonObject(body);
    Object model = json.getValue("model");
    if (model != null && (!(model instanceof String name) || name.isBlank())) {
      throw OpenAiError.invalidRequest("'model' must be a non-empty string", "model");
    }
    return new ChatRequest(
        model == null ? DEFAULT_MODEL : (String) model,
        messages(json.getValue("messages")),
        flag(json, "stream"),
        json.getValue("stream_options") instanceof JsonObject options && flag(options, "include_usage"),
        maxTokens(json));
  }

  /** The text the answer is about: the last user message, or the last message if no user spoke. */
  String lastUserText() {
    for (int i = messages.size() - 1; i >= 0; i--) {
      if ("user".equals(messages.get(i).role())) {
        return messages.get(i).text();
      }
    }
    return messages.get(messages.size() - 1).text();
  }

  /** Approximate prompt size: words of every message plus a few tokens of framing per message. */
  int promptTokens() {
    int tokens = 3;
    for (Message message : messages) {
      tokens += 4 + Words.count(message.text());
    }
    return tokens;
  }

  static JsonObject jsonObject(Buffer body) {
    if (body == null || body.length() == 0) {
      throw OpenAiError.invalidRequest("the request body must be a JSON object", null);
    }
    Object parsed;
    try {
      parsed = body.toJsonValue();
    } catch (DecodeException e) {
      throw OpenAiError.invalidRequest("the request body is not valid JSON: " + e.getMessage(), null);
    }
    if (!(parsed instanceof JsonObject json)) {
      throw OpenAiError.invalidRequest("the request body must be a JSON object", null);
    }
    return json;
  }

  private static List<Message> messages(Object value) {
    if (value == null) {
      throw OpenAiError.invalidRequest("'messages' is a required property", "messages");
    }
    if (!(value instanceof JsonArray array) || array.isEmpty()) {
      throw OpenAiError.invalidRequest("'messages' must be a non-empty array", "messages");
    }
    List<Message> messages = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      String param = "messages[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject message)) {
        throw OpenAiError.invalidRequest("'" + param + "' must be an object", param);
      }
      if (!(message.getValue("role") instanceof String role) || role.isBlank()) {
        throw OpenAiError.invalidRequest("'" + param + ".role' must be a non-empty string", param + ".role");
      }
      messages.add(new Message(role, text(message.getValue("content"), param + ".content")));
    }
    return List.copyOf(messages);
  }

  /** Content is a string, null (an assistant's tool call) or an array of parts. */
  private static String text(Object content, String param) {
    if (content == null) {
      return "";
    }
    if (content instanceof String text) {
      return text;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (!(part instanceof JsonObject object)) {
          throw OpenAiError.invalidRequest("'" + param + "' parts must be objects", param);
        }
        if (object.getValue("text") instanceof String piece) {
          text.append(text.length() == 0 ? "" : " ").append(piece);
        }
      }
      return text.toString();
    }
    throw OpenAiError.invalidRequest("'" + param + "' must be a string or an array of content parts", param);
  }

  private static boolean flag(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean flag)) {
      throw OpenAiError.invalidRequest("'" + field + "' must be a boolean", field);
    }
    return flag;
  }

  private static int maxTokens(JsonObject json) {
    int limit = 0;
    for (String field : List.of("max_tokens", "max_completion_tokens")) {
      Object value = json.getValue(field);
      if (value == null) {
        continue;
      }
      if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < 1) {
        throw OpenAiError.invalidRequest("'" + field + "' must be a positive integer", field);
      }
      int tokens = (int) Math.min(Integer.MAX_VALUE, ((Number) value).longValue());
      limit = limit == 0 ? tokens : Math.min(limit, tokens);
    }
    return limit;
  }
}
