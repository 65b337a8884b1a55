package dev.edgechat.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.web.Ids;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ResumableHitsTest {

  private static final long TTL = TimeUnit.MINUTES.toNanos(10);
  private static final CachedAnswer ANSWER = new CachedAnswer(List.of("We", " ship."), new JsonArray(), "static");

  private final AtomicLong now = new AtomicLong(1_000);

  private ResumableHits hits(int capacity) {
    return new ResumableHits(capacity, TTL, now::get);
  }

  private static ReplayedMessage hit(String message) {
    return new ReplayedMessage("conv-" + message, message, "\"fra\"", ANSWER, 7);
  }

  @Test
  void find_keptHit_givesItsPartsBack() {
    ResumableHits hits = hits(10);
    String message = Ids.next();
    hits.keep(new ReplayedMessage("c1", message, "\"fra\"", ANSWER, 12));

    ReplayedMessage found = hits.find(message);

    assertThat(found).isEqualTo(new ReplayedMessage("c1", message, "\"fra\"", ANSWER, 12));
    assertThat(hits.find(Ids.next())).isNull();
  }

  @Test
  void find_conversationThisEdgeMade_givesItsIdBackAsSent() {
    ResumableHits hits = hits(10);
    String message = Ids.next();
    String conversation = Ids.next();
    hits.keep(new ReplayedMessage(conversation, message, "\"fra\"", ANSWER, 12));

    assertThat(hits.find(message).conversation()).isEqualTo(conversation);
  }

  @Test
  void find_afterTheTimeToLive_findsNothing() {
    ResumableHits hits = hits(10);
    String message = Ids.next();
    hits.keep(hit(message));

    now.addAndGet(TTL - 1);
    assertThat(hits.find(message)).isNotNull();
    now.addAndGet(1);
    assertThat(hits.find(message)).isNull();
  }

  @Test
  void keep_expiredOnes_giveWayAndLetGoOfTheirAnswers() {
    ResumableHits hits = hits(100);
    for (int i = 0; i < 30; i++) {
      hits.keep(hit(Ids.next()));
    }
    now.addAndGet(TTL);
    String fresh = Ids.next();
    hits.keep(hit(fresh));

    assertThat(hits.size()).isEqualTo(1);
    assertThat(hits.find(fresh)).isNotNull();
    assertThat(hits.indexConsistent()).isTrue();
  }

  @Test
  void keep_whenFull_theOldestGivesWay() {
    ResumableHits hits = hits(3);
    List<String> messages = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String message = Ids.next();
      messages.add(message);
      hits.keep(hit(message));
      now.addAndGet(1);
    }

    assertThat(hits.size()).isEqualTo(3);
    assertThat(hits.find(messages.get(0))).isNull();
    assertThat(hits.find(messages.get(1))).isNull();
    assertThat(messages.subList(2, 5)).allSatisfy(m -> assertThat(hits.find(m)).isNotNull());
  }

  @Test
  void find_theSameBitsSpelledOtherwise_findsNothing() {
    ResumableHits hits = hits(10);
    String message = "AAAAAAAAAAAAAAAAAAAAAA";
    hits.keep(hit(message));
    // the 22nd character carries 2 bits; 'B' sets an unused one, and decodes to the same 128 bits
    String sameBits = message.substring(0, 21) + "B";

    assertThat(hits.find(message)).isNotNull();
    assertThat(hits.find(sameBits)).isNull();
  }

  @Test
  void find_whatCannotBeAnId_findsNothing() {
    ResumableHits hits = hits(10);
    hits.keep(hit(Ids.next()));

    assertThat(hits.find("short")).isNull();
    assertThat(hits.find("!!!!!!!!!!!!!!!!!!!!!!")).isNull();
    assertThat(hits.find(null)).isNull();
  }

  @Test
  void keep_capacityZero_keepsNothing() {
    ResumableHits hits = hits(0);
    String message = Ids.next();
    hits.keep(hit(message));

    assertThat(hits.find(message)).isNull();
    assertThat(hits.size()).isZero();
  }

  @Test
  void construct_negativeCapacity_isRefused() {
    assertThatThrownBy(() -> hits(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Many keeps, growths, wraps and expiries against a plain insertion-ordered map: time mostly
   * stands still (the store fills and wraps), now and then moves up to a minute (some expire), and
   * rarely past the time-to-live (all do).
   */
  @Test
  void keepAndFind_manyAtRandom_agreeWithAPlainModel() {
    Random random = new Random(20261207);
    int capacity = 200;
    ResumableHits hits = hits(capacity);
    Map<String, Long> model = new LinkedHashMap<>();
    Map<String, String> conversations = new HashMap<>();
    List<String> everKept = new ArrayList<>();
    int expiredAway = 0;
    int fullAway = 0;
    for (int step = 0; step < 60_000; step++) {
      int dice = random.nextInt(1_000);
      now.addAndGet(dice == 0 ? TTL : dice < 50 ? (long) (random.nextDouble() * TimeUnit.MINUTES.toNanos(1)) : 1);
      if (random.nextInt(3) > 0) {
        String message = Ids.next();
        // most conversations are this edge's own ids, kept as bits; any other is kept as it is
        String conversation = random.nextInt(4) > 0 ? Ids.next() : "conv-" + step;
        hits.keep(new ReplayedMessage(conversation, message, "\"fra\"", ANSWER, 7));
        conversations.put(message, conversation);
        everKept.add(message);
        int before = model.size();
        model.entrySet().removeIf(e -> now.get() - e.getValue() >= TTL);
        expiredAway += before - model.size();
        if (model.size() == capacity) {
          model.remove(model.keySet().iterator().next());
          fullAway++;
        }
        model.put(message, now.get());
      } else {
        String message = everKept.isEmpty() || random.nextInt(5) == 0
            ? Ids.next() : everKept.get(everKept.size() - 1 - random.nextInt(Math.min(everKept.size(), 600)));
        Long keptAt = model.get(message);
        boolean expected = keptAt != null && now.get() - keptAt < TTL;
        ReplayedMessage found = hits.find(message);
        assertThat(found != null).as("step %d", step).isEqualTo(expected);
        if (found != null) {
          assertThat(found.conversation()).as("step %d", step).isEqualTo(conversations.get(message));
        }
      }
      if (step % 1_000 == 0) {
        assertThat(hits.indexConsistent()).as("step %d", step).isTrue();
      }
    }
    assertThat(hits.size()).isEqualTo(model.size());
    assertThat(hits.indexConsistent()).isTrue();
    assertThat(expiredAway).as("expiries exercised").isGreaterThan(1_000);
    assertThat(fullAway).as("a full store exercised").isGreaterThan(1_000);
  }
}
