/**
 * The edge's OpenAI-compatible gateway (API.md §2): {@code /v1/chat/completions},
 * {@code /v1/embeddings} and {@code /v1/models} in OpenAI's wire format, so the official SDKs work
 * with only their base URL changed. Between the caller and its upstream it adds the edge's answer
 * cache (exact, and semantic when asked) and coalescing of identical requests in flight, through
 * the answer engine ({@code dev.edgechat.answer}) the chat API uses too, and batching and
 * caching of embeddings, per-key limits, retries before the first chunk and a circuit breaker per
 * upstream. See {@code docs/gateway.md}.
 */
package dev.edgechat.gateway;
