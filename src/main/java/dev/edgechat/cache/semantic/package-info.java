/**
 * The part of the semantic answer cache that decides whether two questions mean the same: a
 * question embedder that runs the local model off the event loop, a guard that compares the words
 * a paraphrase must keep (numbers, names, days, negation, opposites), and the matcher that needs
 * both a close embedding and the guard's consent.
 */
package dev.edgechat.cache.semantic;
