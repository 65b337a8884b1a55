/**
 * The edge: the visitor-facing chat API (API.md §1) and the demo page. It checks a request,
 * sends {@code ready} at once, answers it through the answer engine ({@code dev.edgechat.answer}:
 * cache, coalescing, origin) and relays the answer with back-pressure, heartbeats and
 * cancellation when the visitor leaves. It follows origin's change feed ({@link dev.edgechat.edge.ChangeFollower})
 * so that what it knows of each site ({@link dev.edgechat.edge.SiteDirectory}) and caches follows every change.
 */
package dev.edgechat.edge;
