package dev.edgechat.protocol;

import dev.edgechat.web.SseEvent;

/**
 * The names of an answer's events. A visitor's answer (API.md §1), as origin streams it to the
 * edge and the edge to the visitor: {@value #READY} (edge only, first), {@value #TOKEN}s,
 * {@value #SOURCES}, then {@value #DONE} or {@value #ERROR}. The gateway's flights, which never
 * leave the edge, hold {@value #HEAD}, {@value #DELTA}s and the same two ends.
 */
public final class Events {

  /** The edge took the question: its conversation and message ids, the region. */
  public static final String READY = "ready";
  /** A piece of the answer's text: {@code {"text"}}. */
  public static final String TOKEN = "token";
  /** The documents the answer rests on: {@code {"items":[{"title","url","id"}]}} ({@code id}: what a purge by document names). */
  public static final String SOURCES = "sources";
  /**
   * The answer is complete: {@code {"cache","stale","ms"}}, and for the edge {@code freshness},
   * {@code truncated} and {@code changeSeq} (the last site change origin had read before retrieving).
   */
  public static final String DONE = "done";
  /** The answer failed: {@code {"code","message"}} (API.md §5), or the gateway's OpenAI error with its status. */
  public static final String ERROR = "error";
  /** A gateway flight's first event: {@code model}, {@code system_fingerprint}, the cache outcome. */
  public static final String HEAD = "head";
  /** One {@code choices[0].delta} of a gateway flight, as the upstream sent it. */
  public static final String DELTA = "delta";

  private Events() {
  }

  /** Whether {@code event} ends an answer: {@value #DONE} or {@value #ERROR}. Nothing follows it. */
  public static boolean isTerminal(SseEvent event) {
    return DONE.equals(event.event()) || ERROR.equals(event.event());
  }
}
