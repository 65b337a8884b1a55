package dev.edgechat.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Which answers a purge by document retires, and for how long it is remembered. */
class DocumentPurgesTest {

  private static CachedAnswer citing(List<String> documents, long changeSeq) {
    return new CachedAnswer(List.of("An answer."), new JsonArray(), "static", documents, changeSeq);
  }

  /**
   * Verifies that a purge retires an answer of its site that cites a purged document and was made
   * before it (a lower change number), and nothing else: not one made after it, not one citing other
   * documents, not one of another site, not one that cites no document by id.
   */
  @Test
  void retires_answerCitingAPurgedDocumentMadeBefore_only() {
    DocumentPurges purges = new DocumentPurges(() -> TimeUnit.HOURS.toMillis(50), () -> 1_000_000);
    purges.purged("shop", List.of("returns", "shipping"), 42, 1_000_000);

    assertThat(purges.retires("shop", citing(List.of("faq", "returns"), 41))).isTrue();
    assertThat(purges.retires("shop", citing(List.of("shipping"), 0))).as("made when origin knew no change").isTrue();
    assertThat(purges.retires("shop", citing(List.of("returns"), 42))).as("made after the purge").isFalse();
    assertThat(purges.retires("shop", citing(List.of("faq"), 1))).isFalse();
    assertThat(purges.retires("other", citing(List.of("returns"), 1))).isFalse();
    assertThat(purges.retires("shop", new CachedAnswer(List.of("x"), new JsonArray(), "static"))).isFalse();
    assertThat(purges.hasPurges("shop")).isTrue();
    assertThat(purges.hasPurges("other")).isFalse();
  }

  /** Verifies that a later purge of a document counts, and an older one arriving late does not lower it. */
  @Test
  void purged_twice_latestCounts() {
    DocumentPurges purges = new DocumentPurges(() -> 1000, () -> 0);
    purges.purged("shop", List.of("returns"), 10, 0);
    purges.purged("shop", List.of("returns"), 20, 0);
    purges.purged("shop", List.of("returns"), 15, 0);

    assertThat(purges.retires("shop", citing(List.of("returns"), 19))).isTrue();
    assertThat(purges.retires("shop", citing(List.of("returns"), 20))).isFalse();
  }

  /** Verifies that a purge is forgotten once no answer made before it can be served any more, not before. */
  @Test
  void prune_afterTheLongestAnswerLife_forgets() {
    AtomicLong now = new AtomicLong(TimeUnit.DAYS.toMillis(30));
    long life = TimeUnit.HOURS.toMillis(50);
    DocumentPurges purges = new DocumentPurges(() -> life, now::get);
    purges.purged("shop", List.of("returns"), 7, now.get());
    now.addAndGet(life - 1);
    purges.prune();
    assertThat(purges.retires("shop", citing(List.of("returns"), 6))).isTrue();
    assertThat(purges.size()).isEqualTo(1);

    now.addAndGet(2);
    purges.prune();
    assertThat(purges.retires("shop", citing(List.of("returns"), 6))).isFalse();
    assertThat(purges.size()).isZero();
    assertThat(purges.hasPurges("shop")).isFalse();
  }

  /** Verifies that what a purge needs travels with the answer through Redis, and an older entry cites nothing. */
  @Test
  void json_documentsAndChangeSeq_roundTrip() {
    CachedAnswer answer = new CachedAnswer(List.of("We", " ship."), new JsonArray(), "dynamic",
        List.of("shipping", "returns"), 9);
    CachedAnswer read = CachedAnswer.fromJson(answer.toJson());
    assertThat(read).isEqualTo(answer);
    assertThat(read.documents()).containsExactly("shipping", "returns");
    assertThat(read.changeSeq()).isEqualTo(9);

    CachedAnswer older = CachedAnswer.fromJson(new io.vertx.core.json.JsonObject()
        .put("tokens", new JsonArray().add("Hi")).put("sources", new JsonArray()).put("freshness", "static"));
    assertThat(older.documents()).isEmpty();
    assertThat(older.changeSeq()).isZero();
  }
}
