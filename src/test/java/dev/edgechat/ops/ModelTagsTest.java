package dev.edgechat.ops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The bounded {@code model} label of the gateway's metrics. */
class ModelTagsTest {

  /**
   * Verifies that a model has its own label only once an upstream answered it, that the first
   * {@value ModelTags#MAX_MODELS} answered keep theirs, and that every later one is other.
   */
  @Test
  void admit_pastTheCapOrNeverAnswered_other() {
    ModelTags tags = new ModelTags();
    assertThat(tags.of("gpt-4o-mini")).as("asked, never answered").isEqualTo(ModelTags.OTHER);
    assertThat(tags.admit("gpt-4o-mini")).isEqualTo("gpt-4o-mini");
    assertThat(tags.of("gpt-4o-mini")).isEqualTo("gpt-4o-mini");
    for (int i = 1; i < ModelTags.MAX_MODELS; i++) {
      assertThat(tags.admit("made-up-" + i)).isEqualTo("made-up-" + i);
    }
    assertThat(tags.admit("one-too-many")).isEqualTo(ModelTags.OTHER);
    assertThat(tags.of("one-too-many")).isEqualTo(ModelTags.OTHER);
    assertThat(tags.admit("gpt-4o-mini")).as("labelled before the cap: kept").isEqualTo("gpt-4o-mini");
  }
}
