package dev.edgechat.edge;

import dev.edgechat.answer.AnswerEngine;
import dev.edgechat.answer.AnswerFlight;
import dev.edgechat.answer.AnswerSink;
import dev.edgechat.answer.AnswerSource;
import dev.edgechat.answer.Question;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.cache.ConversationDigests;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.limits.VisitorLimits;
import dev.edgechat.ops.SiteTags;
import dev.edgechat.ops.logging.LogContext;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.Events;
import dev.edgechat.protocol.Jobs;
import dev.edgechat.protocol.QuestionVector;
import dev.edgechat.protocol.ReadAfter;
import dev.edgechat.time.Scheduler;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.CorsGuard;
import dev.edgechat.web.Ids;
import dev.edgechat.web.JsonBodyHandler;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseStream;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The visitor-facing chat API of API.md §1: {@code POST /v1/chat} (SSE or JSON) and
 * {@code GET /v1/conversations/{id}}. A chat request is checked (body, site, Origin) and then
 * answered with {@code ready} before anything else is done for it.
 *
 * <p>The answer comes through the answer engine ({@link AnswerEngine}: cache, coalescing, origin,
 * storing); this class supplies what is the chat's: the question's key (its text and the digest of
 * the conversation's turns before it), origin as the upstream ({@link #fromOrigin}), the chat's
 * replay and "may store" rule ({@link ChatAnswerFormat}), and what a visitor's answer owes their
 * conversation (recording an answer origin did not make for them, the conversation's digest).
 */
public final class ChatApi {

  /** How long a conversation nobody continues is remembered for caching its follow-ups. */
  private static final Duration CONVERSATION_IDLE = Duration.ofHours(6);

  private final Vertx vertx;
  private final LiveConfig config;
  private final SiteDirectory sites;
  private final OriginClient origin;
  /** Header by which the widget's frame (same origin as the edge) names the page that embeds it. */
  static final String EMBEDDER = "X-Edgechat-Embedder";

  private final ResumeApi resumes;
  private final ConversationRecorder recorder;
  private final ConversationDigests digests;
  private final AnswerEngine<CachedAnswer> answers;
  private final VisitorLimits limits;
  private final ChatMeters meters;
  /** The region and its JSON string, as {@code ready} last carried them. */
  private volatile String[] regionJson;
  /** The semantic cache's embedding model, named with the question vectors sent to origin; null: none sent. */
  private final String embedderModel;

  /**
   * @param limits the abuse limits each chat and read is held to (docs/limits.md)
   * @param siteTags the bounded {@code site} label of the chat's metrics
   */
  public ChatApi(Vertx vertx, LiveConfig config, SiteDirectory sites, OriginClient origin, AnswerCache cache,
      SemanticCache semantic, ResumeApi resumes, VisitorLimits limits, MeterRegistry registry, SiteTags siteTags) {
    this.vertx = Objects.requireNonNull(vertx);
    this.config = Objects.requireNonNull(config);
    this.sites = Objects.requireNonNull(sites);
    this.origin = Objects.requireNonNull(origin);
    this.resumes = Objects.requireNonNull(resumes);
    this.limits = Objects.requireNonNull(limits);
    Scheduler time = Scheduler.of(vertx);
    this.recorder = new ConversationRecorder(origin, registry, time);
    this.digests = new ConversationDigests(config.get().cache().followUps(), CONVERSATION_IDLE, time::nanoTime);
    this.meters = new ChatMeters(config, registry, siteTags);
    this.embedderModel = semantic.embedderModel();
    this.answers = new AnswerEngine<>("chat", config, cache, semantic, new ChatAnswerFormat(), outcome -> { },
        registry);
  }

  /**
   * Completes once the exchanges this edge served without asking origin for them (cache hits,
   * joined flights) are saved in their conversations at origin, or given up; at stop, after the
   * port closed and before origin (in role all, this process's) stops. Never fails.
   */
  public Future<Void> flush() {
    return recorder.flush();
  }

  public void mount(Router router) {
    mount(router, RoutingContext::next);
  }

  /**
   * Mounts the routes; {@code admitNewStream} runs first on {@code POST /v1/chat}, after CORS (so a
   * browser can read its refusal): a draining process refuses new answers there (Drain).
   */
  public void mount(Router router, Handler<RoutingContext> admitNewStream) {
    // Any page may ask (the widget is embedded cross-site); each site's allowedOrigins is enforced per request.
    // a malformed Origin header is 403 forbidden_origin before the CORS handler sees it (CorsGuard)
    router.route("/v1/*").handler(CorsGuard.of(CorsHandler.create()
        .addOriginWithRegex(".*")
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
        .allowedHeaders(Set.of("Content-Type", "Accept", "Last-Event-ID", "Prefer"))
        .exposedHeaders(Set.of("Retry-After")) // the widget tells a rate-limited visitor how long to wait
        .maxAgeSeconds(86_400)));
    router.post("/v1/chat")
        .handler(admitNewStream)
        .handler(new JsonBodyHandler(config.get().http().maxBodyBytes()))
        .handler(this::chat);
    router.route("/v1/chat").handler(ctx -> ctx.fail(new ApiError(405, "method_not_allowed", "use POST /v1/chat")));
    router.get("/v1/conversations/:id").handler(limits::admitRead).handler(this::conversation);
    // the widget's nearest-edge probe (docs/widget.md): cheap, never cached, readable cross-origin (CORS above)
    router.get("/v1/ping").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("status", "up").put("region", config.get().region()).encode()));
    router.get("/v1/jobs/:id").handler(limits::admitRead).handler(this::job);
  }

  private void chat(RoutingContext ctx) {
    long started = System.nanoTime();
    Spans.route("POST /v1/chat");
    Cancellation visitorGone = Cancellation.whenClientLeaves(ctx);
    EdgechatConfig settings = config.get();
    ChatRequest chat = ChatRequest.from(RequestBodies.json(ctx), settings.edge().maxMessageChars());
    sites.lookup(chat.site(), vertx.getOrCreateContext())
        .compose(known -> {
          checkOrigin(ctx.request(), known.site());
          // after the site's own checks, before any work for the answer: a refusal costs nothing
          return limits.admitChat(ctx.request(), known.site(), chat.visitor(), wantsAsync(ctx.request())).map(known);
        })
        .onSuccess(known -> {
          if (visitorGone.isCancelled()) {
            return;
          }
          if (wantsAsync(ctx.request())) {
            answerLater(ctx, chat);
          } else {
            answer(ctx, chat, known, settings, started, visitorGone);
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

  private void answer(RoutingContext ctx, ChatRequest chat, SiteDirectory.Known site, EdgechatConfig settings,
      long started, Cancellation visitorGone) {
    String conversation = chat.conversation() != null ? chat.conversation() : Ids.next();
    String message = Ids.next();
    LogContext.describe(chat.site(), conversation, message);
    AnswerRequest request = new AnswerRequest(chat.site(), conversation, chat.conversation() == null, message,
        chat.message(), chat.visitor());
    boolean eventStream = wantsEventStream(ctx.request());
    SseEvent ready = !eventStream ? null : readyEvent(conversation, message, settings.region());
    String history = history(request);
    Question question = question(request, site, history);
    if (eventStream && sendHitWhole(ctx, request, site.site(), question, ready, settings.region(), started)) {
      return;
    }
    Context context = vertx.getOrCreateContext();
    Consumer<AnswerFlight> follow;
    long readyAt = 0;
    if (eventStream) {
      SseStream sse = new SseStream(ctx.response()).open();
      MessageStream stream = resumes.open(message, ready, started);
      SseRelay relay = new SseRelay(vertx, sse, settings.edge().heartbeatMs(), settings.features().streaming());
      visitorGone.onCancel(relay::visitorLeft);
      relay.follow(stream.log(), 0, context);
      readyAt = System.nanoTime(); // ready is the stream's first event, written as it is followed
      follow = flight -> stream.follow(flight, context);
    } else {
      JsonRelay relay = new JsonRelay(ctx.response(), conversation, message);
      visitorGone.onCancel(relay::visitorLeft);
      follow = flight -> relay.follow(flight, context);
    }
    AnswerEngine.Answer answer = answers.answer(question, fromOrigin(request));
    long readySent = readyAt;
    answer.onResolved(context, outcome -> {
      Spans.tag(Spans.CACHE_OUTCOME, outcome.tag());
      AnswerFlight flight = answer.flight();
      long followed = System.nanoTime();
      flight.onEnd(log -> {
        long[] saved = measure(request, outcome, flight, log, started, readySent,
            Math.max(flight.firstTokenNanos(), followed));
        String text = !ChatAnswerFormat.endedWell(log) ? null
            : flight.knownText() != null ? flight.knownText() : String.join("", ChatAnswerFormat.tokens(log));
        if (text != null) {
          limits.answered(site.site(), outcome.askedUpstream(), tokens(log.get(log.size() - 1).json()));
        }
        if (!outcome.askedUpstream() && text != null) {
          // the answer was made for someone else (cache, a joined flight): it belongs in this conversation too,
          // with what it spared (origin's usage report)
          recorder.record(request, text, saved[0], saved[1]);
        } else if (text != null) {
          // origin wrote this answer at this position: the conversation's next read must see it
          OriginClient.position(log.get(log.size() - 1).json().getValue(ReadAfter.FIELD))
              .ifPresent(lsn -> recorder.wrote(request.conversation(), lsn));
        }
        rememberTurn(request, history, text);
      });
      follow.accept(flight);
    });
  }

  /**
   * {@code ready} with {@code {"conversation","message","region"}}, its JSON written without a
   * JSON object (issue 20: building and encoding one took 3 % of the event loops on hits): both ids are
   * checked ids ({@code [A-Za-z0-9_-]}, nothing to escape), the region's JSON string is encoded once.
   */
  private SseEvent readyEvent(String conversation, String message, String region) {
    return ready(conversation, message, regionJson(region));
  }

  /** The region as a JSON string, encoded once while it stays the same. */
  private String regionJson(String region) {
    String[] known = regionJson;
    if (known == null || !Objects.equals(known[0], region)) {
      known = new String[] {region, Json.encode(region)};
      regionJson = known;
    }
    return known[1];
  }

  /** The {@code ready} event of a message; {@code regionJson} the region already encoded as a JSON string. */
  static SseEvent ready(String conversation, String message, String regionJson) {
    return new SseEvent(null, Events.READY,
        "{\"conversation\":\"" + conversation + "\",\"message\":\"" + message + "\",\"region\":" + regionJson + "}");
  }

  /** The {@code done} event of an exact hit sent whole, {@code ms} after the request arrived. */
  static SseEvent hitDone(long ms) {
    return new SseEvent(null, Events.DONE, "{\"cache\":\"hit\",\"stale\":false,\"ms\":" + ms + "}");
  }

  /**
   * The chat's timings once its answer ended, and what a visitor served without a model call of
   * their own spared: a cached answer's cost when it was made ({@link AnswerFlight#knownCost}), or
   * the cost of the identical question's call a joined visitor shared (origin's {@code done}). {@code firstToken}: when
   * this visitor could have the first token, ignored when the answer had none. Returns the input
   * and output tokens spared, {0, 0} when none or unknown.
   */
  private long[] measure(AnswerRequest request, AnswerEngine.Outcome outcome, AnswerFlight flight,
      List<SseEvent> log, long started, long readyAt, long firstToken) {
    boolean ok = ChatAnswerFormat.endedWell(log);
    boolean anyToken = log.stream().anyMatch(e -> Events.TOKEN.equals(e.event()));
    meters.answered(outcome, ok, started, readyAt, anyToken ? firstToken : 0, System.nanoTime());
    JsonObject done = ok ? log.get(log.size() - 1).json() : null;
    if (done == null || outcome.askedUpstream()) {
      return new long[2];
    }
    long[] spared;
    if ("miss".equals(done.getString("cache"))) {
      spared = new long[] {count(done, "inputTokens"), count(done, "outputTokens")}; // a joined call's answer
    } else if (outcome == AnswerEngine.Outcome.JOINED) {
      return new long[2]; // joined a replay: the visitor it was replayed for counted the saving
    } else {
      long[] known = flight.knownCost();
      spared = known != null ? known : new long[2];
    }
    meters.saved(request.site(), spared[0], spared[1]);
    return spared;
  }

  private static long count(JsonObject json, String field) {
    return json != null && json.getValue(field) instanceof Number n && n.longValue() >= 0 ? n.longValue() : 0;
  }

  /**
   * The digest of the conversation's turns before this question ({@link ConversationDigests#NONE}
   * for a new one), or null when this edge does not know them.
   */
  private String history(AnswerRequest request) {
    return request.newConversation()
        ? ConversationDigests.NONE
        : digests.before(request.conversation()).orElse(null);
  }

  /**
   * The question as the answer engine takes it: cached under its text and the digest of the turns
   * before it, found by meaning too (first questions only), when this edge knows those turns;
   * otherwise answered by origin uncached. A site known only as it last was (origin cannot be
   * reached) reads no cached answer as fresh: origin is asked, and if it cannot answer, the cached
   * answer is served marked stale.
   */
  private static Question question(AnswerRequest request, SiteDirectory.Known known, String history) {
    if (history == null) {
      return Question.uncached();
    }
    Site site = known.site();
    return new Question(AnswerKey.of(site.id(), site.kbVersion(), request.question(), history), request.question(),
        known.current() ? Question.Lookup.BY_MEANING : Question.Lookup.WRITE_ONLY, true, site.semantic());
  }

  /**
   * The hot path of a hit: when this process holds a fresh answer to the question, the whole
   * stream ({@code ready}, the replayed events, {@code done}) goes out in one write, built from
   * bytes encoded when the answer was cached, with no flight, relay, timer or asynchronous step;
   * the exchange is recorded and the conversation's digest kept as for any hit, before the visitor
   * sees the end. Returns false, having done nothing, when the answer is not at hand (the general
   * path then looks further: Redis, meaning, a flight in progress, origin).
   */
  private boolean sendHitWhole(RoutingContext ctx, AnswerRequest request, Site site, Question question, SseEvent ready,
      String region, long started) {
    Optional<CachedAnswer> cached = answers.hitHere(question);
    if (cached.isEmpty()) {
      return false;
    }
    CachedAnswer answer = cached.get();
    long now = System.nanoTime();
    meters.answered(AnswerEngine.Outcome.HIT, true, started, now, now, now);
    Spans.tag(Spans.CACHE_OUTCOME, "hit");
    limits.answered(site, false, OptionalLong.empty());
    meters.saved(site.id(), answer.inputTokens(), answer.outputTokens());
    recorder.record(request, answer.text(), answer.inputTokens(), answer.outputTokens());
    digests.answered(request.conversation(), question.key(), answer);
    long ms = (System.nanoTime() - started) / 1_000_000;
    SseEvent done = hitDone(ms);
    resumes.keep(new ReplayedMessage(request.conversation(), request.message(),
        regionJson(region), answer, ms));
    // the cached frames go out as they are, between this response's own first and last event: no copy per hit
    Buffer frames = BufferInternal.buffer(Unpooled.wrappedBuffer(ready.wireBytes(1), answer.replayFramesView(),
        Unpooled.wrappedBuffer(done.wireBytes(CachedAnswer.FIRST_REPLAY_ID + answer.replayEvents()))));
    new SseStream(ctx.response()).sendWhole(frames);
    return true;
  }

  /**
   * Origin as the answer engine asks it: once origin knows the exchanges this edge served from
   * cache in the request's conversation, its answer's events, or the error it failed with.
   */
  private AnswerSource fromOrigin(AnswerRequest request) {
    return new AnswerSource() {
      @Override
      public void answer(AnswerSink sink, Cancellation everyoneLeft) {
        answer(sink, everyoneLeft, null);
      }

      /** With the question's vector from the semantic lookup, so that origin need not embed it again. */
      @Override
      public void answer(AnswerSink sink, Cancellation everyoneLeft, float[] questionVector) {
        QuestionVector vector = questionVector == null || embedderModel == null ? null
            : new QuestionVector(embedderModel, questionVector);
        settled(request)
            .compose(v -> origin.answer(request, vector, everyoneLeft))
            .onSuccess(answer -> answer.start(sink::publish, error -> sink.publish(ChatAnswerFormat.error(error))))
            .onFailure(e -> sink.publish(ChatAnswerFormat.error(asApiError(e))));
      }
    };
  }

  /** Completes once origin knows the exchanges this edge served from cache in the request's conversation. */
  private Future<Void> settled(AnswerRequest request) {
    return request.newConversation() ? Future.succeededFuture() : recorder.settled(request.conversation());
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
    // after the exchanges this edge recorded, and holding every write origin said it made to it
    recorder.settled(id)
        .compose(v -> origin.conversation(id, recorder.position(id)))
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

  /** The tokens an answer from origin cost, as its {@code done} says ({@code tokens}), when it says. */
  private static OptionalLong tokens(JsonObject done) {
    return done != null && done.getValue("tokens") instanceof Number n && n.longValue() >= 0
        ? OptionalLong.of(n.longValue()) : OptionalLong.empty();
  }

  private static ApiError asApiError(Throwable e) {
    return e instanceof ApiError api ? api : ApiError.upstreamUnavailable("origin cannot be reached");
  }
}
