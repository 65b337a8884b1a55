package dev.edgechat;

import java.util.Locale;

/** What one process of the jar does (DESIGN.md, Roles). */
public enum Role {
  /** Edge, origin and the queue's jobs in one JVM, with embedded Postgres and Redis unless URLs are set. */
  ALL,
  /** Serves the widget and the chat API, forwards misses to origin. */
  EDGE,
  /** Owns Postgres: retrieval, prompt, LLM stream, conversations. */
  ORIGIN,
  /** Runs the jobs of the queue (queue.redisUrl, else redis.url). */
  WORKER,
  /** An OpenAI-compatible upstream simulator. */
  SIM;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
