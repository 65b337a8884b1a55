package dev.edgechat.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.support.ManualTime;
import dev.edgechat.web.Ids;
import io.vertx.core.json.JsonArray;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
  void answered_whenFull_leastRecentlyUsedOfProbationGivesWay() {
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
    assertThat(digests.byUse()).containsExactly(List.of(c, d), List.of(a));
  }

  /** A flood of conversations that never see a second turn does not push out those going on. */
  @Test
  void answered_floodOfOneTurnConversations_conversationsGoingOnStay() {
    ConversationDigests digests = digests(10_000);
    List<String> goingOn = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String conversation = Ids.next();
      digests.answered(conversation, ConversationDigests.NONE, "Do you ship to Norway?", "Yes.");
      String first = digests.before(conversation).orElseThrow();
      digests.answered(conversation, first, "How long does it take?", "Five days.");
      goingOn.add(conversation);
    }
    for (int i = 0; i < 30_000; i++) {
      digests.answered(Ids.next(), ConversationDigests.NONE, "Do you ship to Norway?", "Yes.");
    }

    assertThat(goingOn).allSatisfy(conversation -> assertThat(digests.before(conversation)).isPresent());
    assertThat(digests.size()).isEqualTo(10_000);
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
   * Many turns, reads and forgets against the same policy written with the JDK's maps: the store
   * grows from its first slots, fills, gives way, promotes and puts back, and time now and then
   * passes the idle limit for some or all conversations.
   */
  @Test
  void manyAtRandom_agreeWithAPlainModel() {
    Random random = new Random(20261208);
    int capacity = 100;
    ConversationDigests digests = digests(capacity);
    Model model = new Model(capacity, IDLE.toNanos());
    List<String> ever = new ArrayList<>();
    for (int step = 0; step < 60_000; step++) {
      int dice = random.nextInt(1_000);
      time.advance(dice == 0 ? IDLE : dice < 20 ? Duration.ofSeconds(random.nextInt(60)) : Duration.ofMillis(1));
      long now = time.nanoTime();
      int action = random.nextInt(10);
      String conversation = ever.isEmpty() || action < 3
          ? Ids.next() : ever.get(ever.size() - 1 - random.nextInt(Math.min(ever.size(), 400)));
      if (action < 6) {
        String digest = "d" + step;
        digests.answered(conversation, digest, "q", "a");
        model.remember(conversation, ConversationDigests.next(digest, "q", "a"), now);
        ever.add(conversation);
      } else if (action < 9) {
        assertThat(digests.before(conversation).orElse(null)).as("step %d", step)
            .isEqualTo(model.before(conversation, now));
      } else {
        digests.forget(conversation);
        model.forget(conversation);
      }
      assertThat(digests.size()).as("step %d", step).isEqualTo(model.size());
      if (step % 500 == 0) {
        assertThat(digests.byUse()).as("step %d", step).isEqualTo(model.byUse());
      }
    }
    assertThat(digests.byUse()).isEqualTo(model.byUse());
    assertThat(model.idleAway).as("idle conversations forgotten").isGreaterThan(500);
    assertThat(model.fullAway).as("a full store exercised").isGreaterThan(500);
    assertThat(model.putBack).as("protected ones put back into probation").isGreaterThan(200);
  }

  /** The policy with the JDK's maps, each list in order of use (a put after a remove is the most recent). */
  private static final class Model {

    private final int capacity;
    private final int maxProtected;
    private final long idleNanos;
    private final LinkedHashMap<String, Long> probation = new LinkedHashMap<>();
    private final LinkedHashMap<String, Long> protectedOnes = new LinkedHashMap<>();
    private final Map<String, String> digests = new HashMap<>();
    int idleAway;
    int fullAway;
    int putBack;

    Model(int capacity, long idleNanos) {
      this.capacity = capacity;
      this.maxProtected = capacity - capacity / 5;
      this.idleNanos = idleNanos;
    }

    String before(String conversation, long now) {
      Long used = probation.containsKey(conversation) ? probation.get(conversation) : protectedOnes.get(conversation);
      if (used == null) {
        return null;
      }
      if (now - used >= idleNanos) {
        forget(conversation);
        return null;
      }
      used(conversation, now);
      return digests.get(conversation);
    }

    void remember(String conversation, String digest, long now) {
      if (digests.containsKey(conversation)) {
        used(conversation, now);
      } else {
        for (LinkedHashMap<String, Long> list : List.of(probation, protectedOnes)) {
          while (!list.isEmpty() && now - list.values().iterator().next() >= idleNanos) {
            forget(list.keySet().iterator().next());
            idleAway++;
          }
        }
        if (size() == capacity) {
          forget((probation.isEmpty() ? protectedOnes : probation).keySet().iterator().next());
          fullAway++;
        }
        probation.put(conversation, now);
      }
      digests.put(conversation, digest);
    }

    private void used(String conversation, long now) {
      probation.remove(conversation);
      protectedOnes.remove(conversation);
      protectedOnes.put(conversation, now);
      if (protectedOnes.size() > maxProtected) {
        String back = protectedOnes.keySet().iterator().next();
        probation.put(back, protectedOnes.remove(back));
        putBack++;
      }
    }

    void forget(String conversation) {
      probation.remove(conversation);
      protectedOnes.remove(conversation);
      digests.remove(conversation);
    }

    int size() {
      return digests.size();
    }

    List<List<String>> byUse() {
      return List.of(new ArrayList<>(probation.keySet()), new ArrayList<>(protectedOnes.keySet()));
    }
  }
}
