package dev.edgechat.widget;

import com.aayushatharva.brotli4j.Brotli4jLoader;
import com.aayushatharva.brotli4j.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The widget's build step: turns {@code src/main/resources/widget} into what the jar serves. Maven
 * runs it in {@code process-classes} (exec-maven-plugin), after closure-compiler-maven-plugin has
 * minified every {@code .js} into {@code target/widget-min}; it never runs in the server.
 *
 * <p>Design note. For each file of the (flat) source folder, in this order:
 * <ol>
 *   <li>content: the minified JavaScript for {@code .js}; any other file as it is (an HTML page or
 *       style sheet of the widget is small, brotli takes most of what a second minifier would, and
 *       whitespace in HTML is not always safe to drop);</li>
 *   <li>placeholders: {@code __EDGECHAT_<ID>__} becomes the served name of the widget file with that
 *       ID, the file's name without extension and without an {@code edgechat-} prefix, upper case,
 *       other characters as {@code _} ({@code __EDGECHAT_UI__} is {@code edgechat-ui.js},
 *       {@code __EDGECHAT_FRAME__} would be {@code frame.html}); an unknown ID fails the build;
 *       {@code __EDGECHAT_SHELL__} is the widget's shell hash (16 hex of SHA-256 over the name and
 *       bytes of every file that does not hold it), which changes with any other file: a service
 *       worker names its cache with it, so a release installs a new worker;</li>
 *   <li>name: {@code <base>.<first 16 hex of SHA-256>.<ext>} of the bytes after step 2, unless the
 *       file is stable (the loader, a service worker: named by pages or browsers, their URL must not
 *       change). Hashing after replacing makes a name change whenever a file it names changes; hashed
 *       files that name each other in a cycle cannot be hashed and fail the build;</li>
 *   <li>copies: gzip (level 9) and brotli (quality 11), each written only when smaller.</li>
 * </ol>
 * Everything goes to {@code <classes>/widget/} (emptied first, so renamed files do not linger in
 * the jar) with the index {@value WidgetManifest#RESOURCE}. The server only reads: no minifying,
 * hashing or compressing at startup, and the tests serve the very bytes the jar carries.
 */
public final class WidgetBuild {

  private static final Pattern PLACEHOLDER = Pattern.compile("__EDGECHAT_([A-Z0-9_]+)__");
  private static final String SHELL = "SHELL";
  private static final Set<String> TEXT = Set.of("js", "mjs", "html", "css", "json", "svg", "txt", "webmanifest");

  private final Path sources;
  private final Path minified;
  private final Set<String> stableNames;
  private final Map<String, byte[]> contents = new TreeMap<>();
  private final Map<String, String> byId = new HashMap<>();
  private final Map<String, byte[]> resolved = new HashMap<>();
  private final Map<String, String> servedNames = new HashMap<>();
  private String shellHash;

  /**
   * @param sources the widget's source folder
   * @param minified where the minifier wrote each {@code .js} of {@code sources}, under the same name
   * @param stableNames files served under their own name instead of a content-hashed one, where they exist
   */
  WidgetBuild(Path sources, Path minified, Set<String> stableNames) {
    this.sources = Objects.requireNonNull(sources);
    this.minified = Objects.requireNonNull(minified);
    this.stableNames = Set.copyOf(stableNames);
  }

  /** {@code WidgetBuild <source folder> <minified folder> <classes folder> <stable names, comma-separated>} */
  public static void main(String[] args) throws IOException {
    if (args.length != 4) {
      throw new IllegalArgumentException(
          "usage: WidgetBuild <source folder> <minified folder> <classes folder> <stable names, comma-separated>");
    }
    Set<String> stable = Arrays.stream(args[3].split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.toSet());
    WidgetManifest manifest = new WidgetBuild(Path.of(args[0]), Path.of(args[1]), stable).writeTo(Path.of(args[2]));
    for (WidgetManifest.Entry e : manifest.assets()) {
      System.out.printf("[widget] %-24s -> %-40s source %6d B, served %6d B, gzip %6d B, br %6d B%n",
          e.source(), e.name(), e.sourceBytes(), e.servedBytes(), e.gzipBytes(), e.brBytes());
    }
  }

  /** Builds every widget file into {@code classes}; fails naming the file and the reason. */
  WidgetManifest writeTo(Path classes) throws IOException {
    contents.clear();
    byId.clear();
    resolved.clear();
    servedNames.clear();
    shellHash = null;
    readSources();
    for (String name : contents.keySet()) {
      resolve(name, new ArrayDeque<>());
    }
    Path out = classes.resolve(WidgetManifest.FOLDER);
    emptyFolder(out);
    List<WidgetManifest.Entry> entries = new ArrayList<>();
    for (String name : contents.keySet()) {
      entries.add(write(out, name));
    }
    WidgetManifest manifest = new WidgetManifest(entries);
    Files.writeString(classes.resolve(WidgetManifest.RESOURCE), manifest.toJson().encodePrettily());
    return manifest;
  }

  private void readSources() throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(sources)) {
      files = list.sorted().toList();
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (name.startsWith(".")) {
        continue; // .DS_Store, .gitkeep and the like are no part of the widget
      }
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException("widget: " + file + " is not a file (the widget's folder is flat)");
      }
      String id = id(name);
      if (id.equals(SHELL)) {
        throw new IllegalStateException("widget: " + name + " would have the placeholder __EDGECHAT_SHELL__, which "
            + "stands for the shell hash: rename it");
      }
      String clash = byId.put(id, name);
      if (clash != null) {
        throw new IllegalStateException("widget: " + clash + " and " + name + " would share the placeholder __EDGECHAT_"
            + id + "__: rename one");
      }
      contents.put(name, name.endsWith(".js") ? minifiedOf(file, name) : Files.readAllBytes(file));
    }
  }

  private byte[] minifiedOf(Path source, String name) throws IOException {
    Path min = minified.resolve(name);
    if (!Files.isRegularFile(min)) {
      throw new IllegalStateException("widget: " + min + " is missing: closure-compiler-maven-plugin "
          + "(process-resources) minifies every widget .js before this step");
    }
    if (Files.getLastModifiedTime(min).compareTo(Files.getLastModifiedTime(source)) < 0) {
      throw new IllegalStateException("widget: " + min + " is older than " + source + ": run the minifier again");
    }
    return Files.readAllBytes(min);
  }

  /** Replaces the placeholders in {@code name} and gives it its served name, after the files it names. */
  private String resolve(String name, Deque<String> naming) {
    String done = servedNames.get(name);
    if (done != null) {
      return done;
    }
    if (naming.contains(name)) {
      List<String> cycle = new ArrayList<>(naming);
      Collections.reverse(cycle);
      throw new IllegalStateException("widget: content-hashed files name each other in a cycle: "
          + String.join(" -> ", cycle) + " -> " + name + " (make one of them stable)");
    }
    naming.push(name);
    byte[] bytes = contents.get(name);
    if (TEXT.contains(extension(name))) {
      bytes = replacePlaceholders(name, new String(bytes, StandardCharsets.UTF_8), naming)
          .getBytes(StandardCharsets.UTF_8);
    }
    naming.pop();
    String served = stableNames.contains(name) ? name : WidgetManifest.hashedName(name, bytes);
    resolved.put(name, bytes);
    servedNames.put(name, served);
    return served;
  }

  private String replacePlaceholders(String name, String text, Deque<String> naming) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      if (m.group(1).equals(SHELL)) {
        m.appendReplacement(out, shellHash(naming));
        continue;
      }
      String target = byId.get(m.group(1));
      if (target == null) {
        throw new IllegalStateException("widget: " + name + " has the placeholder " + m.group()
            + ", which names no widget file (IDs: " + new TreeMap<>(byId).keySet() + ")");
      }
      String served = stableNames.contains(target) ? target : resolve(target, naming);
      m.appendReplacement(out, Matcher.quoteReplacement(served));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The hash over the served name and bytes of every file that does not hold the shell placeholder. */
  private String shellHash(Deque<String> naming) {
    if (shellHash == null) {
      ByteArrayOutputStream shell = new ByteArrayOutputStream();
      for (String name : contents.keySet()) {
        if (!holdsShell(name)) {
          shell.writeBytes((resolve(name, naming) + "\n").getBytes(StandardCharsets.UTF_8));
          shell.writeBytes(resolved.get(name));
        }
      }
      shellHash = WidgetManifest.sha256(shell.toByteArray()).substring(0, 16);
    }
    return shellHash;
  }

  private boolean holdsShell(String name) {
    return TEXT.contains(extension(name))
        && new String(contents.get(name), StandardCharsets.UTF_8).contains("__EDGECHAT_" + SHELL + "__");
  }

  private WidgetManifest.Entry write(Path out, String name) throws IOException {
    byte[] bytes = resolved.get(name);
    String served = servedNames.get(name);
    Files.write(out.resolve(served), bytes);
    byte[] br = brotli(bytes, TEXT.contains(extension(name)));
    byte[] gz = gzip(bytes);
    List<String> encodings = new ArrayList<>();
    if (br.length < bytes.length) {
      Files.write(out.resolve(WidgetManifest.encodedName(served, "br")), br);
      encodings.add("br");
    }
    if (gz.length < bytes.length) {
      Files.write(out.resolve(WidgetManifest.encodedName(served, "gzip")), gz);
      encodings.add("gzip");
    }
    return new WidgetManifest.Entry(name, served, stableNames.contains(name), encodings,
        Files.size(sources.resolve(name)), bytes.length, encodings.contains("gzip") ? gz.length : 0,
        encodings.contains("br") ? br.length : 0);
  }

  /** The placeholder ID of a widget file: {@code edgechat-ui.js} → {@code UI}, {@code frame.html} → {@code FRAME}. */
  static String id(String name) {
    int dot = name.lastIndexOf('.');
    String base = dot > 0 ? name.substring(0, dot) : name;
    if (base.startsWith("edgechat-")) {
      base = base.substring("edgechat-".length());
    }
    return base.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out) {
      {
        def.setLevel(Deflater.BEST_COMPRESSION);
      }
    }) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static byte[] brotli(byte[] bytes, boolean text) {
    Brotli4jLoader.ensureAvailability();
    try {
      return Encoder.compress(bytes, new Encoder.Parameters().setQuality(11).setWindow(22)
          .setMode(text ? Encoder.Mode.TEXT : Encoder.Mode.GENERIC));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void emptyFolder(Path folder) throws IOException {
    if (Files.isDirectory(folder)) {
      try (Stream<Path> walk = Files.walk(folder)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(folder);
  }
}
