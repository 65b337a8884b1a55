package dev.edgechat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs a role's stop (drain, then close) once, when the process is asked to end: on SIGTERM or
 * SIGINT <em>before</em> the JVM's shutdown begins, then exits 128 + the signal's number, as the
 * JVM would; on any other way out (System.exit elsewhere, a signal the JVM keeps) from a shutdown
 * hook, as before.
 *
 * <p>Why not a shutdown hook alone: the JVM runs all shutdown hooks at once, and libraries register
 * their own. ONNX Runtime's Java binding releases its native environment in one
 * (OrtEnvironment$OrtEnvCloser, microsoft/onnxruntime#31352), so a stop that began while the
 * semantic cache's model was loading or embedding a question in a drained request met that release:
 * the edge died with SIGABRT or SIGBUS (exit 134 in QuietStartStopTest) instead of finishing its
 * drain. Handled first, the stop has closed everything that uses the model by the time those hooks
 * run. {@code sun.misc.Signal} (module jdk.unsupported, exported for exactly this) is the JDK's only
 * way to act on a signal before shutdown; no library offers more.
 */
final class ProcessStop {

  private static final Logger LOG = LoggerFactory.getLogger(ProcessStop.class);
  private static final List<String> SIGNALS = List.of("TERM", "INT");

  private final Runnable stop;
  private final AtomicBoolean begun = new AtomicBoolean();
  private final CompletableFuture<Void> ended = new CompletableFuture<>();

  private ProcessStop(Runnable stop) {
    this.stop = stop;
  }

  /** Installs {@code stop} for SIGTERM, SIGINT and the JVM's shutdown; returns what ends when it ran. */
  static CompletableFuture<Void> install(Runnable stop) {
    ProcessStop once = new ProcessStop(stop);
    for (String name : SIGNALS) {
      try {
        Signal.handle(new Signal(name), signal -> {
          once.run();
          System.exit(128 + signal.getNumber());
        });
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal for itself (-Xrs, or a platform without it): the hook below stops then
        LOG.debug("signal {} not handled here: {}", name, e.getMessage());
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(once::run, "edgechat-shutdown"));
    return once.ended;
  }

  /** Runs the stop if nobody did yet, else waits for the one under way to end. */
  private void run() {
    if (!begun.compareAndSet(false, true)) {
      ended.join();
      return;
    }
    try {
      stop.run();
    } finally {
      ended.complete(null);
    }
  }
}
