package dev.edgechat.origin;

import dev.edgechat.knowledge.SiteChangeLog;
import dev.edgechat.protocol.ChangeFeed;
import dev.edgechat.protocol.SiteChange;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.ExchangesInFlight;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /internal/changes?after=<seq>}: the change feed an edge follows ({@link ChangeFeed}),
 * behind the edge token like the rest of {@code /internal/*} (mount it after {@link OriginApi}).
 *
 * <p>Each feed follows the {@link ChangeHub} before it reads anything, then sends, from the number
 * it resumes after (or a snapshot's), every change in order: from the hub's memory, or from the
 * log when the edge is further behind. Since every send is "the changes after the last one sent",
 * a change that commits while the feed starts is neither lost nor sent twice. Back-pressure: while
 * the edge's socket is full, nothing more is taken; an edge that reads again gets the rest. A
 * {@code : ping} goes out every {@code origin.changesHeartbeatMs} (and at once), so the edge tells a
 * dead link from a quiet one within seconds.
 */
public final class ChangeFeedApi {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedApi.class);
  private static final Pattern NUMBER = Pattern.compile("\\d{1,18}");
  /** Changes read from the log at once for an edge that is behind the hub's memory. */
  private static final int PAGE = 500;
  private static final Buffer PING = Buffer.buffer(": ping\n\n");

  private final Vertx vertx;
  private final ChangeHub hub;
  private final SiteChangeLog log;
  private final LongSupplier heartbeatMs;

  /** @param heartbeatMs how often a quiet feed pings (origin.changesHeartbeatMs, read per feed) */
  public ChangeFeedApi(Vertx vertx, ChangeHub hub, SiteChangeLog log, LongSupplier heartbeatMs) {
    this.vertx = Objects.requireNonNull(vertx);
    this.hub = Objects.requireNonNull(hub);
    this.log = Objects.requireNonNull(log);
    this.heartbeatMs = Objects.requireNonNull(heartbeatMs);
  }

  public void mount(Router router) {
    router.get(ChangeFeed.PATH).handler(this::follow);
  }

  private void follow(RoutingContext ctx) {
    String after = ctx.request().getParam(ChangeFeed.AFTER);
    if (after != null && !NUMBER.matcher(after).matches()) {
      ctx.fail(ApiError.invalidRequest("'" + ChangeFeed.AFTER + "' is the number of the last change applied, a "
          + "whole number from 0"));
      return;
    }
    if (hub.head() < 0) {
      ctx.fail(ApiError.overloaded("origin has not read the site change log yet", 1));
      return;
    }
    Feed feed = new Feed(ctx.response(), vertx.getOrCreateContext());
    // follow first, read after: a change that commits meanwhile is sent all the same
    feed.unfollow = hub.follow(feed::poke);
    Cancellation.whenClientLeaves(ctx).onCancel(feed::closed);
    // a subscription, not an answer under way: a drain does not wait for it, and it ends as the
    // port closes (the edge resumes on another origin, or here after the restart)
    ExchangesInFlight.notAwaited(ctx);
    ctx.request().connection().shutdownHandler(v -> feed.end("origin is stopping"));
    Future<Optional<ChangeFeed.Snapshot>> start = after == null
        ? log.snapshot().map(Optional::of)
        : log.keepsAfter(Long.parseLong(after)).compose(kept -> kept
            ? Future.succeededFuture(Optional.<ChangeFeed.Snapshot>empty())
            : log.snapshot().map(Optional::of));
    start.onComplete(started -> {
      if (started.failed()) {
        feed.closed();
        LOG.warn("change feed not started [reason: {}]", started.cause().toString());
        ctx.fail(ApiError.upstreamUnavailable("origin cannot read the site change log; try again"));
        return;
      }
      feed.open(started.result(), after == null ? -1 : Long.parseLong(after), heartbeatMs.getAsLong());
    });
  }

  /** One edge's feed; runs on the event loop of its request. */
  private final class Feed {

    private final HttpServerResponse response;
    private final Context context;
    private final SseStream sse;
    private Runnable unfollow = () -> { };
    private boolean open;
    private boolean ended;
    private boolean reading;
    private long sent;
    private long heartbeat = -1;

    Feed(HttpServerResponse response, Context context) {
      this.response = response;
      this.context = context;
      this.sse = new SseStream(response);
    }

    void open(Optional<ChangeFeed.Snapshot> snapshot, long after, long heartbeatMs) {
      if (ended || sse.isClosed()) {
        return;
      }
      open = true;
      sse.open();
      response.write(PING);
      if (snapshot.isPresent()) {
        sent = snapshot.get().seq();
        response.write(new SseEvent(Long.toString(sent), ChangeFeed.SNAPSHOT, snapshot.get().toJson().encode())
            .toBuffer());
      } else {
        sent = after;
      }
      heartbeat = vertx.setPeriodic(heartbeatMs, id -> {
        if (!sse.writeQueueFull()) {
          sse.ping();
        }
      });
      pump();
    }

    /** The hub's head moved (called on the hub's event loop). */
    void poke() {
      context.runOnContext(v -> pump());
    }

    /** Sends what the edge has not had yet, as long as its socket takes it. */
    private void pump() {
      if (!open || ended || reading) {
        return;
      }
      while (sent < hub.head()) {
        if (sse.writeQueueFull()) {
          response.drainHandler(v -> pump());
          return;
        }
        Optional<List<SiteChange>> held = hub.after(sent, PAGE);
        if (held.isEmpty()) {
          readLog();
          return;
        }
        if (!send(held.get())) {
          return;
        }
      }
    }

    /** The edge is behind what the hub holds: the next changes come from the log. */
    private void readLog() {
      reading = true;
      log.after(sent, PAGE).onComplete(read -> {
        reading = false;
        if (ended) {
          return;
        }
        if (read.failed()) {
          end("the site change log could not be read: " + read.cause());
        } else if (read.result().isEmpty()) {
          end("the site change log has no change after " + sent);
        } else if (send(read.result())) {
          pump();
        }
      });
    }

    /** Sends {@code changes} that follow the last one sent; false (and the feed ended) on a gap. */
    private boolean send(List<SiteChange> changes) {
      Buffer frames = Buffer.buffer(changes.size() * 160);
      for (SiteChange change : changes) {
        if (change.seq() <= sent) {
          continue;
        }
        if (change.seq() != sent + 1) {
          // pruned while the edge read: it asks again and gets a snapshot
          response.write(frames);
          end("changes after " + sent + " are no longer kept (next: " + change.seq() + ")");
          return false;
        }
        new SseEvent(Long.toString(change.seq()), ChangeFeed.CHANGE, change.toJson().encode()).appendTo(frames,
            change.seq());
        sent = change.seq();
      }
      response.write(frames);
      return true;
    }

    private void end(String reason) {
      if (ended) {
        return;
      }
      LOG.info("change feed ended; the edge reconnects [reason: {}]", reason);
      closed();
      if (open) {
        sse.end();
      } else {
        response.reset();
      }
    }

    void closed() {
      ended = true;
      unfollow.run();
      if (heartbeat >= 0) {
        vertx.cancelTimer(heartbeat);
        heartbeat = -1;
      }
    }
  }
}
