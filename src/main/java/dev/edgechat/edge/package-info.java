/**
 * The edge: the visitor-facing chat API (API.md §1) and the demo page. It checks a request,
 * sends {@code ready} at once, answers it through the answer engine ({@code dev.edgechat.answer}:
 * cache, coalescing, origin) and relays the answer with back-pressure, heartbeats and
 * cancellation when the visitor leaves.
 */
package dev.edgechat.edge;
