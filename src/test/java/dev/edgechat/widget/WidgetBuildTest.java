package dev.edgechat.widget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The widget's build step on small made-up widgets: placeholders, hashed and stable names, copies, failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WidgetBuildTest {

  private static final Set<String> STABLE = Set.of("edgechat.js", "frame.html", "sw.js");

  @TempDir
  Path dir;

  private Path sources() throws IOException {
    return Files.createDirectories(dir.resolve("src"));
  }

  /** Writes a source file and, for .js, its "minified" twin (here the same text: minifying is closure's job). */
  private void source(String name, String text) throws IOException {
    Files.writeString(sources().resolve(name), text);
    if (name.endsWith(".js")) {
      Path min = Files.createDirectories(dir.resolve("min")).resolve(name);
      Files.writeString(min, text);
      Files.setLastModifiedTime(min, FileTime.from(Instant.now().plusSeconds(1)));
    }
  }

  private WidgetManifest build() throws IOException {
    return new WidgetBuild(sources(), dir.resolve("min"), STABLE).writeTo(dir.resolve("classes"));
  }

  private String served(String name) throws IOException {
    return Files.readString(dir.resolve("classes").resolve(WidgetManifest.FOLDER).resolve(name));
  }

  private static Map<String, WidgetManifest.Entry> bySource(WidgetManifest manifest) {
    return manifest.assets().stream().collect(Collectors.toMap(WidgetManifest.Entry::source, e -> e, (a, b) -> a,
        TreeMap::new));
  }

  /**
   * Verifies that placeholders become served names along a chain (loader → panel → UI), each hashed
   * file named by the hash of its bytes after replacing, stable files under their own names, dot files left out.
   */
  @Test
  void writeTo_placeholdersChain_hashedAfterReplacing() throws IOException {
    String filler = "/* a widget file long enough that its compressed copies are smaller */ ".repeat(20);
    source("edgechat.js", "load('__EDGECHAT_PANEL__');register('__EDGECHAT_SW__');" + filler);
    source("panel.html", "<!doctype html><script src=\"__EDGECHAT_UI__\"></script>" + filler);
    source("edgechat-ui.js", "window.__edgechatUI = 1;" + filler);
    source("sw.js", "self.addEventListener('fetch', () => {});" + filler);
    Files.writeString(sources().resolve(".DS_Store"), "not the widget's");

    Map<String, WidgetManifest.Entry> entries = bySource(build());

    assertThat(entries).containsOnlyKeys("edgechat.js", "panel.html", "edgechat-ui.js", "sw.js");

    WidgetManifest.Entry ui = entries.get("edgechat-ui.js");
    WidgetManifest.Entry panel = entries.get("panel.html");
    assertThat(ui.name()).matches("edgechat-ui\\.[0-9a-f]{16}\\.js").isEqualTo(
        WidgetManifest.hashedName("edgechat-ui.js", served(ui.name()).getBytes(StandardCharsets.UTF_8)));
    assertThat(panel.name()).matches("panel\\.[0-9a-f]{16}\\.html");
    assertThat(served(panel.name())).contains("src=\"" + ui.name() + "\"").doesNotContain("__EDGECHAT_");
    assertThat(panel.name()).isEqualTo(
        WidgetManifest.hashedName("panel.html", served(panel.name()).getBytes(StandardCharsets.UTF_8)));
    assertThat(entries.get("edgechat.js").name()).isEqualTo("edgechat.js");
    assertThat(entries.get("edgechat.js").stable()).isTrue();
    assertThat(served("edgechat.js")).contains("load('" + panel.name() + "')").contains("register('sw.js')");
    assertThat(entries.get("sw.js").name()).isEqualTo("sw.js");
    assertThat(served(ui.name())).contains("window.__edgechatUI = 1;");
  }

  /** Verifies that a change in the UI renames the page that names it too, while the stable loader keeps its name. */
  @Test
  void writeTo_changedDependency_renamesItsDependents() throws IOException {
    source("edgechat.js", "load('__EDGECHAT_PANEL__');");
    source("panel.html", "<script src=\"__EDGECHAT_UI__\"></script>");
    source("edgechat-ui.js", "one();");
    Map<String, WidgetManifest.Entry> before = bySource(build());
    source("edgechat-ui.js", "two();");
    Map<String, WidgetManifest.Entry> after = bySource(build());

    assertThat(after.get("edgechat-ui.js").name()).isNotEqualTo(before.get("edgechat-ui.js").name());
    assertThat(after.get("panel.html").name()).isNotEqualTo(before.get("panel.html").name());
    assertThat(after.get("edgechat.js").name()).isEqualTo("edgechat.js");
    // the folder is rebuilt from scratch: no file of the previous build lingers in the jar
    try (Stream<Path> files = Files.list(dir.resolve("classes").resolve(WidgetManifest.FOLDER))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.startsWith(before.get("edgechat-ui.js").name()))
          .noneMatch(n -> n.startsWith(before.get("panel.html").name()));
    }
  }

  /**
   * Verifies the copies: gzip and brotli decode to the served bytes, are written only when smaller,
   * and the index on the classpath lists what was written with its sizes.
   */
  @Test
  void writeTo_copiesOnlyWhenSmaller_indexListsThem() throws IOException {
    String big = "const answer = 'the same words again and again'; ".repeat(50);
    source("edgechat.js", big);
    source("tiny.txt", "x");
    Map<String, WidgetManifest.Entry> entries = bySource(build());

    WidgetManifest.Entry loader = entries.get("edgechat.js");
    assertThat(loader.encodings()).containsExactly("br", "gzip");
    assertThat(gunzip(dir.resolve("classes/widget/edgechat.js.gz"))).isEqualTo(big);
    assertThat(loader.gzipBytes()).isEqualTo(Files.size(dir.resolve("classes/widget/edgechat.js.gz")));
    assertThat(loader.brBytes()).isEqualTo(Files.size(dir.resolve("classes/widget/edgechat.js.br")))
        .isLessThan(loader.servedBytes());
    assertThat(loader.sourceBytes()).isEqualTo(big.length());
    WidgetManifest.Entry tiny = entries.get("tiny.txt");
    assertThat(tiny.encodings()).isEmpty();
    assertThat(dir.resolve("classes/widget/" + tiny.name() + ".gz")).doesNotExist();
    WidgetManifest index = WidgetManifest.fromJson(new JsonObject(Buffer.buffer(
        Files.readAllBytes(dir.resolve("classes").resolve(WidgetManifest.RESOURCE)))));
    assertThat(bySource(index)).isEqualTo(entries);
  }

  /**
   * Verifies the shell hash: the same for the same widget, new when any other file changes (here the
   * stable frame), and no file may take SHELL as its placeholder ID.
   */
  @Test
  void writeTo_shellHash_changesWithAnyOtherFile() throws IOException {
    source("edgechat.js", "frame('/widget/frame.html');");
    source("frame.html", "<script src=\"/widget/__EDGECHAT_UI__\"></script>");
    source("edgechat-ui.js", "ui();");
    source("sw.js", "const SHELL = 'shell-__EDGECHAT_SHELL__'; const FILES = ['/widget/__EDGECHAT_UI__'];");
    build();
    String first = served("sw.js");
    build();
    assertThat(served("sw.js")).isEqualTo(first).matches("const SHELL = 'shell-[0-9a-f]{16}'; .*");
    source("frame.html", "<script src=\"/widget/__EDGECHAT_UI__\" defer></script>");
    build();
    assertThat(served("sw.js")).isNotEqualTo(first);
    assertThat(served("frame.html")).doesNotContain("__EDGECHAT_");

    source("shell.js", "x();");
    assertThatThrownBy(this::build).hasMessageContaining("shell.js").hasMessageContaining("__EDGECHAT_SHELL__");
  }

  /** Verifies that a placeholder naming no widget file fails the build, naming the file and the placeholder. */
  @Test
  void writeTo_unknownPlaceholder_fails() throws IOException {
    source("edgechat.js", "load('__EDGECHAT_FRAEM__');");
    assertThatThrownBy(this::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("edgechat.js").hasMessageContaining("__EDGECHAT_FRAEM__");
  }

  /** Verifies that hashed files naming each other in a cycle fail the build, the cycle spelled out. */
  @Test
  void writeTo_hashCycle_fails() throws IOException {
    source("edgechat.js", "load('__EDGECHAT_A__');");
    source("a.html", "<a href=\"__EDGECHAT_B__\"></a>");
    source("b.html", "<a href=\"__EDGECHAT_A__\"></a>");
    assertThatThrownBy(this::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a.html -> b.html -> a.html");
  }

  /** Verifies that a .js without its minified twin, or with an older one, fails instead of shipping stale code. */
  @Test
  void writeTo_missingOrStaleMinified_fails() throws IOException {
    source("edgechat.js", "a();");
    Files.writeString(sources().resolve("edgechat-ui.js"), "b();");
    assertThatThrownBy(this::build).hasMessageContaining("edgechat-ui.js is missing");
    Files.writeString(dir.resolve("min/edgechat-ui.js"), "b();");
    Files.setLastModifiedTime(dir.resolve("min/edgechat-ui.js"), FileTime.from(Instant.now().minusSeconds(60)));
    assertThatThrownBy(this::build).hasMessageContaining("is older than");
  }

  /** Verifies the placeholder IDs: base name without extension and edgechat- prefix, upper case; clashes fail. */
  @Test
  void id_fromFileName_clashesFail() throws IOException {
    assertThat(WidgetBuild.id("edgechat-ui.js")).isEqualTo("UI");
    assertThat(WidgetBuild.id("frame.html")).isEqualTo("FRAME");
    assertThat(WidgetBuild.id("offline-page.css")).isEqualTo("OFFLINE_PAGE");
    source("frame.html", "");
    source("frame.js", "");
    assertThatThrownBy(this::build).hasMessageContaining("frame.html").hasMessageContaining("frame.js")
        .hasMessageContaining("__EDGECHAT_FRAME__");
  }

  private static String gunzip(Path file) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(file)))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
