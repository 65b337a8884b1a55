package dev.edgechat.topology;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SseClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.lang.ref.Reference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The image as the Dockerfile builds it, and every role started from it. {@code scripts/build-image.sh
 * --prebuilt} turns the slim jar that {@code mvn package} made into {@code target/image} (jlink'd runtime,
 * jar, edge-config, {@code bin/edgechat}); each role then runs as the container would run it,
 * {@code bin/edgechat <role>}, configured only by its environment, in a folder and with a home of its own,
 * against Debian's Postgres 15 (primary and streaming replica) and Redis, started as the topology starts
 * them (hence this package). Each role must answer {@code /readyz} with 200 and, on SIGTERM, stop in time.
 * Sizes, each role's time to ready and resident memory go to {@code target/slim-image.txt}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlimImageIT {

  private static final long MB = 1_000_000;
  private static final long SLIM_JAR_AIM = 100 * MB;
  private static final long IMAGE_AIM = 200 * MB;
  /** debian:bookworm-slim for linux/amd64 unpacked, the Dockerfile's base ({@code docker images}: 74.8 MB). */
  private static final long BASE_IMAGE = 75 * MB;
  private static final Path TARGET = Path.of("target").toAbsolutePath();
  private static final Path IMAGE = TARGET.resolve("image");
  private static final Path ENTRYPOINT = IMAGE.resolve("bin/edgechat");
  private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
  /** http.drainTimeoutMs and queue.drainTimeoutMs (10 s each) and a margin. */
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);
  /** The Dockerfile's, as the image's ENV sets it. */
  private static final String JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError";
  /** What a role may inherit from the test's environment: nothing of edgechat's. */
  private static final List<String> INHERITED = List.of("PATH", "LANG", "LC_ALL", "TZ");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1))
      .version(HttpClient.Version.HTTP_1_1).build();

  private static Properties sizes;
  private static Path work;
  private static final List<ImageRole> started = new ArrayList<>();
  private static final List<String> report = new ArrayList<>();

  @BeforeAll
  static void buildImage() throws Exception {
    work = Files.createTempDirectory("edgechat-slim-image-");
    // the postgres user (Postgres runs as it when the tests run as root) must pass through
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path log = TARGET.resolve("build-image.log");
    Process build = new ProcessBuilder("bash", "scripts/build-image.sh", "--prebuilt").redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    assertThat(build.waitFor(10, TimeUnit.MINUTES)).as("build-image.sh finished in 10 min").isTrue();
    assertThat(build.exitValue()).as("build-image.sh%s", OsCommand.tail(log)).isZero();
    sizes = new Properties();
    try (InputStream in = Files.newInputStream(TARGET.resolve("image-sizes.properties"))) {
      sizes.load(in);
    }
    report.add("sizes: slim jar " + mb("jar.bytes") + ", runtime " + mb("runtime.bytes") + ", image folder "
        + mb("image.bytes") + ", as a tar " + mb("tar.bytes") + ", gzipped " + mb("tar.gz.bytes")
        + "; developer's jar " + String.format("%.1f MB", Files.size(TARGET.resolve("edgechat.jar")) / 1e6));
    report.add("modules: " + sizes.getProperty("modules"));
  }

  @AfterAll
  static void stopAndReport() throws IOException {
    for (ImageRole role : started) {
      role.process.destroyForcibly();
    }
    Files.write(TARGET.resolve("slim-image.txt"), report, StandardCharsets.UTF_8);
    report.forEach(System.out::println);
    try (Stream<Path> tree = Files.walk(work)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** Verifies that every native library in the slim jar is for Linux x86-64, and that no database binary or bench is. */
  @Test
  @Order(1)
  void slimJar_holdsLinuxX8664NativesOnlyAndNoEmbeddedDatabases() throws IOException {
    List<String> natives = new ArrayList<>();
    List<String> unwanted = new ArrayList<>();
    try (ZipFile jar = new ZipFile(IMAGE.resolve("lib/edgechat.jar").toFile())) {
      for (ZipEntry entry : jar.stream().toList()) {
        String name = entry.getName();
        if (name.matches(".*\\.(so|dll|dylib|jnilib|exe|a)$")) {
          natives.add(name);
        }
        if (name.matches("postgres-.*\\.txz|redis-server-.*|io/zonky/.*|redis/embedded/.*|dev/edgechat/bench/.*")) {
          unwanted.add(name);
        }
      }
    }

    assertThat(unwanted).isEmpty();
    assertThat(natives).containsExactlyInAnyOrder(
        "ai/onnxruntime/native/linux-x64/libonnxruntime.so",
        "ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so",
        "native/lib/linux-x86_64/cpu/libtokenizers.so",
        "com/sun/jna/linux-x86-64/libjnidispatch.so",
        "META-INF/native/libnetty_transport_native_epoll_x86_64.so",
        // jvector's vector code for Java 22 and later: the image's Java 17 never loads it
        "META-INF/versions/22/libjvector.so");
  }

  /** Verifies the aims of issue 15: a jar of at most 100 MB, an image (base and folder) of at most 200 MB. */
  @Test
  @Order(2)
  void image_meetsTheSizeAims() {
    assertThat(bytes("jar.bytes")).isLessThanOrEqualTo(SLIM_JAR_AIM);
    assertThat(BASE_IMAGE + bytes("tar.bytes")).as("debian:bookworm-slim + target/image").isLessThanOrEqualTo(IMAGE_AIM);
  }

  /** Verifies that role all without database URLs stops at once, saying the slim jar has no embedded databases. */
  @Test
  @Order(3)
  void all_withoutDatabaseUrls_failsNamingTheSettings() {
    ImageRole all = ImageRole.launch("all-embedded", List.of("all"), Map.of());

    assertThat(all.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
    assertThat(all.output()).contains("not in this artifact", "EDGECHAT_POSTGRES_URL", "EDGECHAT_REDIS_URL")
        .doesNotContain("Exception");
  }

  /** Verifies that the bench, left out of the slim jar, says so and where it is instead of failing with a stack trace. */
  @Test
  @Order(4)
  void bench_isNotInTheSlimJar() {
    ImageRole bench = ImageRole.launch("bench", List.of("bench", "--help"), Map.of());

    assertThat(bench.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
    assertThat(bench.output()).contains("bench is not in this artifact", "edgechat.jar").doesNotContain("Exception");
  }

  /**
   * Verifies that sim, origin, worker and edge start from the image against real Postgres and Redis, answer a
   * chat through the edge (the ONNX Runtime and tokenizer natives load in origin, worker and edge), and stop
   * on SIGTERM; then role all with URLs, alone.
   */
  @Test
  @Order(5)
  void roles_startFromTheImageAnswerAndStopOnSigterm(Vertx vertx) {
    Optional<String> missing = ServiceBinaries.missing();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped: " + missing.orElse(""));
    ServiceBinaries binaries = ServiceBinaries.find();
    try (PostgresCluster postgres = PostgresCluster.start(work.resolve("postgres"), binaries);
        RedisServerProcess redis = RedisServerProcess.start("cache", work.resolve("redis"), binaries, "allkeys-lru",
            "128mb");
        RedisServerProcess queue = RedisServerProcess.start("queue", work.resolve("queue-redis"), binaries,
            "noeviction", "128mb")) {
      String edgeToken = "edge-token-slim-image";
      String adminToken = "admin-token-slim-image";

      ImageRole sim = ImageRole.launch("sim", List.of("sim"), Map.of()).awaitReady();
      Map<String, String> databases = Map.of(
          "EDGECHAT_POSTGRES_URL", postgres.primaryUrl().toString(),
          "EDGECHAT_POSTGRES_REPLICA_URLS", postgres.replicaUrl().toString(),
          "EDGECHAT_REDIS_URL", redis.url().toString(),
          "EDGECHAT_QUEUE_REDIS_URL", queue.url().toString());
      ImageRole origin = ImageRole.launch("origin", List.of("origin"), with(databases,
          "EDGECHAT_EDGE_TOKEN", edgeToken, "EDGECHAT_ADMIN_TOKEN", adminToken,
          "EDGECHAT_LLM_BASE_URL", sim.url().resolve("/v1").toString(), "EDGECHAT_LLM_API_KEY", "sim")).awaitReady();
      ImageRole worker = ImageRole.launch("worker", List.of("worker"), with(databases,
          "EDGECHAT_ORIGIN_URL", origin.url().toString(), "EDGECHAT_EDGE_TOKEN", edgeToken)).awaitReady();
      // worker embeds the documents with the local model: ONNX Runtime and the tokenizer load from the jar
      new DemoSiteUpload(origin.url(), adminToken).upload(Duration.ofMinutes(3));
      ImageRole edge = ImageRole.launch("edge", List.of("edge"), Map.of("EDGECHAT_ORIGIN_URL", origin.url().toString(),
          "EDGECHAT_EDGE_TOKEN", edgeToken, "EDGECHAT_REDIS_URL", redis.url().toString())).awaitReady();

      SseClient.Answer answer = chat(vertx, edge, "How do I reset my password?");
      assertThat(answer.status()).isEqualTo(200);
      assertThat(answer.named("token")).as(answer.raw()).isNotEmpty();
      assertThat(answer.events().get(answer.events().size() - 1).event()).as(answer.raw()).isEqualTo("done");

      for (ImageRole role : List.of(edge, worker, origin, sim)) {
        role.stopAndCheck();
      }

      Map<String, String> allUrls = new LinkedHashMap<>(databases);
      allUrls.remove("EDGECHAT_POSTGRES_REPLICA_URLS");
      ImageRole all = ImageRole.launch("all", List.of("all"), allUrls).awaitReady();
      SseClient.Answer fromAll = chat(vertx, all, "Is there a student discount?");
      assertThat(fromAll.status()).isEqualTo(200);
      all.stopAndCheck();
    }
  }

  private static SseClient.Answer chat(Vertx vertx, ImageRole role, String question) {
    SseClient client = new SseClient(vertx, role.port);
    SseClient.Answer answer = client.chat(new JsonObject().put("site", "demo").put("message", question)).await();
    // Vert.x closes an HTTP client that is no longer reachable, its pool too: not while the answer streams
    Reference.reachabilityFence(client);
    return answer;
  }

  private static Map<String, String> with(Map<String, String> base, String... pairs) {
    Map<String, String> env = new LinkedHashMap<>(base);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private static long bytes(String key) {
    return Long.parseLong(sizes.getProperty(key));
  }

  private static String mb(String key) {
    return String.format("%.1f MB", bytes(key) / 1e6);
  }

  /**
   * One {@code bin/edgechat …} from the image, as a container runs it: its environment only what it is given
   * (and PATH, locale), its own working folder and home, output in {@code output.log} there.
   */
  private static final class ImageRole {

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    private final long startedNanos;

    private ImageRole(String name, int port, Process process, Path log, long startedNanos) {
      this.name = name;
      this.port = port;
      this.process = process;
      this.log = log;
      this.startedNanos = startedNanos;
    }

    static ImageRole launch(String name, List<String> arguments, Map<String, String> environment) {
      Path dir = work.resolve(name);
      Path log = dir.resolve("output.log");
      int port = LoopbackPorts.free();
      List<String> command = new ArrayList<>(RoleProcess.ownSession());
      command.add(ENTRYPOINT.toString());
      command.addAll(arguments);
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).redirectInput(Redirect.from(Path.of("/dev/null").toFile()));
      Map<String, String> env = builder.environment();
      env.clear();
      INHERITED.forEach(key -> {
        String value = System.getenv(key);
        if (value != null) {
          env.put(key, value);
        }
      });
      env.put("HOME", dir.resolve("home").toString());
      env.put("EDGECHAT_DATA_DIR", dir.resolve("data").toString());
      env.put("EDGECHAT_HTTP_HOST", "127.0.0.1");
      env.put("EDGECHAT_HTTP_PORT", String.valueOf(port));
      env.put("EDGECHAT_REGION", "ord");
      env.put("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS);
      env.putAll(environment);
      try {
        Files.createDirectories(dir.resolve("home"));
        long begin = System.nanoTime();
        ImageRole role = new ImageRole(name, port, builder.start(), log, begin);
        started.add(role);
        return role;
      } catch (IOException e) {
        throw new UncheckedIOException("could not start " + command, e);
      }
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + port);
    }

    /** Waits for {@code /readyz} 200 and records the time since launch and the resident memory then. */
    ImageRole awaitReady() {
      HttpRequest readyz = HttpRequest.newBuilder(url().resolve("/readyz")).timeout(Duration.ofSeconds(2)).build();
      long deadline = startedNanos + READY_TIMEOUT.toNanos();
      while (true) {
        assertThat(process.isAlive()).as("%s is running%s", name, OsCommand.tail(log)).isTrue();
        try {
          if (HTTP.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
            long readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            report.add(String.format("%-7s ready in %5d ms, VmRSS %4d MiB", name, readyMs, rssKb() / 1024));
            return this;
          }
        } catch (IOException e) {
          // not listening yet
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted while waiting for " + name, e);
        }
        assertThat(System.nanoTime()).as("%s ready within %s%s", name, READY_TIMEOUT, OsCommand.tail(log))
            .isLessThan(deadline);
        OsCommand.sleep(100);
      }
    }

    /**
     * SIGTERM, then checks that it exits within the grace a deployment gives (fly.toml's kill_timeout) and
     * cleanly: 0, or 143 (128 + SIGTERM), which a JVM returns after its shutdown hooks ran to their end.
     */
    void stopAndCheck() {
      long begin = System.nanoTime();
      process.destroy();
      int exit = awaitExit(STOP_GRACE);
      long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
      report.add(String.format("%-7s stopped in %5d ms, exit %d", name, stopMs, exit));
      assertThat(exit).as("%s's exit after SIGTERM%s", name, OsCommand.tail(log)).isIn(0, 143);
      // drained, then stopped in full (Main logs both around the role's teardown)
      assertThat(output()).as("%s's log", name).contains("draining [role: " + name + ",")
          .contains("stopped [role: " + name + ",").doesNotContain("did not finish cleanly");
    }

    /** Its exit code; fails when it is still running after {@code timeout}. */
    int awaitExit(Duration timeout) {
      boolean exited = OsCommand.awaitExit(process, (int) timeout.toSeconds());
      assertThat(exited).as("%s exited within %s%s", name, timeout, OsCommand.tail(log)).isTrue();
      return process.exitValue();
    }

    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    long rssKb() {
      try (Stream<String> lines = Files.lines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
        return lines.filter(line -> line.startsWith("VmRSS:")).findFirst()
            .map(line -> Long.parseLong(line.substring("VmRSS:".length()).replace("kB", "").trim())).orElse(-1L);
      } catch (IOException e) {
        return -1;
      }
    }
  }
}
