package dev.edgechat.config;

import java.util.List;

/**
 * Abuse limits of the visitor API and the shared counters of the gateway's keys ({@code limits.*}
 * in edgechat.yaml; docs/limits.md). A limit of 0 is no limit.
 *
 * @param enabled whether visitor requests are counted and refused over their limits at all
 * @param visitorChatsPerMinute chats one visitor id (the widget's {@code visitor}) may start per minute
 * @param ipChatsPerMinute chats one client address may start per minute
 * @param ipReadsPerMinute other visitor requests (history, resume, jobs) one client address may make per minute
 * @param siteDailyTokens LLM tokens a site may spend per UTC day in this region; over it, its chats are refused
 * @param hitTokens what an answer from the cache costs of that budget
 * @param estimatedMissTokens what an answer costs when its usage is not reported (asynchronous chats, a model
 *     that reports no usage)
 * @param trustedProxies peers whose {@code Fly-Client-IP} / {@code X-Forwarded-For} name the client
 * @param redisTimeoutMs a counter call slower than this lets the request pass (fail open)
 */
public record LimitSettings(
    boolean enabled,
    int visitorChatsPerMinute,
    int ipChatsPerMinute,
    int ipReadsPerMinute,
    long siteDailyTokens,
    long hitTokens,
    long estimatedMissTokens,
    List<Cidr> trustedProxies,
    long redisTimeoutMs) {

  public LimitSettings {
    trustedProxies = List.copyOf(trustedProxies);
  }

  /** A builder with no value set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's values, to change some of them by name. */
  public Builder toBuilder() {
    return new Builder().enabled(enabled).visitorChatsPerMinute(visitorChatsPerMinute).ipChatsPerMinute(ipChatsPerMinute).ipReadsPerMinute(ipReadsPerMinute).siteDailyTokens(siteDailyTokens).hitTokens(hitTokens).estimatedMissTokens(estimatedMissTokens).trustedProxies(trustedProxies).redisTimeoutMs(redisTimeoutMs);
  }

  /** Builds {@link LimitSettings} by name; {@link #build()} fails naming a value left unset. */
  public static final class Builder {

    private Boolean enabled;
    private Integer visitorChatsPerMinute;
    private Integer ipChatsPerMinute;
    private Integer ipReadsPerMinute;
    private Long siteDailyTokens;
    private Long hitTokens;
    private Long estimatedMissTokens;
    private List<Cidr> trustedProxies;
    private Long redisTimeoutMs;

    private Builder() {
    }

    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public Builder visitorChatsPerMinute(int visitorChatsPerMinute) {
      this.visitorChatsPerMinute = visitorChatsPerMinute;
      return this;
    }

    public Builder ipChatsPerMinute(int ipChatsPerMinute) {
      this.ipChatsPerMinute = ipChatsPerMinute;
      return this;
    }

    public Builder ipReadsPerMinute(int ipReadsPerMinute) {
      this.ipReadsPerMinute = ipReadsPerMinute;
      return this;
    }

    public Builder siteDailyTokens(long siteDailyTokens) {
      this.siteDailyTokens = siteDailyTokens;
      return this;
    }

    public Builder hitTokens(long hitTokens) {
      this.hitTokens = hitTokens;
      return this;
    }

    public Builder estimatedMissTokens(long estimatedMissTokens) {
      this.estimatedMissTokens = estimatedMissTokens;
      return this;
    }

    public Builder trustedProxies(List<Cidr> trustedProxies) {
      this.trustedProxies = trustedProxies;
      return this;
    }

    public Builder redisTimeoutMs(long redisTimeoutMs) {
      this.redisTimeoutMs = redisTimeoutMs;
      return this;
    }

    public LimitSettings build() {
      return new LimitSettings(
          Required.value(enabled, "LimitSettings.enabled"),
          Required.value(visitorChatsPerMinute, "LimitSettings.visitorChatsPerMinute"),
          Required.value(ipChatsPerMinute, "LimitSettings.ipChatsPerMinute"),
          Required.value(ipReadsPerMinute, "LimitSettings.ipReadsPerMinute"),
          Required.value(siteDailyTokens, "LimitSettings.siteDailyTokens"),
          Required.value(hitTokens, "LimitSettings.hitTokens"),
          Required.value(estimatedMissTokens, "LimitSettings.estimatedMissTokens"),
          Required.value(trustedProxies, "LimitSettings.trustedProxies"),
          Required.value(redisTimeoutMs, "LimitSettings.redisTimeoutMs"));
    }
  }
}
