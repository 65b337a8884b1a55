package dev.edgechat.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The in-process MiniLM model: shape of its vectors and that they carry meaning. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class LocalEmbeddingModelTest {

  /**
   * Verifies 384-dimension unit vectors, in the order asked, with a paraphrase closer than an
   * unrelated text; asked from an event loop, which the model must not block.
   */
  @Test
  void embed_chunks_unitVectorsSimilarTextsCloser(Vertx vertx, VertxTestContext ctx) {
    LocalEmbeddingModel model = new LocalEmbeddingModel(vertx, 1);
    List<String> texts = List.of(
        "To reset your password, open Settings and choose Forgot password.",
        "You can change a forgotten password from the settings page.",
        "Our warehouse ships parcels to Norway within five working days.");
    vertx.runOnContext(v -> model.embed(texts)
        .compose(vectors -> model.embed(List.of(texts.get(2))).map(alone -> List.of(vectors, alone)))
        .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
          List<float[]> vectors = results.get(0);
          assertThat(model.name()).isEqualTo("all-minilm-l6-v2-q");
          assertThat(model.dimensions()).isEqualTo(384);
          assertThat(vectors).hasSize(3).allSatisfy(vector -> {
            assertThat(vector).hasSize(384);
            assertThat(dot(vector, vector)).isCloseTo(1.0, within(1e-4));
          });
          double paraphrase = dot(vectors.get(0), vectors.get(1));
          double unrelated = dot(vectors.get(0), vectors.get(2));
          assertThat(paraphrase).isGreaterThan(unrelated + 0.2);
          // order kept: the third text alone gets the third vector
          assertThat(results.get(1).get(0)).containsExactly(vectors.get(2), within(1e-5f));
          model.close();
          ctx.completeNow();
        }))));
  }

  /** Verifies that a blank text fails the call, naming which text. */
  @Test
  void embed_blankText_failsNamingIt(Vertx vertx, VertxTestContext ctx) {
    LocalEmbeddingModel model = new LocalEmbeddingModel(vertx, 1);
    model.embed(List.of("fine", "  ")).onComplete(ctx.failing(e -> ctx.verify(() -> {
      assertThat(e).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text 1 of 2 is blank");
      model.close();
      ctx.completeNow();
    })));
  }

  private static double dot(float[] a, float[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += a[i] * b[i];
    }
    return sum;
  }
}
