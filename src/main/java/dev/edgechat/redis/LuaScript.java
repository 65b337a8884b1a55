package dev.edgechat.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), sent whole only when Redis does not know it yet
 * (after a restart or a failover). The job queue and the abuse limits keep their scripts in these.
 */
public final class LuaScript {

  private final String source;
  private final String sha;

  public LuaScript(String source) {
    this.source = source;
    this.sha = sha1(source);
  }

  /**
   * Runs the script atomically with {@code keys} and {@code args}.
   *
   * @return the script's reply; failed as Redis failed the call (a script error, a lost connection)
   */
  public Future<Response> run(RedisAPI redis, List<String> keys, List<String> args) {
    return redis.evalsha(command(sha, keys, args)).recover(e -> {
      String message = e.getMessage();
      if (message != null && message.startsWith("NOSCRIPT")) {
        return redis.eval(command(source, keys, args));
      }
      return Future.failedFuture(e);
    });
  }

  /**
   * Sends the script to Redis ({@code SCRIPT LOAD}) so that the first {@link #run} finds it, and the
   * connection is open by then: a warm-up before the first request.
   */
  public Future<Void> load(RedisAPI redis) {
    return redis.script(List.of("LOAD", source)).mapEmpty();
  }

  private static List<String> command(String script, List<String> keys, List<String> args) {
    List<String> command = new ArrayList<>(2 + keys.size() + args.size());
    command.add(script);
    command.add(Integer.toString(keys.size()));
    command.addAll(keys);
    command.addAll(args);
    return command;
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-1", e);
    }
  }
}
