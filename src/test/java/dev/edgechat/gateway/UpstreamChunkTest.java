package dev.edgechat.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Reading upstream {@code chat.completion.chunk}s in one pass, the delta cut out as the upstream wrote it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class UpstreamChunkTest {

  /** Verifies that the first choice's delta is the upstream's own text and the chunk's fields are read. */
  @Test
  void parse_contentChunk() {
    UpstreamChunk chunk = UpstreamChunk.parse("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1,\"model\":\"sim-1\",\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,"
        + "\"delta\": {\"content\" : \"Caf\\u00e9 \\\"ok\\\"\", \"x\":{\"a\":[1,{}]}},\"logprobs\":null,"
        + "\"finish_reason\":null}],\"usage\":null}");
    assertThat(chunk.delta()).isEqualTo("{\"content\" : \"Caf\\u00e9 \\\"ok\\\"\", \"x\":{\"a\":[1,{}]}}");
    assertThat(chunk.deltaObject().getString("content")).isEqualTo("Café \"ok\"");
    assertThat(chunk.deltaCarries()).isTrue();
    assertThat(chunk.model()).isEqualTo("sim-1");
    assertThat(chunk.fingerprint()).isEqualTo("fp_1");
    assertThat(chunk.finishReason()).isNull();
    assertThat(chunk.usage()).isNull();
    assertThat(chunk.error()).isNull();
  }

  /** Verifies that a finish chunk, whose delta says nothing, gives its finish reason, and a usage chunk its usage. */
  @Test
  void parse_finishAndUsage() {
    UpstreamChunk finish = UpstreamChunk.parse("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\",\"role\":null},"
        + "\"finish_reason\":\"stop\"},{\"index\":1,\"delta\":{\"content\":\"second\"},\"finish_reason\":\"length\"}]}");
    assertThat(finish.deltaCarries()).isFalse();
    assertThat(finish.finishReason()).isEqualTo("stop");
    UpstreamChunk usage = UpstreamChunk.parse("{\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
        + "\"total_tokens\":5}}");
    assertThat(usage.delta()).isNull();
    assertThat(usage.deltaCarries()).isFalse();
    assertThat(usage.usage()).isEqualTo(new JsonObject().put("prompt_tokens", 3).put("completion_tokens", 2)
        .put("total_tokens", 5));
  }

  /** Verifies that tool-call pieces count as something said, and an error object is read whole. */
  @Test
  void parse_toolCallsAndError() {
    UpstreamChunk call = UpstreamChunk.parse("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
        + "\"function\":{\"arguments\":\"{}\"}}]}}]}");
    assertThat(call.deltaCarries()).isTrue();
    assertThat(call.deltaObject().getJsonArray("tool_calls").size()).isEqualTo(1);
    UpstreamChunk error = UpstreamChunk.parse("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}");
    assertThat(error.error().getString("message")).isEqualTo("overloaded");
  }

  /** Verifies that a delta the upstream wrote over several lines is put on one line, as a data line must be. */
  @Test
  void parse_deltaOverSeveralLines() {
    UpstreamChunk chunk = UpstreamChunk.parse("{\"choices\":[{\"delta\":{\n  \"content\": \"Hi\"\n}}]}");
    assertThat(chunk.delta()).isEqualTo("{\"content\":\"Hi\"}");
  }

  /** Verifies that what is not one JSON object fails as a malformed chunk. */
  @Test
  void parse_malformed() {
    for (String bad : new String[] {"not json", "[1,2]", "{\"choices\":[{\"delta\":{\"content\":\"x\"}]}",
        "{\"a\":1} {\"b\":2}", "\"text\"", ""}) {
      assertThatThrownBy(() -> UpstreamChunk.parse(bad)).as(bad).isInstanceOf(DecodeException.class);
    }
  }
}
