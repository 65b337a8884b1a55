package dev.edgechat.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TLS a Postgres or Redis URL asks for, read from its {@code sslmode} and {@code sslrootcert}
 * parameters, and the check that a URL carries no parameter edgechat does not honour. The one place
 * that knows these parameters: settings validate URLs with it at start, and the clients ({@code
 * db.PostgresUrl}, {@code redis.RedisUrl}) map it onto their options, so a URL cannot mean one
 * thing to the check and another to the connection.
 *
 * <p>Design note: the modes and their meaning are libpq's, so a URL copied from a Postgres
 * provider means here what it means to {@code psql}: {@code require} encrypts without checking the
 * server's certificate, unless {@code sslrootcert} is given, when it checks the chain as {@code
 * verify-ca} does; {@code verify-ca} checks the chain only; {@code verify-full} checks the chain and
 * that the certificate names the host of the URL. Two differences, both stricter or explicit: the
 * default is {@code disable} (libpq's is {@code prefer}, which falls back to plain text silently and
 * doubles every connection attempt to a server that is down), and without {@code sslrootcert} the
 * verifying modes trust the Java runtime's certificate authorities (libpq reads {@code
 * ~/.postgresql/root.crt}), which is what {@code sslrootcert=system} asks for explicitly.
 *
 * @param mode what is asked of the connection
 * @param rootCert the file of certificate authorities (PEM) to trust; empty: the Java runtime's
 */
public record ConnectionTls(Mode mode, Optional<Path> rootCert) {

  /** {@code sslrootcert=system}: the Java runtime's certificate authorities. */
  static final String SYSTEM = "system";

  /** Parameters of a Postgres URL. */
  static final Set<String> POSTGRES_PARAMETERS = Set.of("sslmode", "sslrootcert");
  /**
   * Parameters of a Redis URL: the TLS ones (only with {@code rediss://}) and those the Vert.x Redis
   * client reads itself ({@code db}, {@code user}, {@code password}).
   */
  static final Set<String> REDIS_PARAMETERS = Set.of("sslmode", "sslrootcert", "db", "user", "password");
  private static final Set<String> TLS_PARAMETERS = Set.of("sslmode", "sslrootcert");

  /** The modes that never fall back to plain text. */
  private static final Set<Mode> TLS_ONLY = EnumSet.of(Mode.REQUIRE, Mode.VERIFY_CA, Mode.VERIFY_FULL);

  /** No TLS. */
  public static final ConnectionTls PLAIN = new ConnectionTls(Mode.DISABLE, Optional.empty());

  /** libpq's {@code sslmode} values. */
  public enum Mode {
    /** Plain text only. */
    DISABLE("disable"),
    /** Plain text first; TLS (unverified) if the server insists on it. */
    ALLOW("allow"),
    /** TLS (unverified) first; plain text if the server has no TLS. */
    PREFER("prefer"),
    /** TLS only; the certificate is checked only when {@code sslrootcert} is given (then as verify-ca). */
    REQUIRE("require"),
    /** TLS only; the certificate's chain must lead to a trusted authority. */
    VERIFY_CA("verify-ca"),
    /** TLS only; as verify-ca, and the certificate must name the URL's host. */
    VERIFY_FULL("verify-full");

    private final String word;

    Mode(String word) {
      this.word = word;
    }

    /** As written in a URL: {@code verify-full}. */
    public String word() {
      return word;
    }

    static Optional<Mode> of(String word) {
      for (Mode mode : values()) {
        if (mode.word.equals(word)) {
          return Optional.of(mode);
        }
      }
      return Optional.empty();
    }

    static String words(Set<Mode> modes) {
      return String.join(", ", modes.stream().sorted().map(Mode::word).toList());
    }
  }

  public ConnectionTls {
    Objects.requireNonNull(mode);
    Objects.requireNonNull(rootCert);
  }

  /** Whether the connection is encrypted only (no plain-text fallback either way). */
  public boolean requiresTls() {
    return TLS_ONLY.contains(mode);
  }

  /** Whether the server's certificate chain is checked: verify-ca, verify-full, or require with a root file. */
  public boolean verifiesChain() {
    return mode == Mode.VERIFY_CA || mode == Mode.VERIFY_FULL || mode == Mode.REQUIRE && rootCert.isPresent();
  }

  /** Whether the certificate must name the host the URL connects to (verify-full). */
  public boolean verifiesHost() {
    return mode == Mode.VERIFY_FULL;
  }

