package dev.edgechat.origin;

import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.db.Lsn;
import dev.edgechat.jobs.JobQueue;
import dev.edgechat.cache.semantic.WrongHits;
import dev.edgechat.knowledge.DocumentStore;
import dev.edgechat.knowledge.KnowledgeBase;
import dev.edgechat.knowledge.Passage;
import dev.edgechat.knowledge.Site;
import dev.edgechat.knowledge.SiteChangeLog;
import dev.edgechat.llm.ModelMeters;
import dev.edgechat.llm.ChatModel;
import dev.edgechat.llm.ChatPrompt;
import dev.edgechat.llm.Turn;
import dev.edgechat.llm.TokenStream;
import dev.edgechat.llm.Usage;
import dev.edgechat.ops.logging.LogContext;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.protocol.AnswerRequest;
import dev.edgechat.protocol.ExchangeRecord;
import dev.edgechat.protocol.Jobs;
import dev.edgechat.protocol.Limits;
import dev.edgechat.protocol.QuestionVector;
import dev.edgechat.protocol.ReadAfter;
import dev.edgechat.web.ApiError;
import dev.edgechat.web.BearerToken;
import dev.edgechat.web.Cancellation;
import dev.edgechat.web.ErrorResponder;
import dev.edgechat.web.JsonBodyHandler;
import dev.edgechat.web.RequestBodies;
import dev.edgechat.web.SseStream;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Origin's internal API, called by edges with the shared edge token:
 * {@code POST /internal/answer} streams an answer; {@code GET /internal/sites/{site}} and
 * {@code GET /internal/conversations/{id}} serve what edges need to know.
 */
public final class OriginApi {

  private static final Logger LOG = LoggerFactory.getLogger(OriginApi.class);

  private final LiveConfig config;
  private final KnowledgeBase knowledge;
  private final ConversationStore conversations;
  private final ChatModel model;
  private final JobQueue jobs;
  private final DocumentStore primary;
  private final SiteChangeLog changes;
  private final LongSupplier changeHead;
  private final String edgeToken;
  /** The model calls' metrics: first token, duration, tokens and cost. */
  private final ModelMeters meters;

  /**
   * @param jobs the job queue, or null when this origin has none (asynchronous chat then answers 503)
   * @param primary sites as the primary has them, for an edge that wants a version a replica may not have yet
   * @param changes the site change log, whose purges by document go with each site
   * @param changeHead the last site change this origin has read (-1 when unknown), stamped on each answer
   *     so that a later purge by document can tell it was made before ({@code done.changeSeq})
   */
  public OriginApi(LiveConfig config, KnowledgeBase knowledge, ConversationStore conversations, ChatModel model,
      JobQueue jobs, DocumentStore primary, SiteChangeLog changes, LongSupplier changeHead, String edgeToken,
      ModelMeters meters) {
    this.config = Objects.requireNonNull(config);
    this.meters = Objects.requireNonNull(meters);
    this.knowledge = Objects.requireNonNull(knowledge);
    this.conversations = Objects.requireNonNull(conversations);
    this.model = Objects.requireNonNull(model);
    this.jobs = jobs;
    this.primary = Objects.requireNonNull(primary);
    this.changes = Objects.requireNonNull(changes);
    this.changeHead = Objects.requireNonNull(changeHead);
    this.edgeToken = Objects.requireNonNull(edgeToken);
  }

  public void mount(Router router) {
    router.route("/internal/*").handler(this::authenticate);
    router.post("/internal/answer")
        // the edge's body plus the ids it adds: never refuse what the edge accepted
        .handler(new JsonBodyHandler(Limits.answerRequestBytes(config.get().http().maxBodyBytes())))
        .handler(this::answer);
    router.post("/internal/records")
        .handler(new JsonBodyHandler(Limits.recordsBytes(config.get().http().maxBodyBytes(),
            config.get().origin().maxAnswerChars())))
        .handler(this::records);
    router.get("/internal/sites/:site").handler(this::site);
    router.post("/internal/jobs/chat")
        .handler(new JsonBodyHandler(Limits.answerRequestBytes(config.get().http().maxBodyBytes())))
        .handler(this::enqueueChat);
    router.get("/internal/jobs/:id").handler(this::chatJob);
    router.get("/internal/conversations/:id").handler(this::conversation);
  }

