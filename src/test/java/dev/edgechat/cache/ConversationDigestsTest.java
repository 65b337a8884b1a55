package dev.edgechat.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.support.ManualTime;
import dev.edgechat.web.Ids;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The edge's memory of conversations, on a manual clock. */
class ConversationDigestsTest {

  private static final Duration IDLE = Duration.ofMinutes(30);

  private final ManualTime time = new ManualTime();

  private ConversationDigests digests(int max) {
    return new ConversationDigests(max, IDLE, time::nanoTime);
  }

  /** Verifies that a conversation is remembered while it keeps being used and forgotten once idle longer than the limit. */
  @Test
  void before_idleLongerThanLimit_forgotten() {
    ConversationDigests digests = digests(10);
    String c1 = Ids.next();
    digests.answered(c1, ConversationDigests.NONE, "Do you ship to Norway?", "Yes, in five days.");
    time.advance(Duration.ofMinutes(29));
    assertThat(digests.before(c1)).isPresent();
    time.advance(Duration.ofMinutes(29));
    assertThat(digests.before(c1)).as("each use starts the idle time over").isPresent();
    time.advance(Duration.ofMinutes(31));
    assertThat(digests.before(c1)).isEmpty();
  }

  @Test
  void answered_turnAfterTurn_digestFollowsTheTurns() {
    ConversationDigests digests = digests(10);
    String c1 = Ids.next();
    String c2 = Ids.next();
    digests.answered(c1, ConversationDigests.NONE, "Do you ship to Norway?", "Yes.");
    digests.answered(c2, ConversationDigests.NONE, "do you ship to norway", "Yes.");
    String first = digests.before(c1).orElseThrow();

    assertThat(digests.before(c2)).as("the same turn, however the question was cased").contains(first);
    digests.answered(c1, first, "How long does it take?", "Five days.");
    assertThat(digests.before(c1)).isPresent().get().isNotEqualTo(first);
    assertThat(digests.before(c2)).contains(first);
  }

  @Test
  void answered_hit_keepsTheAnswersDigestForEveryConversation() {
    ConversationDigests digests = digests(10);
    CachedAnswer answer = new CachedAnswer(List.of("Yes", "."), new JsonArray(), "static");
    AnswerKey key = new AnswerKey("demo", 1L, "do you ship to norway", ConversationDigests.NONE);
    String c1 = Ids.next();
    String c2 = Ids.next();
    digests.answered(c1, key, answer);
    digests.answered(c2, key, answer);

    assertThat(digests.before(c1).orElseThrow()).isSameAs(digests.before(c2).orElseThrow())
        .isEqualTo(ConversationDigests.next(ConversationDigests.NONE, "do you ship to norway", "Yes."));
  }

  @Test
  void forget_knownConversation_followUpsGoUncached() {
    ConversationDigests digests = digests(10);
    String c1 = Ids.next();
    digests.answered(c1, ConversationDigests.NONE, "Hi", "Hello.");
    digests.forget(c1);
    digests.forget(Ids.next());

    assertThat(digests.before(c1)).isEmpty();
    assertThat(digests.size()).isZero();
  }

  @Test
  void answered_idNoEdgeMakes_notRemembered() {
    ConversationDigests digests = digests(10);
    digests.answered("c1", ConversationDigests.NONE, "Hi", "Hello.");

    assertThat(digests.before("c1")).isEmpty();
    assertThat(digests.before(null)).isEmpty();
    assertThat(digests.size()).isZero();
  }

  @Test
  void answered_whenFull_leastRecentlyUsedGivesWay() {
    ConversationDigests digests = digests(3);
    String a = Ids.next();
    String b = Ids.next();
    String c = Ids.next();
    String d = Ids.next();
    digests.answered(a, ConversationDigests.NONE, "A", "a");
    digests.answered(b, ConversationDigests.NONE, "B", "b");
    digests.answered(c, ConversationDigests.NONE, "C", "c");
    digests.before(a);
    digests.answered(d, ConversationDigests.NONE, "D", "d");

    assertThat(digests.before(b)).isEmpty();
    assertThat(digests.byUse()).containsExactly(c, a, d);
  }

  @Test
  void answered_capacityZero_remembersNothing() {
    ConversationDigests digests = digests(0);
    String c1 = Ids.next();
    digests.answered(c1, ConversationDigests.NONE, "Hi", "Hello.");

    assertThat(digests.before(c1)).isEmpty();
  }

  @Test
  void construct_negativeCapacity_isRefused() {
    assertThatThrownBy(() -> digests(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * Many turns, reads and forgets against a plain access-ordered map: the store grows from its
   * first slots, fills, gives way by use, and time now and then passes the idle limit for some or
   * all conversations.
   */
  @Test
  void manyAtRandom_agreeWithAPlainModel() {
    Random random = new Random(20261208);
    int capacity = 300;
    ConversationDigests digests = digests(capacity);
    Map<String, String> model = new LinkedHashMap<>(16, 0.75f, true);
    Map<String, Long> usedAt = new LinkedHashMap<>();
    List<String> ever = new ArrayList<>();
    int idleAway = 0;
    int fullAway = 0;
    for (int step = 0; step < 60_000; step++) {
      int dice = random.nextInt(1_000);
      time.advance(dice == 0 ? IDLE : dice < 60 ? Duration.ofSeconds(random.nextInt(120)) : Duration.ofMillis(1));
      long now = time.nanoTime();
      int action = random.nextInt(10);
      String conversation = ever.isEmpty() || action < 3
          ? Ids.next() : ever.get(ever.size() - 1 - random.nextInt(Math.min(ever.size(), 800)));
      if (action < 6) {
        String digest = "d" + step;
        digests.answered(conversation, digest, "q", "a");
        ever.add(conversation);
        if (!model.containsKey(conversation)) {
          int before = model.size();
          // the model forgets only from its least recent end, as the store does
          String eldest;
          while (!model.isEmpty()
              && now - usedAt.get(eldest = model.keySet().iterator().next()) >= IDLE.toNanos()) {
            model.remove(eldest);
            usedAt.remove(eldest);
          }
          idleAway += before - model.size();
          if (model.size() == capacity) {
            eldest = model.keySet().iterator().next();
            model.remove(eldest);
            usedAt.remove(eldest);
            fullAway++;
          }
        }
        model.put(conversation, ConversationDigests.next(digest, "q", "a"));
        usedAt.put(conversation, now);
      } else if (action < 9) {
        Long used = usedAt.get(conversation);
        String expected = used != null && now - used < IDLE.toNanos() ? model.get(conversation) : null;
        if (used != null && expected == null) {
          model.remove(conversation);
          usedAt.remove(conversation);
        } else if (expected != null) {
          usedAt.put(conversation, now);
        }
        assertThat(digests.before(conversation).orElse(null)).as("step %d", step).isEqualTo(expected);
      } else {
        digests.forget(conversation);
        model.remove(conversation);
        usedAt.remove(conversation);
      }
      assertThat(digests.size()).as("step %d", step).isEqualTo(model.size());
      if (step % 1_000 == 0) {
        assertThat(digests.byUse()).as("step %d", step).containsExactlyElementsOf(model.keySet());
      }
    }
    assertThat(digests.byUse()).containsExactlyElementsOf(model.keySet());
    assertThat(idleAway).as("idle conversations forgotten").isGreaterThan(500);
    assertThat(fullAway).as("a full store exercised").isGreaterThan(500);
  }
}
