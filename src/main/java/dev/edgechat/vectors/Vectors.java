package dev.edgechat.vectors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Embeddings as bytes (float32, little-endian): how Postgres keeps them in {@code bytea}. */
public final class Vectors {

  private Vectors() {
  }

  public static byte[] toBytes(float[] vector) {
    ByteBuffer buffer = ByteBuffer.allocate(vector.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(vector);
    return buffer.array();
  }

  /** @throws IllegalArgumentException when the bytes are not a whole number of floats */
  public static float[] fromBytes(byte[] bytes) {
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("not a float32 vector: " + bytes.length + " bytes");
    }
    float[] vector = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(vector);
    return vector;
  }
}
