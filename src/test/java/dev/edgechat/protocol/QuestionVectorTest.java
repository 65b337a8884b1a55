package dev.edgechat.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.web.ApiError;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The question's vector on the edge-to-origin wire: exact round trip, optional, malformed refused with 400. */
class QuestionVectorTest {

  private static JsonObject request() {
    return new AnswerRequest("demo", dev.edgechat.web.Ids.next(), true, dev.edgechat.web.Ids.next(), "How do I reset my password?", null).toJson();
  }

  /** Verifies that the vector comes back bit for bit, and that the answer request itself still reads. */
  @Test
  void fromJson_roundTrip_exactValues() {
    float[] values = {0.1f, -0.25f, 1e-7f, 0.99999994f, -0f};
    JsonObject json = request().put(QuestionVector.FIELD, new QuestionVector("all-minilm-l6-v2-q", values).toJson());

    QuestionVector back = QuestionVector.fromJson(new JsonObject(json.encode()));

    assertThat(back.model()).isEqualTo("all-minilm-l6-v2-q");
    assertThat(back.values()).containsExactly(values);
    assertThat(back.sameModel("all-minilm-l6-v2-q", 5)).isTrue();
    assertThat(back.sameModel("all-minilm-l6-v2-q", 384)).isFalse();
    assertThat(back.sameModel("text-embedding-3-small", 5)).isFalse();
    assertThat(AnswerRequest.fromJson(json).question()).isEqualTo("How do I reset my password?");
  }

  /** Verifies that a request without the field (an older edge) carries no vector. */
  @Test
  void fromJson_absent_null() {
    assertThat(QuestionVector.fromJson(request())).isNull();
  }

  /** Verifies that a malformed vector is a 400 invalid_request naming the field, never used or a 500. */
  @Test
  void fromJson_malformed_invalidRequest() {
    JsonObject good = new QuestionVector("m", new float[] {0.5f, 0.5f}).toJson();
    for (JsonObject bad : new JsonObject[] {
        good.copy().put("values", "not base64!"),
        good.copy().put("dimensions", 3),
        good.copy().put("dimensions", 0),
        good.copy().put("model", ""),
        new JsonObject().put("dimensions", 2).put("values", good.getString("values")),
        good.copy().put("values", "AADAfwAAwH8="), // two NaNs
    }) {
      assertThatThrownBy(() -> QuestionVector.fromJson(request().put(QuestionVector.FIELD, bad)))
          .isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.code()).isEqualTo("invalid_request");
            assertThat(e.getMessage()).contains(QuestionVector.FIELD);
          });
    }
    assertThatThrownBy(() -> QuestionVector.fromJson(request().put(QuestionVector.FIELD, "x")))
        .isInstanceOf(ApiError.class);
  }
}
