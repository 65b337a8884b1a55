package dev.edgechat.llm;

/** Tokens one answer cost, as the model reported them: what cost reports add up. */
public record Usage(String model, int promptTokens, int completionTokens) {
}
