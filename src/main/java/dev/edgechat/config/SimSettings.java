package dev.edgechat.config;

/**
 * Behaviour of the {@code sim} role, the OpenAI-compatible upstream simulator.
 *
 * @param firstTokenMs time from request to the first streamed token
 * @param tokensPerSecond streaming rate after the first token
 * @param answerTokens tokens in every answer
 * @param embeddingLatencyMs latency of one embeddings call, whatever its size
 * @param embeddingDimensions length of each embedding vector
 * @param errorRate share of chat calls answered with a 500
 * @param stallRate share of chat streams that go silent after the first token
 * @param cutRate share of chat streams closed half way, without {@code [DONE]}
 * @param seed seed of the fault dice
 */
public record SimSettings(
    int firstTokenMs,
    double tokensPerSecond,
    int answerTokens,
    int embeddingLatencyMs,
    int embeddingDimensions,
    double errorRate,
    double stallRate,
    double cutRate,
    long seed) {
}
