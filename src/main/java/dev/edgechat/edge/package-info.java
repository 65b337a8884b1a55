/**
 * The edge: the visitor-facing chat API (API.md §1) and the demo page. It checks a request,
 * sends {@code ready} at once, and relays origin's answer with back-pressure, heartbeats and
 * cancellation when the visitor leaves.
 */
package dev.edgechat.edge;
