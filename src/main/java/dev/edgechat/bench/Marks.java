package dev.edgechat.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The milestones one request reached (ready, first token, done …), each as nanoseconds after the
 * request was sent. Only the first time a milestone is reached counts.
 */
final class Marks {

  private final long sentNanos;
  private final Map<String, Long> elapsedNanos = new LinkedHashMap<>(4);
  private final Map<String, String> notes = new LinkedHashMap<>(2);

  private Marks(long sentNanos) {
    this.sentNanos = sentNanos;
  }

  /** Starts the clock; call it just before the request is sent. */
  static Marks sentNow() {
    return new Marks(System.nanoTime());
  }

  /**
   * Starts the clock at {@code nanos} ({@link System#nanoTime()}): an open loop times a request from
   * when it was due, so a late send is counted as waiting, not left out.
   */
  static Marks sentAt(long nanos) {
    return new Marks(nanos);
  }

  /** Keeps what the answer said about itself, e.g. {@code cache → hit}. */
  void note(String key, String value) {
    notes.put(key, value);
  }

  /** The notes, by key. */
  Map<String, String> notes() {
    return Collections.unmodifiableMap(notes);
  }

  void reach(String milestone) {
    elapsedNanos.putIfAbsent(milestone, System.nanoTime() - sentNanos);
  }

  boolean reached(String milestone) {
    return elapsedNanos.containsKey(milestone);
  }

  /** Milestone to nanoseconds after sending, in the order they were reached. */
  Map<String, Long> elapsedNanos() {
    return Collections.unmodifiableMap(elapsedNanos);
  }
}
