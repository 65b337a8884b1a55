/**
 * The edge's answer cache: an in-process level (Caffeine) over a regional Redis level, keyed by
 * site, version and normalized question, and the purges by document that retire answers citing given
 * documents ({@link dev.edgechat.cache.DocumentPurges}); the semantic level lives in {@code cache.semantic}.
 * Redis connections themselves are {@code dev.edgechat.redis}'s.
 */
package dev.edgechat.cache;
