/**
 * The edge's answer cache and the Redis it keeps it in; in role {@code all} an embedded Redis.
 */
package dev.edgechat.cache;
