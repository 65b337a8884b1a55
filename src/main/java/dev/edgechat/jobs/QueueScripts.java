package dev.edgechat.jobs;

import dev.edgechat.redis.LuaScript;

/**
 * The queue's state changes, each a Lua script so that Redis applies it atomically: a job is
 * always in exactly one place (its type's stream, the delayed set, or finished), and its hash
 * always says which. Keys and arguments are listed above each script; times are epoch
 * milliseconds. Scripts touch job hashes other than their KEYS (the retention trim), which is fine
 * on one Redis and is why the queue does not support Redis Cluster.
 */
final class QueueScripts {

  /**
   * Keeps a finished job for at most {@code ttl} ms and the newest {@code keep} of its type: the
   * job hash gets a TTL, its id goes into the type's finished set (scored by finish time, in
   * finishing order), and the oldest ids beyond {@code keep} are deleted with their hashes.
   */
  private static final String RETIRE = """
      local function retire(job, finished, id, now, keep, ttl, prefix)
        redis.call('PEXPIRE', job, ttl)
        -- jobs finishing in the same millisecond keep their order: a tie would be broken by id
        local last = redis.call('ZRANGE', finished, -1, -1, 'WITHSCORES')
        local score = now
        if last[2] and tonumber(last[2]) >= now then
          score = tonumber(last[2]) + 0.001
        end
        redis.call('ZADD', finished, string.format('%.3f', score), id)
        redis.call('ZREMRANGEBYSCORE', finished, '-inf', now - ttl)
        local excess = redis.call('ZCARD', finished) - keep
        if excess > 0 then
          for _, old in ipairs(redis.call('ZRANGE', finished, 0, excess - 1)) do
            local state = redis.call('HGET', prefix .. old, 'state')
            if state == 'completed' or state == 'failed' then
              redis.call('DEL', prefix .. old)
            end
          end
          redis.call('ZREMRANGEBYRANK', finished, 0, excess - 1)
        end
      end
      local function ack(stream, group, entry)
        redis.call('XACK', stream, group, entry)
        redis.call('XDEL', stream, entry)
      end
      """;

  /**
   * Creates a job unless one with its id exists (the id is the dedupe key while the job is kept).
   * KEYS: job, stream, completed set, failed set. ARGV: id, type, payload, now.
   * Returns {1 (created) | 0 (existed), HGETALL of the job}.
   */
  static final LuaScript ENQUEUE = new LuaScript("""
      if redis.call('EXISTS', KEYS[1]) == 1 then
        return {0, redis.call('HGETALL', KEYS[1])}
      end
      redis.call('ZREM', KEYS[3], ARGV[1])
      redis.call('ZREM', KEYS[4], ARGV[1])
      local entry = redis.call('XADD', KEYS[2], '*', 'job', ARGV[1])
      redis.call('HSET', KEYS[1], 'id', ARGV[1], 'type', ARGV[2], 'state', 'waiting', 'attempts', 0,
        'payload', ARGV[3], 'createdAt', ARGV[4], 'updatedAt', ARGV[4], 'entry', entry)
      return {1, redis.call('HGETALL', KEYS[1])}
      """);

  /**
   * A worker takes a delivered (or reclaimed) stream entry: the job becomes active, its attempts
   * grow by one and its claim is stamped with the time ({@code claimedAt}, see {@link #RENEW}). An entry whose job is gone, finished or now runs under a newer entry is acked and
   * dropped. A reclaimed job that has used all its tries (its workers kept dying) fails.
   * KEYS: job, stream, failed set. ARGV: entry, group, now, maxAttempts, consumer, keepFailed,
   * failedTtlMs, job key prefix.
   * Returns {'run', HGETALL} | {'failed', HGETALL} | {'gone'}.
   */
  static final LuaScript START = new LuaScript(RETIRE + """
      local job = redis.call('HMGET', KEYS[1], 'state', 'entry', 'attempts', 'id')
      if not job[1] or job[1] == 'completed' or job[1] == 'failed' or job[2] ~= ARGV[1] then
        ack(KEYS[2], ARGV[2], ARGV[1])
        return {'gone'}
      end
      if tonumber(job[3]) >= tonumber(ARGV[4]) then
        redis.call('HSET', KEYS[1], 'state', 'failed', 'updatedAt', ARGV[3],
          'error', 'its worker stopped or stalled during each of its last tries (' .. job[3] .. ' tries in all)')
        redis.call('HDEL', KEYS[1], 'entry', 'worker', 'claimedAt')
        ack(KEYS[2], ARGV[2], ARGV[1])
        retire(KEYS[1], KEYS[3], job[4], tonumber(ARGV[3]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8])
        return {'failed', redis.call('HGETALL', KEYS[1])}
      end
      redis.call('HINCRBY', KEYS[1], 'attempts', 1)
      redis.call('HSET', KEYS[1], 'state', 'active', 'updatedAt', ARGV[3], 'worker', ARGV[5], 'claimedAt', ARGV[3])
      return {'run', redis.call('HGETALL', KEYS[1])}
      """);

