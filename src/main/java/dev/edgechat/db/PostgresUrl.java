package dev.edgechat.db;

import dev.edgechat.config.ConnectionTls;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.KeyStoreException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.TrustManagerFactory;

/**
 * A {@code postgres://user:pass@host:port/db?sslmode=…&sslrootcert=…} URL, read for the reactive
 * client and for JDBC (Flyway). The TLS parameters mean what they mean to libpq ({@link
 * ConnectionTls}); both clients are given the same: the reactive client's {@code SslMode} and a trust
 * store of the {@code sslrootcert} file (or the Java runtime's authorities), pgjdbc the same
 * parameters, with {@code require} plus a root file mapped to {@code verify-ca} (pgjdbc's {@code
 * require} never checks the chain; libpq's does when given a root file).
 *
 * @param tls the URL's {@code sslmode} and {@code sslrootcert}
 */
record PostgresUrl(String host, int port, String database, String user, String password, ConnectionTls tls) {

  /**
   * @throws IllegalArgumentException naming a parameter of the URL that is unknown or bad (the
   *     settings check URLs with the same rules at start, naming the setting)
   */
  static PostgresUrl parse(URI uri) {
    String userInfo = uri.getRawUserInfo() == null ? "postgres" : uri.getRawUserInfo();
    String[] credentials = userInfo.split(":", 2);
    String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
    return new PostgresUrl(
        uri.getHost(),
        uri.getPort() > 0 ? uri.getPort() : 5432,
        path.substring(1),
        decode(credentials[0]),
        credentials.length > 1 ? decode(credentials[1]) : "",
        ConnectionTls.ofPostgres(uri));
  }

  /**
   * The JDBC URL, with the TLS parameters pgjdbc needs to do what the reactive client does. Its
   * {@code sslmode} is always written: pgjdbc's own default ({@code prefer}) is not ours.
   */
  String jdbcUrl() {
    Map<String, String> parameters = new LinkedHashMap<>();
    ConnectionTls.Mode mode = tls.mode() == ConnectionTls.Mode.REQUIRE && tls.rootCert().isPresent()
        ? ConnectionTls.Mode.VERIFY_CA
        : tls.mode();
    parameters.put("sslmode", mode.word());
    if (tls.mode() != ConnectionTls.Mode.DISABLE) {
      // no client certificate: pgjdbc would otherwise pick up ~/.postgresql/postgresql.crt, the reactive client never does
      parameters.put("sslcert", "");
      parameters.put("sslkey", "");
      tls.rootCert().ifPresentOrElse(
          file -> parameters.put("sslrootcert", file.toAbsolutePath().toString()),
          () -> {
            if (tls.verifiesChain()) {
              // the Java runtime's authorities, as the reactive client uses; the host check is pgjdbc's own (verify-full)
              parameters.put("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
            }
          });
    }
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?" + parameters.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  PgConnectOptions connectOptions() {
    PgConnectOptions options = new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .setSslMode(SslMode.of(tls.mode().word()));
    if (tls.mode() != ConnectionTls.Mode.DISABLE) {
      options.setSslOptions(sslOptions());
    }
    return options;
  }

  /** What the TLS handshake checks: the chain against the root file or the runtime's authorities; the host name in verify-full. */
  private ClientSSLOptions sslOptions() {
    ClientSSLOptions ssl = new ClientSSLOptions()
        .setHostnameVerificationAlgorithm(tls.verifiesHost() ? "HTTPS" : "");
    if (!tls.verifiesChain()) {
      return ssl.setTrustAll(true);
    }
    return ssl.setTrustOptions(tls.rootCert()
        .<TrustOptions>map(file -> new PemTrustOptions().addCertPath(file.toAbsolutePath().toString()))
        .orElseGet(PostgresUrl::runtimeAuthorities));
  }

  /** The Java runtime's trusted authorities (the reactive client wants trust options named in the verifying modes). */
  private static TrustOptions runtimeAuthorities() {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init((KeyStore) null);
      return TrustOptions.wrap(factory);
    } catch (NoSuchAlgorithmException | KeyStoreException e) {
      throw new IllegalStateException("the Java runtime's trusted authorities cannot be read", e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
