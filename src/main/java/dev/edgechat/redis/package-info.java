/**
 * Redis plumbing shared by the roles: connections with readiness ({@link dev.edgechat.redis.RedisConnection}),
 * client options from a {@code redis://} or {@code rediss://} URL, TLS included ({@link dev.edgechat.redis.RedisUrl}),
 * the embedded Redis of role {@code all} ({@link dev.edgechat.redis.EmbeddedRedisServer}) and the
 * site-version channel that tells edges and origins of a changed site ({@link dev.edgechat.redis.SiteInvalidations}).
 * Nothing here knows what is cached; the cache, the job queue and the knowledge base build on it.
 */
package dev.edgechat.redis;
