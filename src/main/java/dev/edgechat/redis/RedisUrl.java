package dev.edgechat.redis;

import dev.edgechat.config.ConnectionTls;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.redis.client.RedisOptions;
import java.net.URI;

/**
 * Client options for a {@code redis://} or {@code rediss://} URL. A {@code rediss://} URL connects
 * with TLS and checks the server's certificate as its {@code sslmode} says ({@code verify-full} unless
 * it says {@code verify-ca} or {@code require}: {@link ConnectionTls}) against its {@code sslrootcert}
 * file, else the Java runtime's authorities. The Vert.x client reads the rest of the URL ({@code
 * db}, {@code user}, {@code password}); the TLS parameters are taken out before it sees them.
 */
public final class RedisUrl {

  private RedisUrl() {
  }

  /**
   * Options connecting to {@code url}, with TLS for {@code rediss://}; callers add pool sizes and
   * timeouts to them (its {@link RedisOptions#getNetClientOptions()} is its own, to change).
   *
   * @throws IllegalArgumentException naming a parameter of the URL that is unknown or bad (the
   *     settings check URLs with the same rules at start, naming the setting)
   */
  public static RedisOptions options(URI url) {
    ConnectionTls tls = ConnectionTls.ofRedis(url);
    NetClientOptions net = new NetClientOptions().setTcpKeepAlive(true).setTcpNoDelay(true);
    if (tls.requiresTls()) {
      net.setSsl(true).setHostnameVerificationAlgorithm(tls.verifiesHost() ? "HTTPS" : "");
      if (!tls.verifiesChain()) {
        net.setTrustAll(true);
      }
      tls.rootCert().ifPresent(file -> net.setTrustOptions(new PemTrustOptions()
          .addCertPath(file.toAbsolutePath().toString())));
    }
    return new RedisOptions()
        .setConnectionString(ConnectionTls.withoutTlsParameters(url))
        .setNetClientOptions(net);
  }
}
