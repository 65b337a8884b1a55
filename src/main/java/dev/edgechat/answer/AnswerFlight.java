package dev.edgechat.answer;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One answer as it arrives from its upstream (origin, or the gateway's provider), or as it comes
 * out of the cache, read by every caller who asked the same question (coalescing).
 *
 * <p>How it works: events are appended to a log that lives as long as the flight. An answer is
 * bounded ({@code origin.maxAnswerChars}, {@code gateway.maxAnswerBytes}), so the log is too, and
 * each reader reads it at its own pace: back-pressure is per reader (a relay writes only while its
 * socket takes more), the upstream is never held back by the slowest reader, and a late joiner
 * reads the log from the start and then follows live. Readers may sit on other event loops than
 * the one the upstream's stream arrives on, so the log is guarded by this object's monitor and
 * each reader hears of news on its own context. When the last reader leaves before the end, the
 * upstream's work is cancelled.
 *
 * <p>The chat API's flights hold the events of API.md §1, the gateway's those of its own
 * vocabulary ({@link Events#HEAD}, {@link Events#DELTA}); {@link Events#DONE} and
 * {@link Events#ERROR} end a flight in both. The visitor's own message stream, kept for resuming,
 * is a flight too ({@link #keptWhenAbandoned()}).
 */
public final class AnswerFlight implements AnswerSink {

  /** When the first {@code token} event arrived ({@link System#nanoTime}), 0 before; guarded by this. */
  private long firstTokenNanos;

  /** A reader's membership; {@link #leave()} when its visitor goes away. */
  public interface Follower {
    void leave();
  }

  private final List<SseEvent> log = new ArrayList<>();
  private final List<Runnable> followers = new ArrayList<>();
  private final List<Consumer<List<SseEvent>>> endHandlers = new ArrayList<>();
  private final boolean endsWhenAbandoned;
  private Runnable cancelUpstream = () -> { };
  private Runnable abandoned = () -> { };
  private Runnable followed = () -> { };
  private boolean ended;
  // guarded by this: inside inBurst, readers are told once at its end rather than per publish
  private boolean bursting;
  private boolean newsHeld;
  private volatile String knownText;
  /** For a flight replayed from the cache: the model tokens its answer cost when it was made, in and out. */
  private volatile long[] knownCost;

  /** A flight that ends, cancelling upstream, when its last reader leaves before the end. */
  public AnswerFlight() {
    this(true);
  }

  private AnswerFlight(boolean endsWhenAbandoned) {
    this.endsWhenAbandoned = endsWhenAbandoned;
  }

  /**
   * A log that outlives its readers: when the last one leaves before the end it only tells
   * {@link #onAbandoned}, and a new reader may follow later (a visitor resuming a dropped stream).
   */
  public static AnswerFlight keptWhenAbandoned() {
    return new AnswerFlight(false);
  }

  /** A flight that is over already: a cached answer, replayed. */
  public static AnswerFlight finished(List<SseEvent> events) {
    AnswerFlight flight = new AnswerFlight();
    flight.publishAll(events);
    return flight;
  }

  /** For a flight replayed from the cache: its whole text, so nobody needs to put it together from the events. */
  void knowText(String text) {
    this.knownText = text;
  }

  /** For a flight replayed from the cache: the input and output tokens its answer cost when it was made. */
  void knowCost(long[] inputAndOutput) {
    this.knownCost = inputAndOutput;
  }

  /**
   * The input and output tokens the answer cost when it was made, if it came from the cache and
   * the API knows them (what serving it again spared), else null.
   */
  public long[] knownCost() {
    return knownCost == null ? null : knownCost.clone();
  }

  /** The answer's whole text if it came from the cache, else null. */
  public String knownText() {
    return knownText;
  }

  /** What to do when every reader has left before the end: the engine cancels the upstream. */
  synchronized void onCancelUpstream(Runnable action) {
    this.cancelUpstream = action;
  }

  /** For a log {@link #keptWhenAbandoned}: what to do when the last reader leaves, and when one follows again. */
  public synchronized void onAbandoned(Runnable whenAbandoned, Runnable whenFollowedAgain) {
    this.abandoned = whenAbandoned;
    this.followed = whenFollowedAgain;
  }

  /**
   * Runs {@code handler} with the whole log once the flight ends (with {@code done}, {@code error},
   * or because everyone left), at once if it has ended already.
   */
  public void onEnd(Consumer<List<SseEvent>> handler) {
    List<SseEvent> snapshot = null;
    synchronized (this) {
      if (ended) {
        snapshot = List.copyOf(log);
      } else {
        endHandlers.add(handler);
      }
    }
    if (snapshot != null) {
      handler.accept(snapshot);
    }
  }

  /** Appends an event; {@code done} and {@code error} end the flight. Events after the end are dropped. */
  @Override
  public void publish(SseEvent event) {
    publishAll(List.of(event));
  }

  /**
   * Appends events and tells the readers once: a burst (a replayed answer) reaches a visitor in
   * one write, not one per event.
   */
  public void publishAll(List<SseEvent> events) {
    List<Runnable> toNotify;
    List<Consumer<List<SseEvent>>> toEnd = List.of();
    List<SseEvent> snapshot = null;
    synchronized (this) {
      if (ended) {
        return;
      }
      for (SseEvent event : events) {
        log.add(event);
        if (firstTokenNanos == 0 && Events.TOKEN.equals(event.event())) {
          firstTokenNanos = System.nanoTime();
        }
        if (Events.isTerminal(event)) {
          ended = true;
          toEnd = List.copyOf(endHandlers);
          endHandlers.clear();
          snapshot = List.copyOf(log);
          break;
        }
      }
      if (bursting) {
        newsHeld = true;
        toNotify = List.of();
      } else {
        toNotify = List.copyOf(followers);
      }
    }
    // end handlers first: when a visitor sees the end, the cache and the conversation's digest know it already
    for (Consumer<List<SseEvent>> handler : toEnd) {
      handler.accept(snapshot);
    }
    toNotify.forEach(Runnable::run);
  }

  /**
   * Publishes what {@code produce} publishes and tells the readers once, at its end: events that
   * arrived together (one read of the upstream) reach each caller in one write. The end of the
   * answer still runs its end handlers at once; only the readers' news waits for the burst's end.
   * From the one thread that publishes into this flight; not nested.
   */
  @Override
  public void inBurst(Runnable produce) {
    synchronized (this) {
      bursting = true;
    }
    List<Runnable> toNotify;
    try {
      produce.run();
    } finally {
      synchronized (this) {
        bursting = false;
        toNotify = newsHeld ? List.copyOf(followers) : List.of();
        newsHeld = false;
      }
    }
    toNotify.forEach(Runnable::run);
  }

  /** The event at {@code index}, or null when it has not arrived (yet). */
  public synchronized SseEvent event(int index) {
    return index < log.size() ? log.get(index) : null;
  }

  /** When the first {@code token} event arrived ({@link System#nanoTime}); 0 while none has (metrics). */
  public synchronized long firstTokenNanos() {
    return firstTokenNanos;
  }

  /** How many events have arrived. */
  public synchronized int size() {
    return log.size();
  }

  @Override
  public synchronized boolean isEnded() {
    return ended;
  }

  /**
   * Whether the flight ended because its last reader left (its upstream cancelled), with no
   * {@code done} or {@code error}: a reader that finds it so will never hear its end.
   */
  public synchronized boolean isAbandoned() {
    return ended && (log.isEmpty() || !Events.isTerminal(log.get(log.size() - 1)));
  }

  /** Joins as a reader: {@code onNews} runs on {@code context} whenever events arrive. */
  public Follower follow(Context context, Runnable onNews) {
    Runnable notify = () -> runOn(context, onNews);
    Runnable onFollowed;
    synchronized (this) {
      followers.add(notify);
      onFollowed = followers.size() == 1 && !ended ? followed : null;
    }
    if (onFollowed != null) {
      onFollowed.run();
    }
    return () -> leave(notify);
  }

  private void leave(Runnable notify) {
    Runnable cancel = null;
    List<Consumer<List<SseEvent>>> toEnd = List.of();
    List<SseEvent> snapshot = null;
    Runnable onAbandoned = null;
    synchronized (this) {
      followers.remove(notify);
      if (followers.isEmpty() && !ended && !endsWhenAbandoned) {
        onAbandoned = abandoned;
      } else if (followers.isEmpty() && !ended) {
        ended = true;
        cancel = cancelUpstream;
        toEnd = List.copyOf(endHandlers);
        endHandlers.clear();
        snapshot = List.copyOf(log);
      }
    }
    if (onAbandoned != null) {
      onAbandoned.run();
    }
    if (cancel != null) {
      cancel.run();
      for (Consumer<List<SseEvent>> handler : toEnd) {
        handler.accept(snapshot);
      }
    }
  }

  /** Runs {@code action} on {@code context}: at once when this is its thread (or there is none), else soon. */
  static void runOn(Context context, Runnable action) {
    if (context == null || Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
