package dev.edgechat.edge;

import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.DocumentPurges;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.protocol.ChangeFeed;
import dev.edgechat.protocol.SiteChange;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import dev.edgechat.web.IdleWatchdog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this edge in step with every change of every site: follows origin's change feed
 * ({@link ChangeFeed}) over the edge's connection to origin and applies each change as it comes.
 * A new version of a site makes the {@link SiteDirectory} forget what it knew (and take the version
 * as a floor), and drops the site's answers from memory and its semantic index (cache keys carry
 * the version, so answers in Redis need nothing); a purge by document is remembered in
 * {@link DocumentPurges}, which retires the answers citing those documents on every level.
 *
 * <p>Design note: the feed is an event stream that origin keeps open; silence longer than
 * {@code edge.changesTimeoutMs} (origin pings every {@code origin.changesHeartbeatMs}) or a
 * broken or ended stream is a lost link, and the follower connects again after a growing delay
 * (250 ms doubling to 5 s, less up to a fifth at random, so edges do not come back all at once),
 * asking for the changes after the last one it applied. Numbers have no gaps, so a skipped one
 * means a lost piece of stream: the follower drops the link and resumes. An edge that starts (it
 * has applied nothing), or whose last change origin no longer keeps, gets a snapshot first. So no
 * version is missed; while the link is down, site entries still expire after {@code edge.siteCacheMs}
 * and are asked of origin again. Written by hand: a Server-Sent-Events client with resume and
 * back-off is some 200 lines over the HTTP client the edge already has, and a library for it would
 * bring its own HTTP stack. Everything here runs on one event loop, the one {@link #start()} ran on.
 */
public final class ChangeFollower implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeFollower.class);
  private static final long FIRST_RETRY_MS = 250;
  private static final long MAX_RETRY_MS = 5_000;
  private static final long PRUNE_EVERY_MS = 60_000;

  /** The link to origin's feed, as the {@code edgechat_changes_feed_state} gauge shows it. */
  enum State {
    /** No link; a new one is tried after a delay. */
    DOWN,
    /** Asking origin for the feed. */
    CONNECTING,
    /** The feed is open and origin has been heard from. */
    LIVE
  }

  private final Vertx vertx;
  private final OriginClient origin;
  private final SiteDirectory sites;
  private final AnswerCache cache;
  private final SemanticCache semantic;
  private final DocumentPurges purges;
  private final LongSupplier timeoutMs;
  private final LongSupplier clock;
  private final Counter siteChanges;
  private final Counter documentPurges;
  private final Counter wrongHits;
  private final Counter snapshots;
  private final Counter reconnects;
  private final Timer lag;
  /** Sites whose answers in memory are dropped once the chunk of the stream at hand is applied. */
  private final Set<String> toForget = new LinkedHashSet<>();
  private final Set<String> toRetire = new LinkedHashSet<>();

  private Context context;
  private volatile State state = State.DOWN;
  private volatile long applied = -1;
  private int failures;
  private OriginClient.ChangeStream stream;
  private IdleWatchdog watchdog;
  private long retryTimer = -1;
  private long pruneTimer = -1;
  private boolean closed;

  /**
   * @param timeoutMs silence after which the link counts as lost (edge.changesTimeoutMs, read at each connect)
   * @param clock epoch milliseconds, for the lag of each change
   */
  public ChangeFollower(Vertx vertx, OriginClient origin, SiteDirectory sites, AnswerCache cache,
      SemanticCache semantic, DocumentPurges purges, LongSupplier timeoutMs, LongSupplier clock,
      MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.origin = Objects.requireNonNull(origin);
    this.sites = Objects.requireNonNull(sites);
    this.cache = Objects.requireNonNull(cache);
    this.semantic = Objects.requireNonNull(semantic);
    this.purges = Objects.requireNonNull(purges);
    this.timeoutMs = Objects.requireNonNull(timeoutMs);
    this.clock = Objects.requireNonNull(clock);
    this.siteChanges = applied(registry, "site");
    this.documentPurges = applied(registry, "documents");
    this.wrongHits = applied(registry, "wrong_hit");
    this.snapshots = Counter.builder("edgechat.changes.snapshots")
        .description("snapshots of every site's version this edge started from (at start, or after a long cut)")
        .register(registry);
    this.reconnects = Counter.builder("edgechat.changes.reconnects")
        .description("times this edge connected to origin's change feed again after losing it").register(registry);
    this.lag = Timer.builder("edgechat.changes.lag")
        .description("from a site change's commit at origin to its application at this edge")
        .publishPercentileHistogram().register(registry);
    Gauge.builder("edgechat.changes.feed.state", this, f -> f.state.ordinal())
        .description("the link to origin's change feed: 0 down, 1 connecting, 2 live").register(registry);
    Gauge.builder("edgechat.changes.last.seq", this, f -> f.applied)
        .description("number of the last site change this edge applied (-1 before the first)").register(registry);
    Gauge.builder("edgechat.changes.purged.documents", purges, DocumentPurges::size)
        .description("documents whose purge this edge remembers, to retire the answers citing them").register(registry);
  }

  private static Counter applied(MeterRegistry registry, String scope) {
    return Counter.builder("edgechat.changes.applied").tag("scope", scope)
        .description("site changes this edge applied: a new version (site), a purge by document (documents) "
            + "or a reported wrong semantic hit (wrong_hit)")
        .register(registry);
  }

  /** Starts following, on the caller's event loop; returns at once. */
  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, id -> purges.prune());
      connect();
    });
  }

  /** The number of the last change applied, -1 before the first. */
  public long applied() {
    return applied;
  }

  State state() {
    return state;
  }

  private void connect() {
    retryTimer = -1;
    if (closed) {
      return;
    }
    state = State.CONNECTING;
    origin.changes(applied).onComplete(opened -> {
      if (closed) {
        if (opened.succeeded()) {
          opened.result().request().reset();
        }
        return;
      }
      if (opened.failed()) {
        retry("origin's change feed could not be opened: " + opened.cause().getMessage());
      } else {
        follow(opened.result());
      }
    });
  }

  private void follow(OriginClient.ChangeStream opened) {
    stream = opened;
    long timeout = timeoutMs.getAsLong();
    watchdog = new IdleWatchdog(vertx, timeout, () -> drop(opened, "origin's change feed was silent for "
        + timeout + " ms"));
    SseParser parser = new SseParser(event -> event(opened, event));
    opened.response().handler(chunk -> {
      if (stream != opened) {
        return;
      }
      watchdog.touch();
      if (state != State.LIVE) {
        state = State.LIVE;
        if (failures > 0) {
          LOG.info("following origin's change feed again [after: {}]", applied);
        }
        failures = 0;
      }
      parser.handle(chunk);
      forgetPending();
    });
    opened.response().exceptionHandler(e -> drop(opened, "origin's change feed broke: " + e));
    opened.response().endHandler(v -> drop(opened, "origin ended the change feed"));
    opened.response().resume();
  }

  private void event(OriginClient.ChangeStream from, SseEvent event) {
    if (stream != from) {
      return;
    }
    try {
      switch (event.event()) {
        case ChangeFeed.CHANGE -> change(from, SiteChange.fromJson(new JsonObject(event.data())));
        case ChangeFeed.SNAPSHOT -> snapshot(ChangeFeed.Snapshot.fromJson(new JsonObject(event.data())));
        default -> LOG.debug("unknown event on origin's change feed ignored [event: {}]", event.event());
      }
    } catch (RuntimeException e) {
      drop(from, "origin's change feed sent what this edge cannot read: " + e.getMessage());
    }
  }

  private void change(OriginClient.ChangeStream from, SiteChange change) {
    if (applied < 0) {
      drop(from, "origin's change feed sent a change before a snapshot");
      return;
    }
    if (change.seq() <= applied) {
      return; // sent again (a snapshot may hold changes past its number): applied already
    }
    if (change.seq() != applied + 1) {
      drop(from, "origin's change feed skipped from change " + applied + " to " + change.seq());
      return;
    }
    apply(change);
    applied = change.seq();
    lag.record(Math.max(0, clock.getAsLong() - change.at().toEpochMilli()), TimeUnit.MILLISECONDS);
  }

  private void apply(SiteChange change) {
    if (change.isWrongHit()) {
      semantic.blockWrongHits(change.site(), List.of(change.wrongHit()));
      wrongHits.increment();
      LOG.debug("cached question reported as a wrong hit no longer answers by meaning [site: {}, change: {}]",
          change.site(), change.seq());
    } else if (change.wholeSite()) {
      sites.changed(change.site(), change.version());
      toForget.add(change.site());
      siteChanges.increment();
      LOG.debug("site changed [site: {}, version: {}, change: {}]", change.site(), change.version(), change.seq());
    } else {
      purges.purged(change.site(), change.documents(), change.seq(), change.at().toEpochMilli());
      toRetire.add(change.site());
      documentPurges.increment();
      LOG.debug("answers citing documents purged [site: {}, documents: {}, change: {}]", change.site(),
          change.documents().size(), change.seq());
    }
  }

  private void snapshot(ChangeFeed.Snapshot snapshot) {
    snapshot.versions().forEach((site, version) -> {
      if (sites.changed(site, version)) {
        toForget.add(site);
      }
    });
    for (SiteChange purge : snapshot.purges()) {
      if (purge.isWrongHit()) {
        semantic.blockWrongHits(purge.site(), List.of(purge.wrongHit()));
        continue;
      }
      purges.purged(purge.site(), purge.documents(), purge.seq(), purge.at().toEpochMilli());
      toRetire.add(purge.site());
    }
    LOG.info("following origin's change feed from a snapshot [change: {}, sites: {}, purges kept: {}, was at: {}]",
        snapshot.seq(), snapshot.versions().size(), snapshot.purges().size(), applied);
    applied = Math.max(applied, snapshot.seq());
    snapshots.increment();
  }

  /** Drops the answers in memory of the sites the last chunk changed: one pass per site, however many changes. */
  private void forgetPending() {
    for (String site : toForget) {
      cache.forgetSite(site);
      semantic.forgetSite(site);
    }
    toForget.clear();
    for (String site : toRetire) {
      List<AnswerKey> retired = cache.forgetRetired(site);
      semantic.forget(site, retired);
    }
    toRetire.clear();
  }

  private void drop(OriginClient.ChangeStream lost, String reason) {
    if (stream != lost) {
      return;
    }
    stream = null;
    watchdog.stop();
    forgetPending();
    lost.request().reset();
    retry(reason);
  }

  private void retry(String reason) {
    state = State.DOWN;
    if (closed) {
      return;
    }
    failures++;
    reconnects.increment();
    long delay = delayMs(failures, ThreadLocalRandom.current().nextDouble());
    if (failures == 1) {
      LOG.warn("lost origin's change feed, reconnecting; site entries expire after edge.siteCacheMs meanwhile "
          + "[reason: {}, after: {}, in: {} ms]", reason, applied, delay);
    } else {
      LOG.debug("origin's change feed still down [reason: {}, tries: {}, next in: {} ms]", reason, failures, delay);
    }
    retryTimer = vertx.setTimer(delay, id -> connect());
  }

  /** 250 ms after the first failure, doubling up to 5 s, less up to a fifth at random ({@code random} in [0, 1)). */
  static long delayMs(int failures, double random) {
    double doubled = FIRST_RETRY_MS * Math.pow(2, Math.min(failures - 1, 20));
    return Math.max(1, Math.round(Math.min(doubled, MAX_RETRY_MS) * (1 - 0.2 * random)));
  }

  /** Stops following (on any thread). */
  @Override
  public void close() {
    if (context == null) {
      return;
    }
    context.runOnContext(v -> {
      closed = true;
      state = State.DOWN;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
      }
      if (pruneTimer >= 0) {
        vertx.cancelTimer(pruneTimer);
      }
      if (stream != null) {
        OriginClient.ChangeStream open = stream;
        stream = null;
        watchdog.stop();
        open.request().reset();
      }
    });
  }
}
