/**
 * Abuse limits (docs/limits.md): how many requests a visitor, a client address or a gateway key
 * may make per minute, and how many LLM tokens a site may spend per day. Counters are fixed
 * windows kept in the region's cache Redis, so every edge of a region counts together
 * ({@link dev.edgechat.limits.RedisWindows}, one script call in flight per event loop carrying
 * the requests that arrived meanwhile, each still taken all or none); a counter call that fails or
 * is slow lets the request pass ({@link dev.edgechat.limits.Limiter}). {@link dev.edgechat.limits.VisitorLimits} holds the
 * visitor API to them, {@link dev.edgechat.limits.ClientAddress} says who the client is behind
 * trusted proxies.
 */
package dev.edgechat.limits;
