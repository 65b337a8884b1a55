package dev.edgechat.bench.drills;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one drill saw, counted as it runs (from several threads): requests sent, failed (did not get
 * what a client asked for), answered with a 5xx status, hung past their deadline, data accepted but
 * missing afterwards, and how long the system took to serve normally again after the fault. The
 * drill adds the breaches of its contract ({@link #breach}), which make the row fail, and notes that
 * explain the figures.
 */
public final class DrillOutcome {

  private final String drill;
  final AtomicInteger sent = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  final AtomicInteger serverErrors = new AtomicInteger();
  final AtomicInteger hangs = new AtomicInteger();
  final AtomicInteger lost = new AtomicInteger();
  private volatile Duration recovery;
  private final List<String> breaches = new CopyOnWriteArrayList<>();
  private final List<String> notes = new CopyOnWriteArrayList<>();

  DrillOutcome(String drill) {
    this.drill = drill;
  }

  String drill() {
    return drill;
  }

  /** Sets the time from the end of the fault until the system served normally again. */
  void recovered(Duration took) {
    this.recovery = took;
  }

  /** Null when the drill has no fault to recover from, or the system did not recover. */
  Duration recovery() {
    return recovery;
  }

  /** A breach of the drill's contract: the row fails. */
  void breach(String what) {
    breaches.add(what);
  }

  /** A breach when {@code count} is not 0, naming {@code what}. */
  void requireNone(int count, String what) {
    if (count != 0) {
      breach(count + " " + what);
    }
  }

  void note(String what) {
    notes.add(what);
  }

  public List<String> breaches() {
    return List.copyOf(breaches);
  }

  List<String> notes() {
    return List.copyOf(notes);
  }

  public boolean passed() {
    return breaches.isEmpty();
  }
}
