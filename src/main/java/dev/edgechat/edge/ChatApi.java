package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.answer.InFlightAnswers;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.cache.ConversationDigests;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.Events;
import dev.edgechat.protocol.Jobs;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.Ids;
import dev.edgechat.web.JsonBodyHandler;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  /** How long a conversation nobody continues is remembered for caching its follow-ups. */
  private static final Duration CONVERSATION_IDLE = Duration.ofHours(6);

  private final Vertx vertx;
  private final LiveConfig config;
  private final SiteDirectory sites;
  private final OriginClient origin;
  /** Header by which the widget's frame (same origin as the edge) names the page that embeds it. */
  static final String EMBEDDER = "X-Edgechat-Embedder";

  private final AnswerCache cache;
  private final SemanticCache semantic;
  private final ResumeApi resumes;
  private final ConversationRecorder recorder;
  private final ConversationDigests digests;
  private final InFlightAnswers<AnswerKey> inFlight;
  private final Counter staleServed;

  public ChatApi(Vertx vertx, LiveConfig config, SiteDirectory sites, OriginClient origin, AnswerCache cache,
      SemanticCache semantic, ResumeApi resumes, MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx);
    this.config = Objects.requireNonNull(config);
    this.sites = Objects.requireNonNull(sites);
    this.origin = Objects.requireNonNull(origin);
    this.cache = Objects.requireNonNull(cache);
    this.semantic = Objects.requireNonNull(semantic);
    this.resumes = Objects.requireNonNull(resumes);
    this.recorder = new ConversationRecorder(origin, registry);
    this.digests = new ConversationDigests(config.get().cache().followUps(), CONVERSATION_IDLE);
    this.inFlight = new InFlightAnswers<>(registry, "chat");
    this.staleServed = Counter.builder("edgechat.cache.stale")
        .description("answers served stale from the cache because origin could not answer").register(registry);
  }

  public void mount(Router router) {
    // Any page may ask (the widget is embedded cross-site); each site's allowedOrigins is enforced per request.
    router.route("/v1/*").handler(CorsHandler.create()
        .addOriginWithRegex(".*")
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
        .allowedHeaders(Set.of("Content-Type", "Accept", "Last-Event-ID", "Prefer"))
        .exposedHeaders(Set.of("Retry-After")) // the widget tells a rate-limited visitor how long to wait
        .maxAgeSeconds(86_400));
    router.post("/v1/chat")
        .handler(new JsonBodyHandler(config.get().http().maxBodyBytes()))
        .handler(this::chat);
    router.route("/v1/chat").handler(ctx -> ctx.fail(new ApiError(405, "method_not_allowed", "use POST /v1/chat")));
    router.get("/v1/conversations/:id").handler(this::conversation);
    // the widget's nearest-edge probe (docs/widget.md): cheap, never cached, readable cross-origin (CORS above)
    router.get("/v1/ping").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("status", "up").put("region", config.get().region()).encode()));
    router.get("/v1/jobs/:id").handler(this::job);
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
          if (visitorGone.isCancelled()) {
            return;
          }
          if (wantsAsync(ctx.request())) {
            answerLater(ctx, chat);
          } else {
            answer(ctx, chat, site, settings, started, visitorGone);
          }
        })
        .onFailure(ctx::fail);
  }

  /** {@code Prefer: respond-async}: the answer becomes a job; {@code 202 {"job","conversation","message"}}. */
  private void answerLater(RoutingContext ctx, ChatRequest chat) {
    String conversation = chat.conversation() != null ? chat.conversation() : Ids.next();
    AnswerRequest request = new AnswerRequest(chat.site(), conversation, chat.conversation() == null, Ids.next(),
        chat.message(), chat.visitor());
    settled(request)
        .compose(v -> origin.enqueueChat(request))
        .map(job -> new JsonObject()
            .put("job", job.getString("id"))
            .put("conversation", request.conversation())
            .put("message", request.message()))
        .onSuccess(body -> ctx.response()
            .setStatusCode(202)
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .putHeader("Preference-Applied", "respond-async")
            .putHeader(HttpHeaders.LOCATION, "/v1/jobs/" + body.getString("job"))
            .end(body.encode()))
        .onFailure(ctx::fail);
  }

  /** {@code GET /v1/jobs/{id}}: the job as origin's queue knows it. */
  private void job(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!Jobs.isJobId(id)) {
      ctx.fail(ApiError.notFound("no job '" + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + "'"));
      return;
    }
    origin.job(id)
        .onSuccess(json -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(json.encode()))
        .onFailure(ctx::fail);
  }

  private static boolean wantsAsync(HttpServerRequest request) {
    String prefer = request.getHeader("Prefer");
    return prefer != null && prefer.toLowerCase(Locale.ROOT).contains("respond-async");
  }

  private void answer(RoutingContext ctx, ChatRequest chat, Site site, EdgechatConfig settings, long started,
      Cancellation visitorGone) {
    String conversation = chat.conversation() != null ? chat.conversation() : Ids.next();
    String message = Ids.next();
    AnswerRequest request = new AnswerRequest(chat.site(), conversation, chat.conversation() == null, message,
        chat.message(), chat.visitor());
    boolean eventStream = wantsEventStream(ctx.request());
    SseEvent ready = !eventStream ? null : SseEvent.of(Events.READY, new JsonObject()
        .put("conversation", conversation)
        .put("message", message)
        .put("region", settings.region()));
    if (eventStream && sendHitWhole(ctx, request, site, ready, started)) {
      return;
    }
    Context context = vertx.getOrCreateContext();
    Consumer<AnswerFlight> follow;
    if (eventStream) {
      SseStream sse = new SseStream(ctx.response()).open();
      MessageStream stream = resumes.open(message, ready, started);
      SseRelay relay = new SseRelay(vertx, sse, settings.edge().heartbeatMs(), settings.features().streaming());
      visitorGone.onCancel(relay::visitorLeft);
      relay.follow(stream.log(), 0, context);
      follow = flight -> stream.follow(flight, context);
    } else {
      JsonRelay relay = new JsonRelay(ctx.response(), conversation, message);
      visitorGone.onCancel(relay::visitorLeft);
      follow = flight -> relay.follow(flight, context);
    }
    // a Redis lookup completes on the Redis client's event loop: the relay must run on the visitor's
    flight(request, site, settings).onSuccess(seat -> onContext(context, () -> {
      seat.flight().onEnd(log -> {
        String answer = !endedWell(log) ? null
            : seat.flight().knownText() != null ? seat.flight().knownText() : String.join("", tokens(log));
        if (!seat.own() && answer != null) {
          // the answer was made for someone else (cache, a joined flight): it belongs in this conversation too
          recorder.record(request, answer);
        }
        rememberTurn(request, seat.history(), answer);
      });
      follow.accept(seat.flight());
    }));
  }

  /**
   * The hot path of a hit: when this process holds a fresh answer to the question, the whole
   * stream ({@code ready}, the replayed events, {@code done}) goes out in one write, built from
   * bytes encoded when the answer was cached, with no flight, relay, timer or asynchronous step;
   * the exchange is recorded and the conversation's digest kept as for any hit, before the visitor
   * sees the end. Returns false, having done nothing, when the answer is not at hand (the general
   * path then looks further: Redis, meaning, a flight in progress, origin).
   */
  private boolean sendHitWhole(RoutingContext ctx, AnswerRequest request, Site site, SseEvent ready, long started) {
    String history = request.newConversation()
        ? ConversationDigests.NONE
        : digests.before(request.conversation()).orElse(null);
    if (history == null) {
      return false;
    }
    AnswerKey key = AnswerKey.of(site.id(), site.kbVersion(), request.question(), history);
    Optional<CachedAnswer> cached = cache.lookupHere(key);
    if (cached.isEmpty()) {
      return false;
    }
    CachedAnswer answer = cached.get();
    recorder.record(request, answer.text());
    digests.answered(request.conversation(), key, answer);
    SseEvent done = new SseEvent(null, Events.DONE,
        "{\"cache\":\"hit\",\"stale\":false,\"ms\":" + (System.nanoTime() - started) / 1_000_000 + "}");
    resumes.keep(request.message(), new ReplayedMessage(ready, answer, done));
    Buffer frames = Buffer.buffer(answer.replayFramesLength() + ready.data().length() + 128);
    ready.appendTo(frames, 1);
    answer.appendReplayFrames(frames);
    done.appendTo(frames, CachedAnswer.FIRST_REPLAY_ID + answer.replayEvents());
    new SseStream(ctx.response()).sendWhole(frames);
    return true;
  }

  private static void onContext(Context context, Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /**
   * Which flight a visitor reads, whether it is their own (origin saves their conversation), and
   * the digest of the conversation before this question (null when this edge does not know it).
   */
  private record Seat(AnswerFlight flight, boolean own, String history) {
  }

  /**
   * The flight a visitor reads. Identical questions on this edge share one flight from the start
   * (coalescing), so that one of them looks the question up in the cache and, on a miss, asks
   * origin, while the others follow; a question whose flight has just landed finds its answer in
   * the cache, which the landing flight filled before it left the table. A follow-up is cached
   * under its question and the digest of the turns before it when this edge knows them; otherwise
   * it goes to origin uncached.
   */
  private Future<Seat> flight(AnswerRequest request, Site site, EdgechatConfig settings) {
    String history = request.newConversation()
        ? ConversationDigests.NONE
        : digests.before(request.conversation()).orElse(null);
    if (history == null) {
      AnswerFlight flight = new AnswerFlight();
      start(flight, request, null, null);
      return Future.succeededFuture(new Seat(flight, true, null));
    }
    AnswerKey key = AnswerKey.of(site.id(), site.kbVersion(), request.question(), history);
    if (!settings.cache().coalescing()) {
      AnswerFlight flight = new AnswerFlight();
      return resolve(flight, request, key).map(fromOrigin -> new Seat(flight, fromOrigin, history));
    }
    InFlightAnswers.Join seat = inFlight.join(key, AnswerFlight::new);
    if (!seat.created()) {
      return Future.succeededFuture(new Seat(seat.flight(), false, history));
    }
    return resolve(seat.flight(), request, key)
        .onComplete(r -> seat.flight().onEnd(log -> inFlight.landed(key, seat.flight())))
        .map(fromOrigin -> new Seat(seat.flight(), fromOrigin, history));
  }

  /**
   * Fills {@code flight} from the cache's levels in order: exact (L1, then L2), then by meaning
   * (first questions only), else from origin. Succeeds with whether origin answers it.
   */
  private Future<Boolean> resolve(AnswerFlight flight, AnswerRequest request, AnswerKey key) {
    return cache.lookup(key).compose(cached -> {
      if (cached.isPresent()) {
        flight.knowText(cached.get().text());
        flight.publishAll(replay(cached.get(), "hit", false));
        return Future.succeededFuture(false);
      }
      if (flight.isEnded()) {
        return Future.succeededFuture(false); // everyone left while the cache was asked
      }
      return semantic.find(key, request.question()).map(probe -> {
        if (probe.answer().isPresent()) {
          flight.knowText(probe.answer().get().text());
          flight.publishAll(replay(probe.answer().get(), "semantic", false));
          return false;
        }
        start(flight, request, key, probe.vector());
        return true;
      });
    }).recover(e -> {
      // the cache's levels fail open, so this is a bug; the visitors must still hear the end
      LOG.error("answer lookup failed [key: {}]", key, e);
      flight.publish(errorEvent(ApiError.upstreamUnavailable("the answer could not be looked up")));
      return Future.succeededFuture(false);
    });
  }

  /**
   * Asks origin to answer into {@code flight} (unless everyone left already); a complete answer is
   * cached under {@code key} (if any), and findable by meaning through {@code vector} (the
   * question's, if it was embedded).
   */
  private void start(AnswerFlight flight, AnswerRequest request, AnswerKey key, float[] vector) {
    Cancellation everyoneLeft = new Cancellation();
    flight.onCancelUpstream(everyoneLeft::cancel);
    if (flight.isEnded()) {
      return;
    }
    Consumer<SseEvent> publish = flight::publish;
    if (key != null) {
      flight.onEnd(log -> completeAnswer(log).ifPresent(answer -> {
        long lifeMs = cache.store(key, answer);
        semantic.remember(key, request.question(), vector, lifeMs);
      }));
      publish = new StaleFallback(flight, key);
    }
    Consumer<SseEvent> events = publish;
    settled(request)
        .compose(v -> origin.answer(request, everyoneLeft))
        .onSuccess(answer -> answer.start(events::accept, error -> events.accept(errorEvent(error))))
        .onFailure(e -> events.accept(errorEvent(asApiError(e))));
  }

  /** Completes once origin knows the exchanges this edge served from cache in the request's conversation. */
  private Future<Void> settled(AnswerRequest request) {
    return request.newConversation() ? Future.succeededFuture() : recorder.settled(request.conversation());
  }

  private static SseEvent errorEvent(ApiError error) {
    return SseEvent.of(Events.ERROR, error.toEventData());
  }

  /**
   * Passes origin's events to the flight, except that an answer failing before its first event
   * because origin or the model cannot answer is replaced, when the cache still has one, by the
   * answer that was cached for the question, marked {@code stale:true} (within {@code cache.staleMs}).
   */
  private final class StaleFallback implements Consumer<SseEvent> {

    private static final Set<String> UNAVAILABLE = Set.of("upstream_unavailable", "timeout", "overloaded");

    private final AnswerFlight flight;
    private final AnswerKey key;
    private boolean answering;

    StaleFallback(AnswerFlight flight, AnswerKey key) {
      this.flight = flight;
      this.key = key;
    }

    @Override
    public void accept(SseEvent event) {
      if (answering || !Events.ERROR.equals(event.event()) || !UNAVAILABLE.contains(event.json().getString("code"))) {
        answering = true;
        flight.publish(event);
        return;
      }
      cache.stale(key).onComplete(stale -> {
        if (stale.succeeded() && stale.result().isPresent()) {
          staleServed.increment();
          flight.publishAll(replay(stale.result().get(), "hit", true));
        } else {
          flight.publish(event);
        }
      });
    }
  }

  /** The answer of a flight that ended well: done, fresh from the model, not cut short. Errors are never cached. */
  static Optional<CachedAnswer> completeAnswer(List<SseEvent> log) {
    if (!endedWell(log)) {
      return Optional.empty();
    }
    JsonObject done = log.get(log.size() - 1).json();
    if (!"miss".equals(done.getString("cache")) || done.getBoolean("truncated", false)) {
      return Optional.empty();
    }
    JsonArray sources = log.stream().filter(e -> Events.SOURCES.equals(e.event())).findFirst()
        .map(e -> e.json().getJsonArray("items", new JsonArray())).orElseGet(JsonArray::new);
    return Optional.of(new CachedAnswer(tokens(log), sources, done.getString("freshness", "dynamic")));
  }

  private static boolean endedWell(List<SseEvent> log) {
    return !log.isEmpty() && Events.DONE.equals(log.get(log.size() - 1).event());
  }

  /** The text deltas of an answer's events, in order. */
  private static List<String> tokens(List<SseEvent> log) {
    return log.stream().filter(e -> Events.TOKEN.equals(e.event())).map(e -> e.json().getString("text", "")).toList();
  }

  /** A cached answer as the events it was streamed as, marked as a hit of kind {@code cache}. */
  private static List<SseEvent> replay(CachedAnswer answer, String cache, boolean stale) {
    List<SseEvent> events = new ArrayList<>(answer.replay().size() + 1);
    events.addAll(answer.replay());
    events.add(SseEvent.of(Events.DONE, new JsonObject().put("cache", cache).put("stale", stale).put("ms", 0)));
    return events;
  }

  /**
   * Remembers the conversation's turns after an answer, so that its next question can be cached;
   * a failed or abandoned answer ({@code answer} null) leaves origin's history uncertain, so the
   * conversation is forgotten.
   */
  private void rememberTurn(AnswerRequest request, String history, String answer) {
    if (history != null && answer != null) {
      digests.answered(request.conversation(), history, request.question(), answer);
    } else {
      digests.forget(request.conversation());
    }
  }

  private void conversation(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!RequestBodies.isId(id)) {
      ctx.fail(ApiError.invalidRequest("'" + id + "' is not a valid conversation id"));
      return;
    }
    recorder.settled(id)
        .compose(v -> origin.conversation(id))
        .onSuccess(json -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
            .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
            .end(json.encode()))
        .onFailure(ctx::fail);
  }

  /**
   * A browser page may use the chat of a site only from the site's allowed origins. Requests
   * without an Origin header (servers, curl) pass. Same-origin requests come from the edge's own
   * pages: the demo page passes; the widget's frame names the page that embeds it in
   * {@value #EMBEDDER} (the origin the browser gave its postMessage), which must be allowed.
   */
  private static Site checkOrigin(HttpServerRequest request, Site site) {
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (isSelf(request, origin)) {
      origin = request.getHeader(EMBEDDER);
    }
    if (origin == null || isSelf(request, origin) || site.allowsOrigin(origin)) {
      return site;
    }
    throw ApiError.forbiddenOrigin("origin " + origin + " may not use the chat of site '" + site.id() + "'");
  }

  /**
   * Whether {@code origin} is this edge as the browser addressed it (the Host header). The scheme is
   * left out: behind a proxy that ends TLS (Fly's) the edge sees http for a page loaded over https;
   * so a missing port and the two default ports are taken as one.
   */
  static boolean isSelf(HttpServerRequest request, String origin) {
    HostAndPort authority = request.authority();
    if (origin == null || authority == null) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false;
    }
    if (uri.getHost() == null || !uri.getHost().equalsIgnoreCase(authority.host())) {
      return false;
    }
    int own = authority.port();
    int theirs = uri.getPort();
    return own == theirs || (isDefault(own) && isDefault(theirs));
  }

  private static boolean isDefault(int port) {
    return port == -1 || port == 80 || port == 443;
  }

  private static boolean wantsEventStream(HttpServerRequest request) {
    String accept = request.getHeader(HttpHeaders.ACCEPT);
    return accept != null && accept.contains("text/event-stream");
  }

  private static ApiError asApiError(Throwable e) {
    return e instanceof ApiError api ? api : ApiError.upstreamUnavailable("origin cannot be reached");
  }
}
