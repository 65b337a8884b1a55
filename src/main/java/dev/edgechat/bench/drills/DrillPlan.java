package dev.edgechat.bench.drills;

import java.time.Duration;

/**
 * How big the drills are: the short version CI runs ({@link #brief()}) or the full one
 * ({@link #full()}).
 *
 * @param chats streamed chats per chat drill
 * @param documents documents per ingestion drill
 * @param fuzzRequests requests of the fuzz (at least 10,000 in the full run)
 * @param fuzzConcurrency fuzz requests in flight at once
 * @param slowlorisConnections connections of the slowloris drill
 * @param slowlorisWindow how long a slowloris connection may stay open; one still open after it breaks the contract
 * @param chatDeadline a chat not ended after this long hangs
 * @param requestDeadline any other request not answered after this long hangs
 * @param indexLimit how long accepted documents may take to be indexed after a fault ends
 */
public record DrillPlan(String name, int chats, int documents, int fuzzRequests, int fuzzConcurrency,
    int slowlorisConnections, Duration slowlorisWindow, Duration chatDeadline, Duration requestDeadline,
    Duration indexLimit) {

  public DrillPlan {
    if (chats < 1 || documents < 1 || fuzzRequests < 1 || fuzzConcurrency < 1 || slowlorisConnections < 1) {
      throw new IllegalArgumentException("every count of a drill plan must be at least 1");
    }
  }

  /** The short version, for CI: a few minutes. */
  public static DrillPlan brief() {
    return new DrillPlan("short", 10, 8, 1_500, 8, 40, Duration.ofSeconds(40), Duration.ofSeconds(45),
        Duration.ofSeconds(20), Duration.ofMinutes(2));
  }

  /** The full version: 30 chats per drill, 10,000 fuzz requests, 200 slowloris connections for 75 s. */
  public static DrillPlan full() {
    return new DrillPlan("full", 30, 20, 10_000, 16, 200, Duration.ofSeconds(75), Duration.ofSeconds(45),
        Duration.ofSeconds(20), Duration.ofMinutes(3));
  }

  public DrillPlan withFuzzRequests(int requests) {
    return new DrillPlan(name, chats, documents, requests, fuzzConcurrency, slowlorisConnections, slowlorisWindow,
        chatDeadline, requestDeadline, indexLimit);
  }
}
