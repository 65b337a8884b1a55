/**
 * Language models: the {@link dev.edgechat.llm.ChatModel} interface, a streaming client of any
 * OpenAI-compatible API, the offline extractive model used when no API key is set, and
 * {@link dev.edgechat.llm.UpstreamGuard}, the discipline of every call to a model upstream (retry
 * before the first token, circuit breaker) that the chat's model and the gateway share.
 */
package dev.edgechat.llm;
