/**
 * Language models: the {@link dev.edgechat.llm.ChatModel} interface, a streaming client of any
 * OpenAI-compatible API, and the offline extractive model used when no API key is set.
 */
package dev.edgechat.llm;
