package dev.edgechat.embedding;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/** Vector arithmetic and the compact encoding of vectors: Base64 of little-endian float32s. */
final class Vectors {

  private Vectors() {
  }

  /** {@code vector} scaled to length 1 (a zero vector stays zero). */
  static float[] unitLength(float[] vector) {
    double sum = 0;
    for (float value : vector) {
      sum += (double) value * value;
    }
    if (sum == 0) {
      return vector;
    }
    float scale = (float) (1 / Math.sqrt(sum));
    float[] unit = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      unit[i] = vector[i] * scale;
    }
    return unit;
  }

  /** The float32s of {@code vector}, little-endian, in Base64: OpenAI's {@code encoding_format: base64}. */
  static String toBase64(float[] vector) {
    ByteBuffer bytes = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  /**
   * The vector {@link #toBase64} encoded.
   *
   * @throws IllegalArgumentException if the text is not Base64 of whole float32s
   */
  static float[] fromBase64(String text) {
    byte[] raw = Base64.getDecoder().decode(text);
    if (raw.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("not a whole number of float32s: " + raw.length + " bytes");
    }
    float[] vector = new float[raw.length / Float.BYTES];
    ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
    return vector;
  }
}
