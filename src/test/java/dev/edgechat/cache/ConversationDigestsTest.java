package dev.edgechat.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.ManualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The edge's memory of conversations, on a manual clock. */
class ConversationDigestsTest {

  /** Verifies that a conversation is remembered while it keeps being used and forgotten once idle longer than the limit. */
  @Test
  void before_idleLongerThanLimit_forgotten() {
    ManualTime time = new ManualTime();
    ConversationDigests digests = new ConversationDigests(10, Duration.ofMinutes(30), time.ticker());
    digests.answered("c1", ConversationDigests.NONE, "Do you ship to Norway?", "Yes, in five days.");
    time.advance(Duration.ofMinutes(29));
    assertThat(digests.before("c1")).isPresent();
    time.advance(Duration.ofMinutes(29));
    assertThat(digests.before("c1")).as("each use starts the idle time over").isPresent();
    time.advance(Duration.ofMinutes(31));
    assertThat(digests.before("c1")).isEmpty();
  }
}
