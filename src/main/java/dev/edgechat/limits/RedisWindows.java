package dev.edgechat.limits;

import dev.edgechat.redis.LuaScript;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
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
 *
 * <p>Batching: a script call per request cost more than the rest of an exact hit (a socket write,
 * a read and the wake-ups between them; docs/benchmarks.md). So each event loop keeps at most one
 * script call in flight: a request that arrives while one is out waits for it to return, and then
 * every request that waited goes in the next call, which takes them one after the other in their
 * order of arrival, each all or none exactly as a call of its own would (the script is the same
 * loop, run per request; Redis runs a script atomically, so nothing of another edge comes between).
 * A request that finds its loop idle is sent at once: batching adds no wait when there is no load.
 * Written by hand because the Redis client's {@code batch} still pays a script run and a reply per
 * request, and no library groups calls this way (a Nagle for one script). A call that fails fails
 * every request in it (the {@link Limiter} lets them pass). Off an event loop (tests, workers) a
 * request is sent alone.
 */
public final class RedisWindows implements WindowCounters {

  static final String PREFIX = "edgechat:limit:";

  /** The most requests one script call carries: bounds how long the script holds Redis. */
  static final int MAX_BATCH = 128;

  /**
   * The most requests that may wait on one event loop while a call is out; past it a request fails
   * at once (and so passes): Redis that does not answer must not grow a queue without end.
   */
  static final int MAX_WAITING = 4096;

  /**
   * KEYS: one counter per window of every request, request after request. ARGV: the number of
   * requests, then per request: now, its number of windows, and per window its limit, its end (ms)
   * and its cost. Takes each request in order, all or none. Returns two integers per request:
   * 0 and 0 once every window counted it, or the index (from 1, within the request) of the window
   * that refused it and the ms until that window frees.
   */
  private static final LuaScript SCRIPT = new LuaScript("""
      local verdicts = {}
      local k = 0
      local a = 2
      for r = 1, tonumber(ARGV[1]) do
        local now = tonumber(ARGV[a])
        local n = tonumber(ARGV[a + 1])
        a = a + 2
        local refused, wait = 0, 0
        for i = 1, n do
          local limit = tonumber(ARGV[a + 3 * i - 3])
          local cost = tonumber(ARGV[a + 3 * i - 1])
          if limit > 0 then
            local count = tonumber(redis.call('GET', KEYS[k + i]) or '0')
            if count + math.max(cost, 1) > limit then
              refused, wait = i, tonumber(ARGV[a + 3 * i - 2]) - now
              break
            end
          end
        end
        if refused == 0 then
          for i = 1, n do
            local cost = tonumber(ARGV[a + 3 * i - 1])
            if cost > 0 then
              redis.call('INCRBY', KEYS[k + i], cost)
              redis.call('PEXPIREAT', KEYS[k + i], tonumber(ARGV[a + 3 * i - 2]) + 1000)
            end
          end
        end
        verdicts[2 * r - 1] = refused
        verdicts[2 * r] = wait
        k = k + n
        a = a + 3 * n
      end
      return verdicts
      """);

  /** One request waiting for its verdict, completed on its caller's context. */
  private record Pending(List<Window> windows, long nowMs, Promise<Verdict> verdict) {
  }

  /** One event loop's requests: touched only from that loop's thread. */
  private static final class Loop {
    final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    boolean inFlight;
  }

  private final RedisAPI redis;
  private final ThreadLocal<Loop> loops = ThreadLocal.withInitial(Loop::new);

  public RedisWindows(RedisAPI redis) {
    this.redis = Objects.requireNonNull(redis);
  }

  /**
   * Loads the script and opens the connection: a first request on a cold process otherwise paid both
   * within the limiter's deadline (50 ms), missed it and passed unlimited with a warning.
   */
  @Override
  public Future<Void> warmUp() {
    return SCRIPT.load(redis);
  }

  @Override
  public Future<Verdict> take(List<Window> windows, long nowMs) {
    if (windows.isEmpty()) {
      return Future.succeededFuture(Verdict.ALLOWED);
    }
    ContextInternal context = ContextInternal.current();
    if (context == null || !Context.isOnEventLoopThread()) {
      Pending alone = new Pending(windows, nowMs, Promise.promise());
      send(List.of(alone));
      return alone.verdict().future();
    }
    Loop loop = loops.get();
    if (loop.waiting.size() >= MAX_WAITING) {
      return Future.failedFuture(new IllegalStateException(
          "limit counters: " + MAX_WAITING + " requests already wait for Redis on this event loop"));
    }
    // bound to the caller's context: completed from another request's callback on this same thread,
    // its listeners still run inline, with the caller's context (its log context, its span) current
    Pending pending = new Pending(windows, nowMs, context.promise());
    loop.waiting.add(pending);
    if (!loop.inFlight) {
      sendWaiting(loop);
    }
    return pending.verdict().future();
  }

  /** Sends what waits on {@code loop} (up to {@link #MAX_BATCH}) as one call; the next goes when it returns. */
  private void sendWaiting(Loop loop) {
    List<Pending> batch = new ArrayList<>(Math.min(loop.waiting.size(), MAX_BATCH));
    while (!loop.waiting.isEmpty() && batch.size() < MAX_BATCH) {
      batch.add(loop.waiting.poll());
    }
    loop.inFlight = true;
    send(batch).onComplete(done -> {
      loop.inFlight = false;
      if (!loop.waiting.isEmpty()) {
        sendWaiting(loop);
      }
    });
  }

  /** One script call for {@code batch}; completes each request's verdict, then the returned future. */
  private Future<Void> send(List<Pending> batch) {
    List<String> keys = new ArrayList<>(3 * batch.size());
    List<String> args = new ArrayList<>(1 + 11 * batch.size());
    args.add(Integer.toString(batch.size()));
    for (Pending p : batch) {
      args.add(Long.toString(p.nowMs()));
      args.add(Integer.toString(p.windows().size()));
      for (Window w : p.windows()) {
        keys.add(PREFIX + w.name(p.nowMs()));
        args.add(Long.toString(w.limit()));
        args.add(Long.toString(w.end(p.nowMs())));
        args.add(Long.toString(w.cost()));
      }
    }
    Future<Response> call;
    try {
      call = SCRIPT.run(redis, keys, args);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.transform(done -> {
      if (done.failed()) {
        batch.forEach(p -> p.verdict().tryFail(done.cause()));
        return Future.succeededFuture();
      }
      Response reply = done.result();
      for (int r = 0; r < batch.size(); r++) {
        Pending p = batch.get(r);
        try {
          int refused = reply.get(2 * r).toInteger();
          p.verdict().tryComplete(refused == 0
              ? Verdict.ALLOWED
              : new Verdict(p.windows().get(refused - 1), Math.max(0, reply.get(2 * r + 1).toLong())));
        } catch (RuntimeException e) {
          // a reply not in the script's shape: this request fails (and so passes), the others still hear theirs
          p.verdict().tryFail(e);
        }
      }
      return Future.succeededFuture();
    });
  }
}
