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

  /** A builder with no value set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's values, to change some of them by name. */
  public Builder toBuilder() {
    return new Builder().firstTokenMs(firstTokenMs).tokensPerSecond(tokensPerSecond).answerTokens(answerTokens)
        .embeddingLatencyMs(embeddingLatencyMs).embeddingDimensions(embeddingDimensions).errorRate(errorRate)
        .stallRate(stallRate).cutRate(cutRate).seed(seed).answerSpread(answerSpread);
  }

  /** Builds {@link SimSettings} settings by name; {@link #build()} fails naming a value left unset. */
  public static final class Builder {

    private Integer firstTokenMs;
    private Double tokensPerSecond;
    private Integer answerTokens;
    private Integer embeddingLatencyMs;
    private Integer embeddingDimensions;
    private Double errorRate;
    private Double stallRate;
    private Double cutRate;
    private Long seed;
    private Double answerSpread;

    private Builder() {
    }

    public Builder firstTokenMs(int firstTokenMs) {
      this.firstTokenMs = firstTokenMs;
      return this;
    }

    public Builder tokensPerSecond(double tokensPerSecond) {
      this.tokensPerSecond = tokensPerSecond;
      return this;
    }

    public Builder answerTokens(int answerTokens) {
      this.answerTokens = answerTokens;
      return this;
    }

    public Builder embeddingLatencyMs(int embeddingLatencyMs) {
      this.embeddingLatencyMs = embeddingLatencyMs;
      return this;
    }

    public Builder embeddingDimensions(int embeddingDimensions) {
      this.embeddingDimensions = embeddingDimensions;
      return this;
    }

    public Builder errorRate(double errorRate) {
      this.errorRate = errorRate;
      return this;
    }

    public Builder stallRate(double stallRate) {
      this.stallRate = stallRate;
      return this;
    }

    public Builder cutRate(double cutRate) {
      this.cutRate = cutRate;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder answerSpread(double answerSpread) {
      this.answerSpread = answerSpread;
      return this;
    }

    public SimSettings build() {
      return new SimSettings(
          Required.value(firstTokenMs, "SimSettings.firstTokenMs"),
          Required.value(tokensPerSecond, "SimSettings.tokensPerSecond"),
          Required.value(answerTokens, "SimSettings.answerTokens"),
          Required.value(embeddingLatencyMs, "SimSettings.embeddingLatencyMs"),
          Required.value(embeddingDimensions, "SimSettings.embeddingDimensions"),
          Required.value(errorRate, "SimSettings.errorRate"),
          Required.value(stallRate, "SimSettings.stallRate"),
          Required.value(cutRate, "SimSettings.cutRate"),
          Required.value(seed, "SimSettings.seed"),
          Required.value(answerSpread, "SimSettings.answerSpread"));
    }
  }
}
