package dev.edgechat.limits;

import dev.edgechat.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.ArrayList;
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
 * The script is sent by its SHA-1 ({@code EVALSHA}), whole only when Redis does not know it yet ({@link LuaScript}).
 * Its keys are not in one hash slot: the regional Redis is one server, not a cluster.
 */
public final class RedisWindows implements WindowCounters {

  static final String PREFIX = "edgechat:limit:";

  /**
   * KEYS: one counter per window. ARGV: now, then per window its limit, its end (ms) and its cost.
   * Returns {0, index of the refusing window, ms until it frees} or {1, 0, 0} once every window counted.
   */
  private static final LuaScript SCRIPT = new LuaScript("""
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
      """);

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
    return SCRIPT.run(redis, keys, args).map(reply -> reply.get(0).toInteger() == 1
        ? Verdict.ALLOWED
        : new Verdict(windows.get(reply.get(1).toInteger() - 1), Math.max(0, reply.get(2).toLong())));
  }
}
