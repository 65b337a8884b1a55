package dev.edgechat.origin;

import dev.edgechat.knowledge.SiteChangeLog;
import dev.edgechat.protocol.SiteChange;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.pubsub.PgSubscriber;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This origin's view of the site change log ({@link SiteChangeLog}): the last change number it
 * has read (its head) and the last {@value #KEPT} changes, which the edges' feeds
 * ({@link ChangeFeedApi}) are served from, and which its own parts hear of (the chunk index
 * refreshes a changed site).
 *
 * <p>Design note: Postgres {@code LISTEN} on a connection of its own (vertx-pg-client's
 * {@link PgSubscriber}, reconnecting every second) makes a change known within milliseconds of its
 * commit; a notice only says "read the log", and reading is always "the changes after my head", so
 * a lost, late or repeated notice costs nothing. A read also runs when the subscription is made
 * again after a lost connection and every {@value #POLL_MS} ms, which bounds the delay when notices
 * cannot come (a listening connection that died silently). Numbers commit in order with no gaps
 * (see {@code site_change_head}), so the changes held are always contiguous. Reads run one at a time
 * on the event loop {@link #start()} ran on; the head and the changes held are published as one
 * immutable value, so feeds on other event loops read them without locks. Changes older than
 * {@code knowledge.changesRetentionMs} are pruned from the log now and then.
 */
public final class ChangeHub implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeHub.class);
  /** Changes held in memory: an edge that fell further behind reads the log. */
  static final int KEPT = 1024;
  private static final int PAGE = 500;
  static final long POLL_MS = 2_000;
  private static final long RETRY_MS = 1_000;
  private static final long MAX_PRUNE_EVERY_MS = 3_600_000;

  /** The head and the changes held, the last of which is the head's (none when nothing was read since start). */
  private record Recent(long head, List<SiteChange> changes) {
  }

  private final Vertx vertx;
  private final SiteChangeLog log;
  private final PgSubscriber subscriber;
  private final LongSupplier retentionMs;
  private final List<Consumer<SiteChange>> listeners = new CopyOnWriteArrayList<>();
  private final Set<Runnable> followers = ConcurrentHashMap.newKeySet();
  private volatile Recent recent;
  private volatile boolean listening;
  private volatile boolean closed;
  private Context context;
  private boolean reading;
  private boolean readAgain;
  private long pollTimer = -1;
  private long pruneTimer = -1;

  /**
   * @param subscriber notices on the primary, not yet connected (closed with the hub)
   * @param retentionMs how long the log keeps a change (knowledge.changesRetentionMs)
   */
  public ChangeHub(Vertx vertx, SiteChangeLog log, PgSubscriber subscriber, LongSupplier retentionMs,
      MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.log = Objects.requireNonNull(log);
    this.subscriber = Objects.requireNonNull(subscriber);
    this.retentionMs = Objects.requireNonNull(retentionMs);
    Gauge.builder("edgechat.changes.head", this, ChangeHub::head)
        .description("number of the last site change this origin has read (-1 before the log was read)")
        .register(registry);
    Gauge.builder("edgechat.changes.listening", this, hub -> hub.listening ? 1 : 0)
        .description("1 while this origin listens for site changes on the primary (else it polls every 2 s)")
        .register(registry);
    Gauge.builder("edgechat.changes.followers", followers, Set::size)
        .description("edges following this origin's change feed").register(registry);
  }

  /** Starts following the log, on the caller's event loop; returns at once ({@link #head()} is -1 until it is read). */
  public void start() {
    context = vertx.getOrCreateContext();
    subscriber.reconnectPolicy(retries -> {
      listening = false;
      return closed ? -1L : RETRY_MS;
    });
    subscriber.closeHandler(v -> listening = false);
    subscriber.channel(SiteChangeLog.CHANNEL)
        .subscribeHandler(v -> {
          listening = true;
          // made again after a lost connection: what was announced meanwhile is read now
          context.runOnContext(x -> read());
        })
        .handler(notice -> context.runOnContext(x -> read()));
    context.runOnContext(v -> {
      listen();
      pollTimer = vertx.setPeriodic(POLL_MS, id -> read());
      long pruneEvery = Math.max(60_000, Math.min(MAX_PRUNE_EVERY_MS, retentionMs.getAsLong() / 4));
      pruneTimer = vertx.setPeriodic(pruneEvery, id -> prune());
      read();
    });
  }

  private void listen() {
    if (closed) {
      return;
    }
    subscriber.connect().onFailure(e -> {
      LOG.warn("cannot listen for site changes on the primary yet, polling meanwhile [reason: {}]", e.toString());
      vertx.setTimer(RETRY_MS, id -> listen());
    });
  }

  /** The last change number read; -1 until the log was first read. */
  public long head() {
    Recent at = recent;
    return at == null ? -1 : at.head();
  }

  /**
   * Up to {@code max} changes after {@code seq}, in order, from memory: empty when they are not
   * held (the caller reads the log), an empty list when there is none after {@code seq} yet.
   */
  public Optional<List<SiteChange>> after(long seq, int max) {
    Recent at = recent;
    if (at == null) {
      return Optional.empty();
    }
    if (seq >= at.head()) {
      return Optional.of(List.of());
    }
    List<SiteChange> held = at.changes();
    if (held.isEmpty() || held.get(0).seq() > seq + 1) {
      return Optional.empty();
    }
    int from = (int) (seq + 1 - held.get(0).seq());
    return Optional.of(held.subList(from, Math.min(held.size(), from + max)));
  }

  /** {@code listener} hears of every change read from now on, in order, on the hub's event loop. */
  public void onChange(Consumer<SiteChange> listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  /**
   * {@code poke} is run (on the hub's event loop: hand over to your own) each time the head moves;
   * the returned handle stops that.
   */
  public Runnable follow(Runnable poke) {
    followers.add(poke);
    return () -> followers.remove(poke);
  }

  /** Reads the changes after the head, one read at a time; a read asked for meanwhile runs right after. */
  private void read() {
    if (closed) {
      return;
    }
    if (reading) {
      readAgain = true;
      return;
    }
    reading = true;
    Future<Long> from = recent != null ? Future.succeededFuture(recent.head()) : log.head().map(head -> {
      recent = new Recent(head, List.of());
      LOG.info("following site changes [head: {}]", head);
      return head;
    });
    from.compose(this::readAfter).onComplete(done -> {
      reading = false;
      if (done.failed()) {
        LOG.debug("site changes not read, trying again [reason: {}]", done.cause().toString());
      }
      if (readAgain) {
        readAgain = false;
        read();
      }
    });
  }

  private Future<Void> readAfter(long head) {
    return log.after(head, PAGE).compose(page -> {
      if (page.isEmpty()) {
        return Future.succeededFuture();
      }
      publish(page);
      return page.size() == PAGE ? readAfter(recent.head()) : Future.succeededFuture();
    });
  }

  private void publish(List<SiteChange> page) {
    Recent at = recent;
    List<SiteChange> held = new ArrayList<>(at.changes().size() + page.size());
    boolean contiguous = page.get(0).seq() == at.head() + 1;
    if (contiguous) {
      held.addAll(at.changes());
    } else {
      LOG.warn("site changes skipped numbers (pruned while this origin was not reading?) [head: {}, next: {}]",
          at.head(), page.get(0).seq());
    }
    held.addAll(page);
    List<SiteChange> kept = held.size() > KEPT ? held.subList(held.size() - KEPT, held.size()) : held;
    recent = new Recent(page.get(page.size() - 1).seq(), List.copyOf(kept));
    for (SiteChange change : page) {
      for (Consumer<SiteChange> listener : listeners) {
        try {
          listener.accept(change);
        } catch (RuntimeException e) {
          LOG.warn("a listener failed on a site change [site: {}, change: {}]", change.site(), change.seq(), e);
        }
      }
    }
    followers.forEach(Runnable::run);
  }

  private void prune() {
    long keepMs = retentionMs.getAsLong();
    log.prune(keepMs)
        .onSuccess(count -> {
          if (count > 0) {
            LOG.info("site change log pruned [changes: {}, older than ms: {}]", count, keepMs);
          }
        })
        .onFailure(e -> LOG.debug("site change log not pruned, trying later [reason: {}]", e.toString()));
  }

  /** Stops listening and reading; the feeds end with their connections. */
  @Override
  public void close() {
    closed = true;
    if (context != null) {
      context.runOnContext(v -> {
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(pruneTimer);
      });
    }
    subscriber.close();
  }
}
