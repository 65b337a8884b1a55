package dev.edgechat.origin;

import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.KnowledgeBase;
import dev.edgechat.knowledge.Passage;
import dev.edgechat.knowledge.Site;
import dev.edgechat.llm.ChatModel;
import dev.edgechat.llm.ChatPrompt;
import dev.edgechat.llm.Turn;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.ErrorResponder;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseStream;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;

/**
 * Origin's internal API, called by edges with the shared edge token:
 * {@code POST /internal/answer} streams an answer; {@code GET /internal/sites/{site}} and
 * {@code GET /internal/conversations/{id}} serve what edges need to know.
 */
public final class OriginApi {

  private final LiveConfig config;
  private final KnowledgeBase knowledge;
  private final ConversationStore conversations;
  private final ChatModel model;
  private final byte[] edgeToken;

  public OriginApi(LiveConfig config, KnowledgeBase knowledge, ConversationStore conversations, ChatModel model,
      String edgeToken) {
    this.config = Objects.requireNonNull(config);
    this.knowledge = Objects.requireNonNull(knowledge);
    this.conversations = Objects.requireNonNull(conversations);
    this.model = Objects.requireNonNull(model);
    this.edgeToken = ("Bearer " + Objects.requireNonNull(edgeToken)).getBytes(StandardCharsets.UTF_8);
  }

  public void mount(Router router) {
    router.route("/internal/*").handler(this::authenticate);
    router.post("/internal/answer")
        .handler(BodyHandler.create(false).setBodyLimit(config.get().http().maxBodyBytes()))
        .handler(this::answer);
    router.get("/internal/sites/:site").handler(this::site);
    router.get("/internal/conversations/:id").handler(this::conversation);
  }

  private void authenticate(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !MessageDigest.isEqual(edgeToken, header.getBytes(StandardCharsets.UTF_8))) {
      ctx.fail(ApiError.unauthorized("the edge token is missing or wrong"));
      return;
    }
    ctx.next();
  }

  private void site(RoutingContext ctx) {
    knowledge.site(ctx.pathParam("site"))
        .onSuccess(site -> site.ifPresentOrElse(
            s -> json(ctx.response()).end(s.toJson().encode()),
            () -> ctx.fail(ApiError.notFound("no site '" + ctx.pathParam("site") + "'"))))
        .onFailure(ctx::fail);
  }

  private void conversation(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!RequestBodies.isId(id)) {
      ctx.fail(ApiError.invalidRequest("'" + id + "' is not a valid conversation id"));
      return;
    }
    conversations.conversation(id)
        .onSuccess(found -> found.ifPresentOrElse(
            c -> json(ctx.response()).end(c.encode()),
            () -> ctx.fail(ApiError.notFound("no conversation '" + id + "'"))))
        .onFailure(ctx::fail);
  }

  /**
   * Checks what can be checked before streaming (site, conversation) and answers those with a plain
   * HTTP error; from the first token on, failures travel as an {@code error} event.
   */
  private void answer(RoutingContext ctx) {
    long started = System.nanoTime();
    AnswerRequest request = AnswerRequest.fromJson(RequestBodies.json(ctx));
    var settings = config.get();
    Future<Site> site = knowledge.site(request.site())
        .map(found -> found.orElseThrow(() -> ApiError.notFound("no site '" + request.site() + "'")));
    Future<List<Turn>> history = request.newConversation()
        ? Future.succeededFuture(List.of())
        : conversations.siteOf(request.conversation())
            .compose(owner -> {
              if (owner.isEmpty() || !owner.get().equals(request.site())) {
                return Future.failedFuture(ApiError.notFound("no conversation '" + request.conversation() + "'"));
              }
              return conversations.history(request.conversation(), settings.origin().historyTurns());
            });
    Future<List<Passage>> passages = knowledge.search(request.site(), request.question(), settings.origin().passages());
    Future.all(site, history, passages)
        .compose(v -> conversations.saveQuestion(request.conversation(), request.site(), request.visitor(),
            request.message() + "-q", request.question()))
        .compose(v -> model.stream(new ChatPrompt(site.result().systemPrompt(), passages.result(), history.result(),
            request.question(), settings.llm().maxTokens(), settings.llm().temperature())))
        .onSuccess(tokens -> {
          HttpServerResponse response = ctx.response();
          if (response.closed()) {
            tokens.cancel();
            return;
          }
          SseStream sse = new SseStream(response).open();
          AnswerStream stream = new AnswerStream(request, tokens, sse, conversations,
              settings.origin().maxAnswerChars(), started);
          response.closeHandler(v -> stream.closed());
          stream.start();
        })
        .onFailure(e -> ErrorResponder.send(ctx.response(), e instanceof ApiError api ? api
            : ApiError.upstreamUnavailable("origin could not answer: " + e.getMessage())));
  }

  private static HttpServerResponse json(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
  }
}