  private void authenticate(RoutingContext ctx) {
    if (!BearerToken.carries(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), edgeToken)) {
      ctx.fail(ApiError.unauthorized("the edge token is missing or wrong"));
      return;
    }
    ctx.next();
  }

  /**
   * Puts an edge's question on the job queue ({@code chat} job, answered by a worker through this
   * API); {@code 202} with the job. The site and conversation are checked first, as for a streamed
   * answer. Nothing but the queue holds the job: when the queue Redis does not answer, nothing is
   * accepted and the answer is {@code 503 overloaded} with {@code Retry-After}.
   */
  private void enqueueChat(RoutingContext ctx) {
    AnswerRequest request = AnswerRequest.fromJson(RequestBodies.json(ctx));
    if (jobs == null) {
      ctx.fail(ApiError.overloaded("this origin has no job queue (queue.redisUrl); ask without respond-async", 60));
      return;
    }
    knowledge.site(request.site())
        .compose(site -> site.isEmpty()
            ? Future.failedFuture(ApiError.notFound("no site '" + request.site() + "'"))
            : ownership(request))
        .compose(v -> jobs.enqueue(Jobs.CHAT, request.toJson())
            .timeout(JobQueue.ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
            .recover(e -> Future.failedFuture(JobQueue.unreachable("the question was not queued"))))
        .onSuccess(job -> json(ctx.response().setStatusCode(202)).end(job.toJson().encode()))
        .onFailure(ctx::fail);
  }

  /**
   * A {@code chat} job, for the public {@code GET /v1/jobs/{id}}: other jobs (ingestion, deletes)
   * are the admin API's business ({@code /admin/jobs/{id}}), so they are not found here.
   */
  private void chatJob(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (jobs == null || !Jobs.isJobId(id)) {
      ctx.fail(ApiError.notFound("no job '" + (id.length() > 64 ? id.substring(0, 64) + "…" : id) + "'"));
      return;
    }
    jobs.find(id)
        .timeout(JobQueue.ANSWER_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .recover(e -> Future.failedFuture(JobQueue.unreachable("the job's state cannot be read")))
        .onSuccess(found -> found.filter(job -> Jobs.CHAT.equals(job.type())).ifPresentOrElse(
            job -> json(ctx.response()).putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(job.toJson().encode()),
            () -> ctx.fail(ApiError.notFound("no job '" + id + "'"))))
        .onFailure(ctx::fail);
  }

  /**
   * {@code GET /internal/sites/{site}?version=n}: the site, at version n or later when there is
   * one (an edge told of version n by the change feed asks with it, and a replica that has not
   * replayed it yet is passed over for the primary), with its purges by document still kept
   * ({@code "purges":[change…]}): an edge that asks again every {@code edge.siteCacheMs} learns
   * them even while it is cut off from the change feed; and the cached questions reported as wrong
   * semantic hits ({@code "wrongHits":[question…]}, normalized, the latest first), when there are.
   */
  private void site(RoutingContext ctx) {
    Spans.route("GET /internal/sites/{site}");
    String id = ctx.pathParam("site");
    String version = ctx.request().getParam("version");
    if (version != null && !version.matches("\\d{1,18}")) {
      ctx.fail(ApiError.invalidRequest("'version' is a site's version, a whole number"));
      return;
    }
    long atLeast = version == null ? 0 : Long.parseLong(version);
    knowledge.site(id)
        .compose(found -> atLeast > 0 && (found.isEmpty() || found.get().kbVersion() < atLeast)
            ? primary.site(id)
            : Future.succeededFuture(found))
        .compose(site -> site.isEmpty()
            ? Future.<JsonObject>failedFuture(ApiError.notFound("no site '" + id + "'"))
            : changes.documentPurges(id).compose(purges -> changes.wrongHits(id, WrongHits.MAX_PER_SITE)
                .map(wrongHits -> {
                  JsonArray kept = new JsonArray();
                  purges.forEach(purge -> kept.add(purge.toJson()));
                  JsonObject json = site.get().toJson().put("purges", kept);
                  return wrongHits.isEmpty() ? json : json.put("wrongHits", new JsonArray(wrongHits));
                })))
        .onSuccess(json -> json(ctx.response()).end(json.encode()))
        .onFailure(ctx::fail);
  }

  private void conversation(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (!RequestBodies.isId(id)) {
      ctx.fail(ApiError.invalidRequest("'" + id + "' is not a valid conversation id"));
      return;
    }
    String after = ctx.request().getHeader(ReadAfter.HEADER);
    if (after != null && !Lsn.isLsn(after)) {
      ctx.fail(ApiError.invalidRequest(ReadAfter.HEADER + " must be a WAL position (X/Y, hexadecimal)"));
      return;
    }
    conversations.conversation(id, Optional.ofNullable(after).map(Lsn::parse))
        .onSuccess(found -> found.ifPresentOrElse(
            c -> json(ctx.response()).end(c.encode()),
            () -> ctx.fail(ApiError.notFound("no conversation '" + id + "'"))))
        .onFailure(ctx::fail);
  }

  /**
   * Answers one question. What can be checked before streaming (site, conversation) is answered
   * with a plain HTTP error; from the first token on, failures travel as an {@code error} event.
   * The question is saved while the model is asked (a model takes hundreds of milliseconds to its
   * first token, a save a few), and no token is relayed before the save succeeded: an answer to a
   * question that was not stored would be lost on the next read.
   */
  private void answer(RoutingContext ctx) {
    long started = System.nanoTime();
    Spans.route("POST /internal/answer");
    // before retrieval: every change up to here committed before the passages are read
    long changeSeq = changeHead.getAsLong();
    Cancellation edgeGone = Cancellation.whenClientLeaves(ctx);
    JsonObject body = RequestBodies.json(ctx);
    AnswerRequest request = AnswerRequest.fromJson(body);
    // the edge's embedding of the question, if it sent one: retrieval need not embed it again
    QuestionVector vector = QuestionVector.fromJson(body);
    LogContext.describe(request.site(), request.conversation(), request.message());
    var settings = config.get();
    Future<Site> site = knowledge.site(request.site())
        .map(found -> found.orElseThrow(() -> ApiError.notFound("no site '" + request.site() + "'")));
    Future<Void> owned = ownership(request);
    // read while ownership is checked (both are reads; the turns are used only if the conversation is the site's)
    Future<List<Turn>> history = request.newConversation()
        ? Future.succeededFuture(List.of())
        : Future.all(owned, conversations.history(request.conversation(), settings.origin().historyTurns()))
            .map(both -> both.<List<Turn>>resultAt(1));
    // beside the site's read; for the version read, a chunk index behind it (a worker's ingestion not
    // yet noticed) catches up and the search runs again
    Future<List<Passage>> passages = Spans.endWith(Spans.retrieval(request.site()),
        knowledge.search(request.site(), site, request.question(), settings.origin().passages(), vector));
    Span answering = Span.current();
    Future<Void> saved = Future.all(site, owned).compose(v -> Spans.endWith(Spans.writeBehind(answering, "user"),
        conversations.saveQuestion(request.conversation(), request.site(), request.visitor(), request.questionId(),
            request.question())));
    long[] asked = new long[1];
    Future<TokenStream> tokens = Future.all(site, history, passages).compose(v -> {
      if (edgeGone.isCancelled()) {
        return Future.failedFuture(ApiError.upstreamUnavailable("the edge left"));
      }
      asked[0] = System.nanoTime();
      return model.stream(prompt(site.result(), passages.result(), history.result(), request, settings), edgeGone)
          .onSuccess(first -> meters.firstToken(model.name(), System.nanoTime() - asked[0]))
          .onFailure(e -> {
            if (!edgeGone.isCancelled()) {
              meters.ended(model.name(), System.nanoTime() - asked[0], asApiError(e, request).code());
            }
          });
    });
    Future.all(saved, tokens)
        .onSuccess(v -> {
          if (edgeGone.isCancelled()) {
            tokens.result().cancel();
            return;
          }
          SseStream sse = new SseStream(ctx.response()).open();
          AnswerStream stream = new AnswerStream(request, tokens.result(), sse, conversations,
              settings.origin().maxAnswerChars(), started, changeSeq,
              new AnswerStream.Metered(meters, model.name(), asked[0]));
          edgeGone.onCancel(stream::closed);
          stream.start();
        })
        .onFailure(e -> {
          if (tokens.succeeded()) {
            tokens.result().cancel();
          }
          ErrorResponder.send(ctx.response(), asApiError(e, request));
        });
  }

  private static ChatPrompt prompt(Site site, List<Passage> passages, List<Turn> history, AnswerRequest request,
      EdgechatConfig settings) {
    Span span = Spans.prompt(passages.size(), history.size());
    try {
      return new ChatPrompt(site.systemPrompt(), passages, history, request.question(), settings.llm().maxTokens(),
          settings.llm().temperature());
    } finally {
      span.end();
    }
  }

  /**
   * Saves questions and answers the edge served without asking for them (from cache, or shared
   * with an identical question), so each visitor's conversation holds them like any other; the
   * edge sends them in batches ({@code {"records":[{…answer request…, "answer"}]}}, at most
   * {@value Limits#MAX_RECORDS}), saved in one transaction. A record for a conversation of another
   * site is refused alone; the answer says how many were saved and refused, and where they were
   * written ({@link ReadAfter#FIELD}).
   */
  private void records(RoutingContext ctx) {
    Spans.route("POST /internal/records");
    JsonArray items = RequestBodies.json(ctx).getJsonArray(ExchangeRecord.BATCH_FIELD);
    if (items == null || items.size() > Limits.MAX_RECORDS) {
      throw ApiError.invalidRequest("records must be an array of at most " + Limits.MAX_RECORDS);
    }
    int maxAnswer = config.get().origin().maxAnswerChars();
    List<ConversationStore.Exchange> exchanges = new ArrayList<>(items.size());
    List<Future<Boolean>> owned = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      ExchangeRecord record = ExchangeRecord.fromJson(items.getJsonObject(i), maxAnswer);
      AnswerRequest request = record.request();
      exchanges.add(new ConversationStore.Exchange(request.conversation(), request.site(), request.visitor(),
          request.questionId(), request.question(), request.message(), record.answer(),
          record.savedInputTokens() + record.savedOutputTokens() > 0
              ? new Usage(config.get().llm().model(), (int) record.savedInputTokens(), (int) record.savedOutputTokens())
              : null));
      owned.add(ownership(request).map(true).otherwise(false));
    }
    Span recording = Spans.record(exchanges.size());
    Spans.endWith(recording, Future.all(owned).compose(checked -> {
      List<ConversationStore.Exchange> allowed = new ArrayList<>();
      for (int i = 0; i < exchanges.size(); i++) {
        if (checked.<Boolean>resultAt(i)) {
          allowed.add(exchanges.get(i));
        }
      }
      return conversations.saveExchanges(allowed).map(position -> {
        JsonObject answer = new JsonObject().put("saved", allowed.size()).put("refused",
            exchanges.size() - allowed.size());
        position.ifPresent(lsn -> answer.put(ReadAfter.FIELD, lsn.toString()));
        return answer;
      });
    })).onSuccess(answer -> json(ctx.response()).end(answer.encode()))
        .onFailure(e -> {
          LOG.error("recorded exchanges not saved [count: {}]", exchanges.size(), e);
          ErrorResponder.send(ctx.response(), ApiError.upstreamUnavailable("origin could not save; try again"));
        });
  }

  /** Succeeds when the request starts a conversation or continues one of its own site; else not_found. */
  private Future<Void> ownership(AnswerRequest request) {
    if (request.newConversation()) {
      return Future.succeededFuture();
    }
    return conversations.siteOf(request.conversation()).compose(owner -> owner.isPresent()
        && owner.get().equals(request.site())
        ? Future.succeededFuture()
        : Future.failedFuture(ApiError.notFound("no conversation '" + request.conversation() + "'")));
  }

  /** Errors of our own making keep their code; anything else is logged, and the edge hears only that it failed. */
  private static ApiError asApiError(Throwable e, AnswerRequest request) {
    if (e instanceof ApiError api) {
      return api;
    }
    LOG.error("answer failed [site: {}, conversation: {}, message: {}]", request.site(), request.conversation(),
        request.message(), e);
    return ApiError.upstreamUnavailable("origin could not answer; try again");
  }

  private static HttpServerResponse json(HttpServerResponse response) {
    return response.putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8");
  }
}
