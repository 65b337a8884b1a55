package dev.edgechat.sim;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an OpenAI embeddings request the simulator uses.
 *
 * @param model the model asked for; any name is accepted
 * @param inputs the texts, one or more
 * @param dimensions the vector length asked for, or 0 for the configured one
 * @param base64 whether vectors go out as Base64 of little-endian float32s ({@code encoding_format})
 */
record EmbeddingRequest(String model, List<String> inputs, int dimensions, boolean base64) {

  static final String DEFAULT_MODEL = "text-embedding-3-small";
  static final int MAX_INPUTS = 2048;
  static final int MAX_DIMENSIONS = 4096;

  /**
   * Reads a request body.
   *
   * @throws OpenAiError a 400 naming the field when the body is not a valid embeddings request
   */
  static EmbeddingRequest parse(Buffer body) {
    JsonObject json = ChatRequest.jsonObject(body);
    Object model = json.getValue("model");
    if (model != null && (!(model instanceof String name) || name.isBlank())) {
      throw OpenAiError.invalidRequest("'model' must be a non-empty string", "model");
    }
    return new EmbeddingRequest(
        model == null ? DEFAULT_MODEL : (String) model,
        inputs(json.getValue("input")),
        dimensions(json.getValue("dimensions")),
        base64(json.getValue("encoding_format")));
  }

  private static List<String> inputs(Object input) {
    if (input == null) {
      throw OpenAiError.invalidRequest("'input' is a required property", "input");
    }
    if (input instanceof String text) {
      return List.of(nonEmpty(text));
    }
    if (!(input instanceof JsonArray array) || array.isEmpty()) {
      throw OpenAiError.invalidRequest("'input' must be a string or a non-empty array of strings", "input");
    }
    if (array.size() > MAX_INPUTS) {
      throw OpenAiError.invalidRequest("'input' may hold at most " + MAX_INPUTS + " strings", "input");
    }
    List<String> texts = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String text)) {
        throw OpenAiError.invalidRequest("'input' must be a string or an array of strings"
            + " (token arrays are not supported by the simulator)", "input");
      }
      texts.add(nonEmpty(text));
    }
    return List.copyOf(texts);
  }

  private static String nonEmpty(String text) {
    if (text.isEmpty()) {
      throw OpenAiError.invalidRequest("'input' cannot be an empty string", "input");
    }
    return text;
  }

  private static int dimensions(Object value) {
    if (value == null) {
      return 0;
    }
    if (!(value instanceof Integer || value instanceof Long)
        || ((Number) value).longValue() < 1 || ((Number) value).longValue() > MAX_DIMENSIONS) {
      throw OpenAiError.invalidRequest("'dimensions' must be an integer from 1 to " + MAX_DIMENSIONS, "dimensions");
    }
    return ((Number) value).intValue();
  }

  private static boolean base64(Object value) {
    if (value == null || "float".equals(value)) {
      return false;
    }
    if ("base64".equals(value)) {
      return true;
    }
    throw OpenAiError.invalidRequest("'encoding_format' must be 'float' or 'base64'", "encoding_format");
  }
}
