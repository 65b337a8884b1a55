package dev.edgechat.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The one list of [tunable] settings, and settings built and copied by name. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class TunablesTest {

  private static final Pattern SECTION = Pattern.compile("^([a-zA-Z]+):\\s*(#.*)?$");
  private static final Pattern TUNABLE_LEAF = Pattern.compile("^  ([a-zA-Z0-9]+):[^#]*#\\s*\\[tunable]");

  @TempDir
  Path dir;

  /** Verifies that the settings edgechat.yaml marks [tunable] are exactly the ones a reload applies. */
  @Test
  void paths_matchTheTunableMarksOfEdgechatYaml() throws IOException {
    Set<String> marked = new TreeSet<>();
    try (InputStream in = TunablesTest.class.getResourceAsStream("/edge-config/edgechat.yaml")) {
      assertThat(in).isNotNull();
      String section = null;
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        Matcher top = SECTION.matcher(line);
        if (top.matches()) {
          section = top.group(1);
          continue;
        }
        Matcher leaf = TUNABLE_LEAF.matcher(line);
        if (leaf.find() && section != null) {
          marked.add(section + "." + leaf.group(1));
        }
      }
    }
    assertThat(marked).isNotEmpty();
    assertThat(new TreeSet<>(Tunables.PATHS)).isEqualTo(marked);
  }

  /** Verifies that a copy takes the tunable values of the reloaded settings and keeps every other value. */
  @Test
  void copy_takesTunablesKeepsTheRest(Vertx vertx, VertxTestContext ctx) {
    new ConfigLoader(vertx, dir, Map.of()).load().onComplete(ctx.succeeding(live -> ctx.verify(() -> {
      EdgechatConfig now = live.get();
      EdgechatConfig reloaded = now.toBuilder()
          .origin(o -> o.passages(7).maxAnswerChars(999))
          .cache(c -> c.staticTtlMs(5_000).dynamicTtlMs(4_000).l1MaxBytes(12_345))
          .embeddings(m -> m.batchSize(3).timeoutMs(777))
          .http(h -> h.port(1234))
          .build();
      EdgechatConfig applied = Tunables.copy(reloaded, now);
      assertThat(applied.origin().passages()).isEqualTo(7);
      assertThat(applied.cache().staticTtlMs()).isEqualTo(5_000);
      assertThat(applied.cache().dynamicTtlMs()).isEqualTo(4_000);
      assertThat(applied.embeddings().batchSize()).isEqualTo(3);
      assertThat(applied.origin().maxAnswerChars()).isEqualTo(now.origin().maxAnswerChars());
      assertThat(applied.cache().l1MaxBytes()).isEqualTo(now.cache().l1MaxBytes());
      assertThat(applied.embeddings().timeoutMs()).isEqualTo(now.embeddings().timeoutMs());
      assertThat(applied.http()).isEqualTo(now.http());
      assertThat(Tunables.copy(now, now)).isEqualTo(now);
      ctx.completeNow();
    })));
  }

  /** Verifies that a builder refuses to build with a value left unset, and names it. */
  @Test
  void build_valueLeftUnset_failsNamingIt() {
    assertThatThrownBy(() -> EdgechatConfig.Http.builder().port(8080).instances(1).maxBodyBytes(4096).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Http.host is not set");
  }
}
