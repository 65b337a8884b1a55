/**
 * The edge's answer cache: an in-process level (Caffeine) over a regional Redis level, keyed by
 * site, version and normalized question; the semantic level lives in {@code cache.semantic}.
 * Redis connections themselves are {@code dev.edgechat.redis}'s.
 */
package dev.edgechat.cache;
