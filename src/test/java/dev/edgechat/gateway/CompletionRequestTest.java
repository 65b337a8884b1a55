package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The cache key of a chat completion request: what must and must not split it. */
class CompletionRequestTest {

  private static final String BODY = """
      {"model":"sim-1","temperature":0,"messages":[{"role":"user","content":"Hi"}]}""";

  private static GatewayProfile profile(String name, String baseUrl) {
    return new GatewayProfile(name, URI.create(baseUrl), Optional.empty(), List.of(), 0, false, false);
  }

  private static final GatewayProfile DEFAULT = profile("default", "http://127.0.0.1:1/v1");

  private static CompletionRequest parse(String body, GatewayProfile profile) {
    return CompletionRequest.parse(new JsonObject(body), profile);
  }

  /** Verifies that seeds above 2^53, which a double cannot tell apart, still give different keys. */
  @Test
  void parse_largeSeeds_differentKeys() {
    JsonObject one = new JsonObject(BODY).put("seed", 9007199254740993L);
    JsonObject two = new JsonObject(BODY).put("seed", 9007199254740992L);
    assertThat(parse(one.encode(), DEFAULT).key()).isNotEqualTo(parse(two.encode(), DEFAULT).key());
  }

  /** Verifies that numbers written differently but equal (0, 0.0) still give one key. */
  @Test
  void parse_sameNumberWrittenTwoWays_sameKey() {
    String other = BODY.replace("\"temperature\":0", "\"temperature\":0.0") .replace("}]}", "}],\"top_p\":1.0}");
    String same = BODY.replace("}]}", "}],\"top_p\":1}");
    assertThat(parse(other, DEFAULT).key()).isEqualTo(parse(same, DEFAULT).key());
  }

  /**
   * Verifies that a profile sent to another upstream does not find the answers its old upstream
   * gave (the L2 cache outlives a restart with a new configuration).
   */
  @Test
  void parse_sameProfileOtherUpstream_differentKeys() {
    CompletionRequest before = parse(BODY, DEFAULT);
    CompletionRequest after = parse(BODY, profile("default", "http://127.0.0.1:2/v1"));
    assertThat(before.key()).isNotEqualTo(after.key());
  }

  /** Verifies that profiles never share answers, even with one upstream. */
  @Test
  void parse_otherProfile_differentKeys() {
    assertThat(parse(BODY, DEFAULT).key()).isNotEqualTo(parse(BODY, profile("partner", "http://127.0.0.1:1/v1")).key());
  }

  /** Verifies that stream_options without a stream is refused as OpenAI refuses it: 400 naming the field. */
  @Test
  void parse_streamOptionsWithoutStream_badRequest() {
    JsonObject body = new JsonObject(BODY).put("stream_options", new JsonObject().put("include_usage", true));
    assertThatThrownBy(() -> parse(body.encode(), DEFAULT)).isInstanceOfSatisfying(GatewayError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.toBody().getJsonObject("error").getString("param")).isEqualTo("stream_options");
    });
    assertThat(parse(body.put("stream", true).encode(), DEFAULT).includeUsage()).isTrue();
  }
}
