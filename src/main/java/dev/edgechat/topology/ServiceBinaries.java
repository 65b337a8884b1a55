package dev.edgechat.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Debian's Postgres 15 and Redis 7, as {@code scripts/install-services.sh} installs them, and how
 * to run them: Postgres refuses to run as root, so as root its programs run as the {@code postgres}
 * OS user ({@code runuser -u postgres --}) on folders that user owns.
 */
public final class ServiceBinaries {

  static final Path POSTGRES_BIN = Path.of("/usr/lib/postgresql/15/bin");
  private static final List<Path> REDIS_SERVERS = List.of(Path.of("/usr/bin/redis-server"),
      Path.of("/usr/local/bin/redis-server"));
  private static final String POSTGRES_USER = "postgres";

  private final Path postgresBin;
  private final Path redisServer;
  private final boolean root;

  private ServiceBinaries(Path postgresBin, Path redisServer, boolean root) {
    this.postgresBin = postgresBin;
    this.redisServer = redisServer;
    this.root = root;
  }

  /**
   * What is missing for a topology, in words for the operator (and for a test's skip message), or
   * empty when Postgres 15 and Redis are installed.
   */
  public static Optional<String> missing() {
    List<String> absent = new ArrayList<>();
    for (String tool : List.of("initdb", "pg_ctl", "pg_basebackup", "postgres")) {
      if (!Files.isExecutable(POSTGRES_BIN.resolve(tool))) {
        absent.add(POSTGRES_BIN.resolve(tool).toString());
      }
    }
    if (redisServerPath().isEmpty()) {
      absent.add("redis-server");
    }
    if (isRoot() && !Files.isExecutable(Path.of("/usr/sbin/runuser"))) {
      absent.add("/usr/sbin/runuser (Postgres runs as the postgres user when this runs as root)");
    }
    return absent.isEmpty() ? Optional.empty() : Optional.of("Debian's postgresql (15) and redis-server are needed: "
        + String.join(", ", absent) + " missing; scripts/install-services.sh installs them");
  }

  /** The installed binaries; fails naming what is missing. */
  static ServiceBinaries find() {
    missing().ifPresent(message -> {
      throw new TopologyException(message);
    });
    return new ServiceBinaries(POSTGRES_BIN, redisServerPath().orElseThrow(), isRoot());
  }

  private static Optional<Path> redisServerPath() {
    return REDIS_SERVERS.stream().filter(Files::isExecutable).findFirst();
  }

  private static boolean isRoot() {
    try {
      // /proc/self belongs to this process's effective user
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** A Postgres program ({@code initdb}, {@code pg_ctl} …) with its arguments, as the user Postgres runs as. */
  List<String> postgres(String program, String... args) {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(List.of("/usr/sbin/runuser", "-u", POSTGRES_USER, "--"));
    }
    command.add(postgresBin.resolve(program).toString());
    command.addAll(List.of(args));
    return command;
  }

  Path redisServer() {
    return redisServer;
  }

  /**
   * Makes {@code dir} (created if need be) the Postgres user's and checks that user can reach it: as
   * root, every folder above it must let others through.
   */
  void giveToPostgres(Path dir) {
    try {
      Files.createDirectories(dir);
      if (!root) {
        return;
      }
      for (Path above = dir.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(above));
        if (mode.charAt(8) != 'x') {
          throw new TopologyException("Postgres runs as the postgres user, which cannot reach " + dir + ": " + above
              + " is " + mode + "; choose a base folder others may pass through (e.g. under /tmp)");
        }
      }
      UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
      UserPrincipal user = users.lookupPrincipalByName(POSTGRES_USER);
      GroupPrincipal group = users.lookupPrincipalByGroupName(POSTGRES_USER);
      try (Stream<Path> tree = Files.walk(dir)) {
        for (Path p : tree.toList()) {
          PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
          view.setOwner(user);
          view.setGroup(group);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not give " + dir + " to the postgres user", e);
    }
  }
}