  /**
   * The TLS of a {@code postgres://} URL; default {@code disable}.
   *
   * @throws IllegalArgumentException naming the parameter that is unknown, repeated or has a bad value
   */
  public static ConnectionTls ofPostgres(URI url) {
    Map<String, String> parameters = parameters(url, POSTGRES_PARAMETERS, "Postgres");
    Optional<String> root = Optional.ofNullable(parameters.get("sslrootcert"));
    Mode mode = mode(parameters, root, Set.of(Mode.values()));
    return new ConnectionTls(mode, rootFile(root));
  }

  /**
   * The TLS of a Redis URL: none for {@code redis://}; for {@code rediss://} {@code verify-full}
   * unless {@code sslmode} says {@code verify-ca} or {@code require}.
   *
   * @throws IllegalArgumentException naming the parameter that is unknown, repeated or has a bad
   *     value, or a TLS parameter on a {@code redis://} URL
   */
  public static ConnectionTls ofRedis(URI url) {
    Map<String, String> parameters = parameters(url, REDIS_PARAMETERS, "Redis");
    Optional<String> root = Optional.ofNullable(parameters.get("sslrootcert"));
    if (!"rediss".equals(url.getScheme())) {
      for (String tls : new TreeSet<>(TLS_PARAMETERS)) {
        if (parameters.containsKey(tls)) {
          throw new IllegalArgumentException("parameter " + tls + " is for TLS, which a redis:// URL does not use;"
              + " write rediss:// for TLS");
        }
      }
      return PLAIN;
    }
    Map<String, String> withDefault = new LinkedHashMap<>(parameters);
    withDefault.putIfAbsent("sslmode", Mode.VERIFY_FULL.word());
    Mode mode = mode(withDefault, root, TLS_ONLY);
    return new ConnectionTls(mode, rootFile(root));
  }

  /**
   * {@code url} without its TLS parameters ({@code sslmode}, {@code sslrootcert}): what a client that
   * does not know them is given. Other parameters stay as written.
   */
  public static String withoutTlsParameters(URI url) {
    String text = url.toString();
    String query = url.getRawQuery();
    if (query == null) {
      return text;
    }
    String kept = String.join("&", Arrays.stream(query.split("&"))
        .filter(pair -> !TLS_PARAMETERS.contains(decode(pair.split("=", 2)[0])))
        .toList());
    int at = text.indexOf('?');
    String fragment = url.getRawFragment() == null ? "" : "#" + url.getRawFragment();
    return text.substring(0, at) + (kept.isEmpty() ? "" : "?" + kept) + fragment;
  }

  private static Mode mode(Map<String, String> parameters, Optional<String> root, Set<Mode> allowed) {
    String word = parameters.get("sslmode");
    // libpq: sslrootcert=system makes verify-full the default
    Mode mode = word == null
        ? root.filter(SYSTEM::equals).isPresent() ? Mode.VERIFY_FULL : Mode.DISABLE
        : Mode.of(word.toLowerCase(Locale.ROOT)).filter(allowed::contains)
            .orElseThrow(() -> new IllegalArgumentException("parameter sslmode: expected one of "
                + Mode.words(allowed) + ", got '" + word + "'"));
    if (root.filter(SYSTEM::equals).isPresent() && mode != Mode.VERIFY_FULL) {
      // as libpq: trusting every public authority is safe only when the host name is checked too
      throw new IllegalArgumentException("parameter sslrootcert=system needs sslmode=verify-full, got sslmode="
          + mode.word());
    }
    if (root.isPresent() && !SYSTEM.equals(root.get()) && !TLS_ONLY.contains(mode)) {
      throw new IllegalArgumentException("parameter sslrootcert is used only with sslmode require, verify-ca or"
          + " verify-full, got sslmode=" + mode.word());
    }
    return mode;
  }

  private static Optional<Path> rootFile(Optional<String> root) {
    return root.filter(r -> !SYSTEM.equals(r)).map(Path::of);
  }

  /** The URL's parameters, decoded; fails naming one that is not in {@code known}, repeated, or without a value. */
  private static Map<String, String> parameters(URI url, Set<String> known, String kind) {
    Map<String, String> out = new LinkedHashMap<>();
    String query = url.getRawQuery();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      String[] parts = pair.split("=", 2);
      String name = decode(parts[0]);
      if (!known.contains(name)) {
        throw new IllegalArgumentException("parameter " + name + " is not one edgechat honours in a " + kind
            + " URL; it honours " + String.join(", ", new TreeSet<>(known)));
      }
      if (parts.length < 2 || parts[1].isEmpty()) {
        throw new IllegalArgumentException("parameter " + name + " has no value");
      }
      if (out.put(name, decode(parts[1])) != null) {
        throw new IllegalArgumentException("parameter " + name + " is given twice");
      }
    }
    return out;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