  /**
   * The handler succeeded. Fenced: only the try that is still the job's current one (same entry,
   * same attempt number, still active) may complete it; a worker that was taken over gets 0.
   * KEYS: job, stream, completed set. ARGV: entry, group, now, attempt, result, keepCompleted,
   * completedTtlMs, job key prefix, id.
   * Returns 1 when completed, 0 when this try was no longer the job's.
   */
  static final LuaScript COMPLETE = new LuaScript(RETIRE + """
      local job = redis.call('HMGET', KEYS[1], 'state', 'entry', 'attempts')
      if job[1] ~= 'active' or job[2] ~= ARGV[1] or job[3] ~= ARGV[4] then
        return 0
      end
      redis.call('HSET', KEYS[1], 'state', 'completed', 'result', ARGV[5], 'updatedAt', ARGV[3])
      redis.call('HDEL', KEYS[1], 'error', 'entry', 'worker', 'runAt', 'claimedAt')
      ack(KEYS[2], ARGV[2], ARGV[1])
      retire(KEYS[1], KEYS[3], ARGV[9], tonumber(ARGV[3]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8])
      return 1
      """);

  /**
   * The handler failed: the job waits in the delayed set until {@code dueAt}, or, after its last
   * try, fails. Fenced like {@link #COMPLETE}.
   * KEYS: job, stream, delayed set, failed set. ARGV: entry, group, now, attempt, error,
   * maxAttempts, dueAt, keepFailed, failedTtlMs, job key prefix, id.
   * Returns 'delayed', 'failed', or 'stale' when this try was no longer the job's.
   */
  static final LuaScript FAIL = new LuaScript(RETIRE + """
      local job = redis.call('HMGET', KEYS[1], 'state', 'entry', 'attempts')
      if job[1] ~= 'active' or job[2] ~= ARGV[1] or job[3] ~= ARGV[4] then
        return 'stale'
      end
      redis.call('HDEL', KEYS[1], 'entry', 'worker', 'claimedAt')
      ack(KEYS[2], ARGV[2], ARGV[1])
      if tonumber(ARGV[4]) >= tonumber(ARGV[6]) then
        redis.call('HSET', KEYS[1], 'state', 'failed', 'error', ARGV[5], 'updatedAt', ARGV[3])
        retire(KEYS[1], KEYS[4], ARGV[11], tonumber(ARGV[3]), tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10])
        return 'failed'
      end
      redis.call('HSET', KEYS[1], 'state', 'delayed', 'error', ARGV[5], 'updatedAt', ARGV[3], 'runAt', ARGV[7])
      redis.call('ZADD', KEYS[3], ARGV[7], ARGV[11])
      return 'delayed'
      """);

  /**
   * Moves the delayed jobs that are due back into their stream (state waiting).
   * KEYS: delayed set, stream. ARGV: now, most to move, job key prefix.
   * Returns {jobs moved, due time of the next delayed job or -1}.
   */
  static final LuaScript PROMOTE = new LuaScript("""
      local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
      for _, id in ipairs(due) do
        redis.call('ZREM', KEYS[1], id)
        local job = ARGV[3] .. id
        if redis.call('HGET', job, 'state') == 'delayed' then
          local entry = redis.call('XADD', KEYS[2], '*', 'job', id)
          redis.call('HSET', job, 'state', 'waiting', 'entry', entry, 'updatedAt', ARGV[1])
          redis.call('HDEL', job, 'runAt')
        end
      end
      local next = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
      return {#due, next[2] or '-1'}
      """);

