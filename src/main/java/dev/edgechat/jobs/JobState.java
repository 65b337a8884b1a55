package dev.edgechat.jobs;

import java.util.Locale;
import java.util.Optional;

/** Where a job is in its life (API.md §1): waiting → active → completed, or → delayed → waiting again, or → failed. */
public enum JobState {
  /** In its type's stream, not yet taken by a worker. */
  WAITING,
  /** Failed a try; waits in the delayed set until its retry is due. */
  DELAYED,
  /** Taken by a worker, running. */
  ACTIVE,
  /** Its handler succeeded; the job holds the result. */
  COMPLETED,
  /** Every try failed (or its workers kept dying); the job holds the last error. */
  FAILED;

  /** The state's name on the wire and in Redis: {@code waiting}, {@code delayed}, … */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The state a wire name names, if any. */
  public static Optional<JobState> fromWire(String wire) {
    for (JobState state : values()) {
      if (state.wire().equals(wire)) {
        return Optional.of(state);
      }
    }
    return Optional.empty();
  }

  /** Completed or failed: nothing more happens to the job but its removal. */
  public boolean isFinished() {
    return this == COMPLETED || this == FAILED;
  }
}
