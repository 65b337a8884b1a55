package dev.edgechat.edge;

import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.origin.AnswerRequest;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.Ids;
import dev.edgechat.web.JsonBodyHandler;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The visitor-facing chat API of API.md §1: {@code POST /v1/chat} (SSE or JSON) and
 * {@code GET /v1/conversations/{id}}. A chat request is checked (body, site, Origin) and then
 * answered with {@code ready} before anything else is done for it.
 */
public final class ChatApi {

  private static final Logger LOG = LoggerFactory.getLogger(ChatApi.class);

  private final Vertx vertx;
  private final LiveConfig config;
  private final SiteDirectory sites;
  private final OriginClient origin;
  private final AnswerCache cache;
  private final InFlightAnswers inFlight;

  public ChatApi(Vertx vertx, LiveConfig config, SiteDirectory sites, OriginClient origin, AnswerCache cache,
      MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.config = Objects.requireNonNull(config);
    this.sites = Objects.requireNonNull(sites);
    this.origin = Objects.requireNonNull(origin);
    this.cache = Objects.requireNonNull(cache);
    this.inFlight = new InFlightAnswers(registry);
  }

  public void mount(Router router) {
    // Any page may ask (the widget is embedded cross-site); each site's allowedOrigins is enforced per request.
    router.route("/v1/*").handler(CorsHandler.create()
        .addOriginWithRegex(".*")
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
        .allowedHeaders(Set.of("Content-Type", "Accept", "Last-Event-ID", "Prefer"))
        .maxAgeSeconds(86_400));
    router.post("/v1/chat")
        .handler(new JsonBodyHandler(config.get().http().maxBodyBytes()))
        .handler(this::chat);
    router.route("/v1/chat").handler(ctx -> ctx.fail(new ApiError(405, "method_not_allowed", "use POST /v1/chat")));
    router.get("/v1/conversations/:id").handler(this::conversation);
  }

  private void chat(RoutingContext ctx) {
    long started = System.nanoTime();
    Cancellation visitorGone = new Cancellation();
    ctx.response().closeHandler(v -> visitorGone.cancel());
    EdgechatConfig settings = config.get();
    ChatRequest chat = ChatRequest.from(RequestBodies.json(ctx), settings.edge().maxMessageChars());
    sites.site(chat.site(), vertx.getOrCreateContext())
        .map(site -> checkOrigin(ctx.request(), site))
        .onSuccess(site -> {
          if (!visitorGone.isCancelled()) {
            answer(ctx, chat, site, settings, started, visitorGone);
          }
        })
        .onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, ChatRequest chat, Site site, EdgechatConfig settings, long started,
      Cancellation visitorGone) {
    String conversation = chat.conversation() != null ? chat.conversation() : Ids.next();
    String message = Ids.next();
    AnswerRequest request = new AnswerRequest(chat.site(), conversation, chat.conversation() == null, message,
        chat.message(), chat.visitor());
    Context context = vertx.getOrCreateContext();
    Consumer<AnswerFlight> follow;
    if (wantsEventStream(ctx.request())) {
      SseStream sse = new SseStream(ctx.response()).open();
      sse.send("ready", new JsonObject()
          .put("conversation", conversation)
          .put("message", message)
          .put("region", settings.region()));
      SseRelay relay = new SseRelay(vertx, sse, settings.edge().heartbeatMs(), settings.features().streaming(),
          started);
      visitorGone.onCancel(relay::visitorLeft);
      follow = flight -> relay.follow(flight, context);
    } else {
      JsonRelay relay = new JsonRelay(ctx.response(), conversation, message);
      visitorGone.onCancel(relay::visitorLeft);
      follow = flight -> relay.follow(flight, context);
    }
    // a Redis lookup completes on the Redis client's event loop: the relay must run on the visitor's
    flight(request, site, settings).onSuccess(seat -> onContext(context, () -> {
      if (!seat.own()) {
        // the answer was made for someone else (cache, a joined flight): it belongs in this conversation too
        seat.flight().onEnd(log -> record(request, log));
      }
      follow.accept(seat.flight());
    }));
  }