  /**
   * A worker renews its claim on the entries it is running, so that no other worker takes them
   * over: the job's {@code claimedAt} becomes {@code now} (what {@link #RECLAIM} judges by) and the
   * entry's idle time drops to 0. Entries another worker has taken over are left alone.
   * KEYS: stream. ARGV: group, consumer, now, job key prefix, then entry and job id for each job.
   * Returns the number of entries renewed.
   */
  static final LuaScript RENEW = new LuaScript("""
      local renewed = 0
      for i = 5, #ARGV, 2 do
        local entry = ARGV[i]
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], entry, entry, 1, ARGV[2])
        if #pending > 0 then
          redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry, 'JUSTID')
          local job = ARGV[4] .. ARGV[i + 1]
          if redis.call('HGET', job, 'entry') == entry then
            redis.call('HSET', job, 'claimedAt', ARGV[3])
          end
          renewed = renewed + 1
        end
      end
      return renewed
      """);

  /**
   * A worker looks for stalled entries and takes over up to {@code count} of them. An entry is
   * stalled when its job's claim ({@code claimedAt}, stamped by {@link #START} and {@link #RENEW}
   * with the workers' clock) is {@code stalledMs} old; an entry that was never started (no stamp
   * for it) when it has been idle in Redis that long. Taking over moves the entry to this consumer
   * and stamps the claim {@code now}; a stalled entry whose stream entry is gone is just acked. The
   * group's pending list is walked from {@code cursor}, at most ten entries per one wanted, like
   * {@code XAUTOCLAIM}.
   * KEYS: stream. ARGV: group, consumer, now, stalledMs, cursor ('0-0' from the start), count, job
   * key prefix.
   * Returns {next cursor ('0-0' when the walk reached the end), {{entry, {field, value…}}…}}.
   */
  static final LuaScript RECLAIM = new LuaScript("""
      local now = tonumber(ARGV[3])
      local stalledMs = tonumber(ARGV[4])
      local wanted = tonumber(ARGV[6])
      local scan = wanted * 10
      local from = '-'
      if ARGV[5] ~= '0-0' then
        from = '(' .. ARGV[5]
      end
      local pending = redis.call('XPENDING', KEYS[1], ARGV[1], from, '+', scan)
      local taken = {}
      local cursor = '0-0'
      if #pending == scan then
        cursor = pending[#pending][1]
      end
      for i, p in ipairs(pending) do
        local entry = p[1]
        local found = redis.call('XRANGE', KEYS[1], entry, entry)
        local fields = found[1] and found[1][2]
        local job = nil
        if fields then
          for f = 1, #fields, 2 do
            if fields[f] == 'job' then
              job = ARGV[7] .. fields[f + 1]
            end
          end
        end
        local claimedAt = nil
        if job then
          local claim = redis.call('HMGET', job, 'entry', 'claimedAt')
          if claim[1] == entry and claim[2] then
            claimedAt = tonumber(claim[2])
          end
        end
        local stalled
        if claimedAt then
          stalled = now - claimedAt >= stalledMs
        else
          stalled = p[3] >= stalledMs
        end
        if stalled then
          if fields then
            redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, entry)
            if claimedAt then
              redis.call('HSET', job, 'claimedAt', ARGV[3])
            end
            taken[#taken + 1] = {entry, fields}
          else
            redis.call('XACK', KEYS[1], ARGV[1], entry)
          end
          if #taken >= wanted then
            if i < #pending or #pending == scan then
              cursor = entry
            end
            break
          end
        end
      end
      return {cursor, taken}
      """);

  /**
   * A closing worker leaves the consumer group if it holds no entries (else it stays, so that its
   * entries can be taken over).
   * KEYS: stream. ARGV: group, consumer. Returns 1 when it left.
   */
  static final LuaScript LEAVE = new LuaScript("""
      local pending = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
      if #pending == 0 then
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
        return 1
      end
      return 0
      """);

  private QueueScripts() {
  }
}
