/**
 * Time as a collaborator: {@link dev.edgechat.time.Scheduler} is the one way code that decides by
 * time gets it, reading the wall clock ({@link java.time.Clock}), a monotonic clock, and setting
 * timers. Production uses {@link dev.edgechat.time.Scheduler#of} (the system clocks and Vert.x
 * timers); tests use a manual scheduler they advance, so TTLs, backoff, batch windows and stalled
 * jobs are tested by moving time instead of waiting for it. Pure measurements (latency metrics,
 * bench timings) read {@link System#nanoTime()} directly: they decide nothing.
 */
package dev.edgechat.time;
