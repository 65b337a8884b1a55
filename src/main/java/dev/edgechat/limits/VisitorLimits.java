package dev.edgechat.limits;

import dev.edgechat.config.LimitSettings;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.knowledge.SiteLimits;
import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The visitor API's abuse limits (docs/limits.md), over {@code limits.*} and each site's own
 * {@link SiteLimits}:
 *
 * <ul>
 *   <li>a chat ({@code POST /v1/chat}) is taken from its site's daily token budget (refused once it
 *       is spent), its visitor id's chats per minute and its client address's chats per minute,
 *       all or none;
 *   <li>every other visitor request (history, resume, jobs) from its client address's reads per minute;
 *   <li>an answer, once it ended, costs its site's budget what the model reported it cost (a miss),
 *       {@code limits.hitTokens} (a hit) or {@code limits.estimatedMissTokens} (usage unknown;
 *       an asynchronous chat, charged when accepted).
 * </ul>
 *
 * A request over a limit fails with {@code 429 rate_limited} and {@code Retry-After}; when the
 * counters cannot be reached it passes ({@link Limiter}).
 */
public final class VisitorLimits {

  static final long MINUTE_MS = 60_000;
  static final long DAY_MS = 86_400_000;

  private final Limiter limiter;
  private final LiveConfig config;
  private final ClientAddress clients;

  public VisitorLimits(Limiter limiter, LiveConfig config) {
    this.limiter = Objects.requireNonNull(limiter);
    this.config = Objects.requireNonNull(config);
    this.clients = new ClientAddress(config.get().limits().trustedProxies());
  }

  /**
   * Admits a chat of {@code site}. Succeeds when it may be answered (and counts it); fails with
   * {@code 429 rate_limited} carrying the seconds until the refusing window frees.
   *
   * @param visitor the widget's visitor id, or null (then only the address is limited)
   * @param async whether the answer becomes a job, whose usage this edge never sees: it is
   *     charged {@code limits.estimatedMissTokens} now
   */
  public Future<Void> admitChat(HttpServerRequest request, Site site, String visitor, boolean async) {
    LimitSettings settings = config.get().limits();
    if (!settings.enabled()) {
      return Future.succeededFuture();
    }
    SiteLimits own = site.limits();
    String client = clients.of(request);
    List<Window> windows = new ArrayList<>(3);
    windows.add(new Window("site_budget", site.id(), or(own.dailyTokens(), settings.siteDailyTokens()), DAY_MS,
        async ? settings.estimatedMissTokens() : 0));
    if (visitor != null) {
      windows.add(new Window("visitor", site.id() + ":" + visitor,
          or(own.visitorChatsPerMinute(), settings.visitorChatsPerMinute()), MINUTE_MS, 1));
    }
    windows.add(new Window("ip", site.id() + ":" + client, or(own.ipChatsPerMinute(), settings.ipChatsPerMinute()),
        MINUTE_MS, 1));
    return limiter.take(windows).compose(verdict -> verdict.allowed()
        ? Future.succeededFuture()
        : Future.failedFuture(refusal(verdict)));
  }

  /**
   * A route handler for the visitor's other requests: passes the request on when its client
   * address has reads left this minute, else fails it {@code 429 rate_limited}.
   */
  public void admitRead(RoutingContext ctx) {
    LimitSettings settings = config.get().limits();
    if (!settings.enabled() || settings.ipReadsPerMinute() == 0) {
      ctx.next();
      return;
    }
    limiter.take(List.of(new Window("ip_reads", clients.of(ctx.request()), settings.ipReadsPerMinute(), MINUTE_MS, 1)))
        .onSuccess(verdict -> {
          if (verdict.allowed()) {
            ctx.next();
          } else {
            ctx.fail(refusal(verdict));
          }
        });
  }

  /**
   * An answer of {@code site} ended: charges its budget.
   *
   * @param askedUpstream whether it was made for this request (a miss) rather than taken from a cache
   * @param tokens what the model reported it cost, when it did
   */
  public void answered(Site site, boolean askedUpstream, OptionalLong tokens) {
    LimitSettings settings = config.get().limits();
    long cost = !askedUpstream ? settings.hitTokens() : tokens.orElse(settings.estimatedMissTokens());
    if (settings.enabled() && cost > 0) {
      limiter.take(List.of(new Window("site_budget", site.id(), 0, DAY_MS, cost)));
    }
  }

  /** The client address a request is counted against (docs/limits.md). */
  public String client(HttpServerRequest request) {
    return clients.of(request);
  }

  private static long or(OptionalLong own, long setting) {
    return own.isPresent() ? own.getAsLong() : setting;
  }

  private static ApiError refusal(Verdict verdict) {
    Window w = verdict.refused();
    long seconds = verdict.retryAfterSeconds();
    String what = switch (w.kind()) {
      case "site_budget" -> "this site has used its answers for today (" + w.limit() + " tokens)";
      case "visitor" -> "too many questions from this visitor (" + w.limit() + " a minute)";
      case "ip" -> "too many questions from this address (" + w.limit() + " a minute)";
      default -> "too many requests from this address (" + w.limit() + " a minute)";
    };
    return new ApiError(429, "rate_limited", what + "; try again in " + seconds + " s", seconds);
  }
}
