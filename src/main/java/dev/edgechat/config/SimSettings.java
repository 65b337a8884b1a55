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
 * @param answerSpread how much answer lengths vary around {@code answerTokens}: each conversation's
 *     answer is {@code answerTokens} times a factor from {@code [1 - spread, 1 + spread]}, fixed by
 *     a hash of the conversation; 0 = every answer {@code answerTokens} long
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
    long seed,
    double answerSpread) {

  /** Settings whose answers are all {@code answerTokens} long. */
  public SimSettings(int firstTokenMs, double tokensPerSecond, int answerTokens, int embeddingLatencyMs,
      int embeddingDimensions, double errorRate, double stallRate, double cutRate, long seed) {
    this(firstTokenMs, tokensPerSecond, answerTokens, embeddingLatencyMs, embeddingDimensions, errorRate, stallRate,
        cutRate, seed, 0);
  }
}
