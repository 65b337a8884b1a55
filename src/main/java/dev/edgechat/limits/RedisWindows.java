package dev.edgechat.limits;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Fixed-window counters in the region's cache Redis, shared by every edge of the region.
 *
 * <p>Design: each window is one Redis integer named after its key and the window's start
 * ({@code edgechat:limit:<kind>:<key>:<startMs>}), expiring a second after the window ends. One Lua
 * script checks every window of a request and only then counts it in each, so a request refused by
 * one limit costs nothing of the others and two edges cannot both take the last unit. The caller's
 * clock picks the window (edges agree to NTP's precision; tests inject time); Redis's own clock
 * only expires keys. A fixed window, not a sliding one: one key and one INCRBY per limit, and the
 * {@code Retry-After} is exactly when the window frees; the price is that a client may make up to
 * twice its limit across a window's edge, which an abuse limit can live with (docs/limits.md).
 * The script is sent by its SHA-1 ({@code EVALSHA}), whole only when Redis does not know it yet.
 * Its keys are not in one hash slot: the regional Redis is one server, not a cluster.
 */
public final class RedisWindows implements WindowCounters {

  static final String PREFIX = "edgechat:limit:";

  /**
   * KEYS: one counter per window. ARGV: now, then per window its limit, its end (ms) and its cost.
   * Returns {0, index of the refusing window, ms until it frees} or {1, 0, 0} once every window counted.
   */
  private static final String SCRIPT = """
      local now = tonumber(ARGV[1])
      for i = 1, #KEYS do
        local limit = tonumber(ARGV[3 * i - 1])
        local cost = tonumber(ARGV[3 * i + 1])
        if limit > 0 then
          local count = tonumber(redis.call('GET', KEYS[i]) or '0')
          if count + math.max(cost, 1) > limit then
            return {0, i, tonumber(ARGV[3 * i]) - now}
          end
        end
      end
      for i = 1, #KEYS do
        local cost = tonumber(ARGV[3 * i + 1])
        if cost > 0 then
          redis.call('INCRBY', KEYS[i], cost)
          redis.call('PEXPIREAT', KEYS[i], tonumber(ARGV[3 * i]) + 1000)
        end
      end
      return {1, 0, 0}
      """;
  private static final String SHA = sha1(SCRIPT);

  private final RedisAPI redis;

  public RedisWindows(RedisAPI redis) {
    this.redis = Objects.requireNonNull(redis);
  }

  @Override
  public Future<Verdict> take(List<Window> windows, long nowMs) {
    if (windows.isEmpty()) {
      return Future.succeededFuture(Verdict.ALLOWED);
    }
    List<String> keys = new ArrayList<>(windows.size());
    List<String> args = new ArrayList<>(1 + 3 * windows.size());
    args.add(Long.toString(nowMs));
    for (Window w : windows) {
      keys.add(PREFIX + w.name(nowMs));
      args.add(Long.toString(w.limit()));
      args.add(Long.toString(w.end(nowMs)));
      args.add(Long.toString(w.cost()));
    }
    return run(keys, args).map(reply -> reply.get(0).toInteger() == 1
        ? Verdict.ALLOWED
        : new Verdict(windows.get(reply.get(1).toInteger() - 1), Math.max(0, reply.get(2).toLong())));
  }

  private Future<Response> run(List<String> keys, List<String> args) {
    return redis.evalsha(command(SHA, keys, args)).recover(e -> {
      String message = e.getMessage();
      return message != null && message.startsWith("NOSCRIPT")
          ? redis.eval(command(SCRIPT, keys, args))
          : Future.failedFuture(e);
    });
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