  private static void onContext(Context context, Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /** Which flight a visitor reads, and whether it is their own (origin saves their conversation). */
  private record Seat(AnswerFlight flight, boolean own) {
  }

  /**
   * The answer's source: the cache; else a flight for the same question already under way on
   * this edge; else a new flight from origin. Follow-ups depend on the conversation's history, so
   * they always get their own flight.
   */
  private Future<Seat> flight(AnswerRequest request, Site site, EdgechatConfig settings) {
    if (!request.newConversation()) {
      return Future.succeededFuture(new Seat(fly(request, null), true));
    }
    AnswerKey key = AnswerKey.of(site.id(), site.kbVersion(), request.question());
    return cache.lookup(key).map(cached -> {
      if (cached.isPresent()) {
        return new Seat(AnswerFlight.finished(replay(cached.get())), false);
      }
      if (!settings.cache().coalescing()) {
        return new Seat(fly(request, key), true);
      }
      InFlightAnswers.Seat seat = inFlight.join(key, AnswerFlight::new);
      if (seat.created()) {
        start(seat.flight(), request, key);
      }
      return new Seat(seat.flight(), seat.created());
    });
  }

  /** A new flight from origin for {@code request}; a complete answer is cached under {@code key} (if any). */
  private AnswerFlight fly(AnswerRequest request, AnswerKey key) {
    AnswerFlight flight = new AnswerFlight();
    start(flight, request, key);
    return flight;
  }

  private void start(AnswerFlight flight, AnswerRequest request, AnswerKey key) {
    Cancellation everyoneLeft = new Cancellation();
    flight.onCancelUpstream(everyoneLeft::cancel);
    if (key != null) {
      flight.onEnd(log -> completeAnswer(log).ifPresent(answer -> cache.store(key, answer)));
    }
    origin.answer(request, everyoneLeft)
        .onSuccess(answer -> answer.start(flight::publish, flight::fail))
        .onFailure(e -> flight.fail(asApiError(e)));
  }

  /** The answer of a flight that ended well: done, fresh from the model, not cut short. Errors are never cached. */
  static Optional<CachedAnswer> completeAnswer(List<SseEvent> log) {
    if (log.isEmpty() || !"done".equals(log.get(log.size() - 1).event())) {
      return Optional.empty();
    }
    JsonObject done = log.get(log.size() - 1).json();
    if (!"miss".equals(done.getString("cache")) || done.getBoolean("truncated", false)) {
      return Optional.empty();
    }
    JsonArray sources = log.stream().filter(e -> "sources".equals(e.event())).findFirst()
        .map(e -> e.json().getJsonArray("items", new JsonArray())).orElseGet(JsonArray::new);
    return Optional.of(new CachedAnswer(tokens(log), sources, done.getString("freshness", "dynamic")));
  }

  /** The text deltas of an answer's events, in order. */
  private static List<String> tokens(List<SseEvent> log) {
    return log.stream().filter(e -> "token".equals(e.event())).map(e -> e.json().getString("text", "")).toList();
  }

  /** A cached answer as the events it was streamed as, marked as a hit. */
  private static List<SseEvent> replay(CachedAnswer answer) {
    List<SseEvent> events = new ArrayList<>(answer.tokens().size() + 2);
    answer.tokens().forEach(text -> events.add(SseEvent.of("token", new JsonObject().put("text", text))));
    events.add(SseEvent.of("sources", new JsonObject().put("items", answer.sources())));
    events.add(SseEvent.of("done", new JsonObject().put("cache", "hit").put("stale", false).put("ms", 0)));
    return events;
  }

  /** Saves a question and an answer made for someone else into this visitor's conversation. */
  private void record(AnswerRequest request, List<SseEvent> log) {
    if (log.isEmpty() || !"done".equals(log.get(log.size() - 1).event())) {
      return;
    }
    origin.record(request, String.join("", tokens(log))).onFailure(e -> LOG.warn(
        "answer not recorded in the conversation [conversation: {}, message: {}, reason: {}]",
        request.conversation(), request.message(), e.getMessage()));
  }

  private void conversation(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!RequestBodies.isId(id)) {
      ctx.fail(ApiError.invalidRequest("'" + id + "' is not a valid conversation id"));
      return;
    }
    origin.conversation(id)
        .onSuccess(json -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(json.encode()))
        .onFailure(ctx::fail);
  }

  /**
   * A browser page may use the chat of a site only from the site's allowed origins. Requests
   * without an Origin header (servers, curl) and same-origin requests (the demo page) pass.
   */
  private static Site checkOrigin(HttpServerRequest request, Site site) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin == null || origin.equals(request.scheme() + "://" + request.authority()) || site.allowsOrigin(origin)) {
      return site;
    }
    throw ApiError.forbiddenOrigin("origin " + origin + " may not use the chat of site '" + site.id() + "'");
  }

  private static boolean wantsEventStream(HttpServerRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/event-stream");
  }

  private static ApiError asApiError(Throwable e) {
    return e instanceof ApiError api ? api : ApiError.upstreamUnavailable("origin cannot be reached");
  }
}
