package dev.edgechat.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.junit5.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class HashingEmbedderTest {

  private static double cosine(String a, String b, int dimensions) {
    float[] x = HashingEmbedder.embed(a, dimensions);
    float[] y = HashingEmbedder.embed(b, dimensions);
    double sum = 0;
    for (int i = 0; i < dimensions; i++) {
      sum += x[i] * y[i];
    }
    return sum;
  }

  /** Verifies that paraphrases are near and unrelated questions far, at several sizes. */
  @Test
  void embed_similarTexts_nearerThanUnrelated() {
    for (int dimensions : new int[] {64, 256, 1536}) {
      double similar = cosine("How do I reset my password?", "how can I reset my password", dimensions);
      double unrelated = cosine("How do I reset my password?", "What are your opening hours on Sunday?", dimensions);
      assertThat(similar).as("similar at %d", dimensions).isGreaterThan(0.7);
      assertThat(unrelated).as("unrelated at %d", dimensions).isLessThan(0.4);
    }
  }

  /** Verifies unit length, including texts with no words. */
  @Test
  void embed_anyText_isUnitLength() {
    for (String text : new String[] {"hello", "How do I reset my password?", "?!", "   ", "Grüße aus München"}) {
      assertThat(cosine(text, text, 256)).as(text).isCloseTo(1.0, within(1e-5));
    }
  }

  /** Verifies that case and punctuation do not change the vector, and a text always gets the same one. */
  @Test
  void embed_isDeterministicAndCaseInsensitive() {
    assertThat(HashingEmbedder.embed("Reset my password!", 128)).isEqualTo(HashingEmbedder.embed("reset my PASSWORD", 128));
    assertThat(HashingEmbedder.embed("opening hours", 128)).isEqualTo(HashingEmbedder.embed("opening hours", 128));
  }
}
