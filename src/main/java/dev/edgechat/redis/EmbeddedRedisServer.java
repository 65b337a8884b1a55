package dev.edgechat.redis;

import dev.edgechat.config.Artifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * A real Redis 6.2 started from the binaries in the jar (codemonstur embedded-redis), for role
 * {@code all} when no Redis URL is configured. It listens on loopback only and keeps an
 * append-only file in its data folder, so the cache survives restarts. Blocks: use a worker thread.
 */
public final class EmbeddedRedisServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisServer.class);

  private final RedisServer server;
  private final int port;

  private EmbeddedRedisServer(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts Redis on {@code port} (0: a free one) with its files in {@code dataDir}.
   *
   * @param evictionPolicy {@code allkeys-lru} for a cache, {@code noeviction} for a queue
   */
  public static EmbeddedRedisServer start(Path dataDir, int port, String evictionPolicy, String maxMemory) {
    Artifact.requireEmbedded("Redis", "redis.embedded.RedisServer");
    try {
      Files.createDirectories(dataDir);
      int chosen = port > 0 ? port : freePort();
      RedisServer server = RedisServer.newRedisServer()
          .bind("127.0.0.1")
          .port(chosen)
          .setting("dir " + dataDir.toAbsolutePath())
          .setting("appendonly yes")
          .setting("maxmemory " + maxMemory)
          .setting("maxmemory-policy " + evictionPolicy)
          .setting("protected-mode yes")
          .onShutdownForceStop(true)
          .build();
      server.start();
      LOG.info("embedded Redis started [port: {}, data: {}, policy: {}]", chosen, dataDir.toAbsolutePath(),
          evictionPolicy);
      return new EmbeddedRedisServer(server, chosen);
    } catch (IOException e) {
      throw new UncheckedIOException("embedded Redis did not start [data: " + dataDir.toAbsolutePath() + "]", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  public URI url() {
    return URI.create("redis://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (IOException e) {
      LOG.warn("embedded Redis did not stop cleanly", e);
    }
  }
}
