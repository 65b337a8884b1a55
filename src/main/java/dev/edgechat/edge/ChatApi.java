package dev.edgechat.edge;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.Site;
import dev.edgechat.origin.AnswerRequest;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.Ids;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseStream;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import dev.edgechat.web.JsonBodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Objects;
import java.util.Set;

/**
 * The visitor-facing chat API of API.md §1: {@code POST /v1/chat} (SSE or JSON) and
 * {@code GET /v1/conversations/{id}}. A chat request is checked (body, site, Origin) and then
 * answered with {@code ready} before anything else is done for it.
 */
public final class ChatApi {

  private final Vertx vertx;
  private final LiveConfig config;
  private final SiteDirectory sites;
  private final OriginClient origin;

  public ChatApi(Vertx vertx, LiveConfig config, SiteDirectory sites, OriginClient origin) {
    this.vertx = Objects.requireNonNull(vertx);
    this.config = Objects.requireNonNull(config);
    this.sites = Objects.requireNonNull(sites);
    this.origin = Objects.requireNonNull(origin);
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
            answer(ctx, chat, settings, started, visitorGone);
          }
        })
        .onFailure(ctx::fail);
  }

  private void answer(RoutingContext ctx, ChatRequest chat, EdgechatConfig settings, long started,
      Cancellation visitorGone) {
    String conversation = chat.conversation() != null ? chat.conversation() : Ids.next();
    String message = Ids.next();
    AnswerRequest request = new AnswerRequest(chat.site(), conversation, chat.conversation() == null, message,
        chat.message(), chat.visitor());
    if (wantsEventStream(ctx.request())) {
      SseStream sse = new SseStream(ctx.response()).open();
      sse.send("ready", new JsonObject()
          .put("conversation", conversation)
          .put("message", message)
          .put("region", settings.region()));
      SseRelay relay = new SseRelay(vertx, sse, settings.edge().heartbeatMs(), settings.features().streaming(),
          started);
      visitorGone.onCancel(relay::visitorLeft);
      origin.answer(request, visitorGone).onSuccess(relay::relay).onFailure(e -> relay.fail(asApiError(e)));
    } else {
      JsonRelay relay = new JsonRelay(ctx.response(), conversation, message);
      visitorGone.onCancel(relay::visitorLeft);
      origin.answer(request, visitorGone).onSuccess(relay::relay).onFailure(e -> relay.fail(asApiError(e)));
    }
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
