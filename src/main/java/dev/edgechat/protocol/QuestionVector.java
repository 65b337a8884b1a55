package dev.edgechat.protocol;

import dev.edgechat.web.ApiError;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Objects;

/**
 * The question's embedding as the edge computed it for its semantic cache, sent along with an
 * answer request ({@code POST /internal/answer}, field {@value #FIELD}) so that origin need not embed
 * the same text again for retrieval. Optional and ignorable: origin uses it only when it embeds with
 * the same model and length ({@link #sameModel}); an origin that predates the field ignores it, as
 * it ignores any field it does not know.
 *
 * <p>On the wire: {@code {"model":"all-minilm-l6-v2-q","dimensions":384,"values":"<base64>"}}, the
 * values as IEEE-754 float32, little-endian, in base64 (1,536 bytes of floats are 2,048 characters,
 * half of what decimal JSON numbers take, and exact).
 *
 * @param model the embedding model's name as {@code EmbeddingModel.name()} gives it
 * @param values the unit-length vector
 */
public record QuestionVector(String model, float[] values) {

  /** The answer request's field that carries it. */
  public static final String FIELD = "questionVector";
  /** The longest vector taken (remote models go up to 3,072 dimensions). */
  public static final int MAX_DIMENSIONS = 4096;
  /** The most the field adds to an answer request's JSON: {@link #MAX_DIMENSIONS} floats in base64, and the names. */
  public static final int MAX_JSON_BYTES = (MAX_DIMENSIONS * Float.BYTES + 2) / 3 * 4 + 512;

  public QuestionVector {
    Objects.requireNonNull(model);
    Objects.requireNonNull(values);
  }

  /** Whether a model of this name and length made it: only then may it stand for that model's own embedding. */
  public boolean sameModel(String name, int dimensions) {
    return model.equals(name) && values.length == dimensions;
  }

  public JsonObject toJson() {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return new JsonObject()
        .put("model", model)
        .put("dimensions", values.length)
        .put("values", Base64.getEncoder().encodeToString(bytes.array()));
  }

  /**
   * The vector of an answer request's JSON, or null when it carries none.
   *
   * @throws ApiError invalid_request when the field is there but malformed (a bug of the edge's:
   *     origin says so rather than answer from a vector it cannot read)
   */
  public static QuestionVector fromJson(JsonObject request) {
    Object field = request.getValue(FIELD);
    if (field == null) {
      return null;
    }
    if (!(field instanceof JsonObject json) || !(json.getValue("model") instanceof String model)
        || !(json.getValue("dimensions") instanceof Integer dimensions) || !(json.getValue("values") instanceof String text)
        || model.isEmpty() || model.length() > 200 || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
      throw ApiError.invalidRequest("field '" + FIELD + "' must be {model, dimensions (1.." + MAX_DIMENSIONS
          + "), values (base64 float32)}");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalidRequest("field '" + FIELD + ".values' is not base64");
    }
    if (bytes.length != dimensions * Float.BYTES) {
      throw ApiError.invalidRequest("field '" + FIELD + ".values' holds " + bytes.length + " bytes, not "
          + dimensions + " float32 values");
    }
    float[] values = new float[dimensions];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    for (float v : values) {
      if (!Float.isFinite(v)) {
        throw ApiError.invalidRequest("field '" + FIELD + ".values' holds a value that is not a finite number");
      }
    }
    return new QuestionVector(model, values);
  }
}
