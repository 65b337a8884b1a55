/**
 * Redis plumbing shared by the roles: connections with readiness ({@link dev.edgechat.redis.RedisConnection})
 * and the embedded Redis of role {@code all} ({@link dev.edgechat.redis.EmbeddedRedisServer}). (Site
 * changes no longer travel over Redis pub/sub: origin's change feed carries them to every edge.)
 * Nothing here knows what is cached; the cache, the job queue and the knowledge base build on it.
 */
package dev.edgechat.redis;
