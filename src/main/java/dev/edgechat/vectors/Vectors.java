package dev.edgechat.vectors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Vector arithmetic and the compact encodings of vectors: float32 little-endian bytes (how Postgres
 * keeps them in {@code bytea}) and the same bytes in Base64 (Redis, and OpenAI's
 * {@code encoding_format: base64}).
 */
public final class Vectors {

  private Vectors() {
  }

  /** {@code vector} scaled to length 1 (a zero vector stays zero). */
  public static float[] unitLength(float[] vector) {
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

  public static byte[] toBytes(float[] vector) {
    ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return buffer.array();
  }

  /** @throws IllegalArgumentException when the bytes are not a whole number of float32s */
  public static float[] fromBytes(byte[] bytes) {
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("not a whole number of float32s: " + bytes.length + " bytes");
    }
    float[] vector = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
    return vector;
  }

  public static String toBase64(float[] vector) {
    return Base64.getEncoder().encodeToString(toBytes(vector));
  }

  /** @throws IllegalArgumentException if the text is not Base64 of whole float32s */
  public static float[] fromBase64(String text) {
    return fromBytes(Base64.getDecoder().decode(text));
  }
}
