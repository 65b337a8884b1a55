package dev.edgechat.cache.semantic;

import dev.edgechat.embedding.QuestionEmbedder;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.cache.ConversationDigests;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.knowledge.SiteSemantic;
import dev.edgechat.ops.tracing.Spans;
import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third level of the answer cache: a first question that is not cached word for word may be
 * answered by a cached question that means the same. The question is embedded in-process, the
 * nearest cached questions <em>of the same site and knowledge-base version</em> are found in that
 * site's own graph index ({@link SiteQuestionIndex}), and the nearest one that the
 * {@link SemanticMatcher} accepts (cosine at least {@code cache.semanticThreshold} and the same
 * anchors) lends its answer, still fetched from the exact cache by its key.
 *
 * <p>Embedding, search and guard run on the worker pool {@value #EXECUTOR_NAME}, and inserts on
 * {@value #INDEXER_NAME}, never on an event loop. When that pool has more lookups waiting than it can serve quickly, a lookup is skipped (a
 * miss) rather than queued: the semantic level must never make a miss slower than origin would.
 * Like the other levels it fails open: any error is a miss.
 *
 * <p>The index is this process's: it holds the questions this edge answered (and stored) while it
 * has run. Their answers live in the region's Redis too, so another edge finds them by exact key.
 * A question stays findable for its answer's lifetime, aged by the injected {@link Scheduler}'s clock.
 *
 * <p>Every lookup that found no answer is counted once by why ({@link Rejection}): for the nearest
 * cached question, the first the matcher was asked about. Telling whether the guard found a
 * difference or only doubted one asks the guard again about that one candidate (after the
 * matcher said no, on the worker): the matcher answers yes or no only.
 *
 * <p>A follow-up (a question after earlier turns) is matched by meaning only among the follow-ups
 * cached after the very same earlier turns ({@link FollowUpContexts}, {@code cache.semanticFollowUps}).
 *
 * <p>A site's own settings ({@link SiteSemantic}) switch the level off for that site (its questions
 * are then neither matched nor indexed) and set the share of wrong hits the matcher is held to. A
 * cached question reported as a wrong hit ({@link WrongHits}) no longer lends its answer by meaning:
 * it leaves the index, is skipped if met, and is not indexed again.
 */
public final class SemanticCache {

  private static final Logger LOG = LoggerFactory.getLogger(SemanticCache.class);
  static final String EXECUTOR_NAME = "edgechat-semantic";
  /**
   * Lookups allowed to wait per worker thread before further ones are skipped: at a few ms each,
   * a deeper queue would add more to a miss than a semantic hit could save on average.
   */
  private static final int QUEUE_PER_THREAD = 4;
  static final String INDEXER_NAME = "edgechat-semantic-index";

  /**
   * What a lookup found, the question's vector (null if it was not embedded), to store it by later,
   * and the cached question (normalized) that lent the answer (null without one): what a report of
   * a wrong hit names.
   */
  public record Probe(Optional<CachedAnswer> answer, float[] vector, String matched) {

    public Probe(Optional<CachedAnswer> answer, float[] vector) {
      this(answer, vector, null);
    }

    static Probe none() {
      return new Probe(Optional.empty(), null);
    }
  }

  /** Why a semantic lookup found no answer: the {@code reason} label of its counter, a fixed set. */
  enum Rejection {
    /** The site has no cached question of its knowledge base's version (or the index returned none). */
    NO_CANDIDATE("no_candidate"),
    /** The nearest cached question is below {@code cache.semanticThreshold} by cosine. */
    BELOW_THRESHOLD("below_threshold"),
    /** Close enough by cosine, but the meaning guard found a difference (numbers, negation, …). */
    GUARD_DIFFERENT("guard_different"),
    /** Close enough by cosine, the guard only doubted, and the cosine was below the reworded threshold. */
    GUARD_DOUBTED("guard_doubted"),
    /** A cached question matched, but its answer had left the cache. */
    ANSWER_GONE("answer_gone"),
    /** The lookup failed (the embedding model, the index): served as a miss. */
    FAILED("failed");

    final String tag;

    Rejection(String tag) {
      this.tag = tag;
    }
  }

  /** An answer lent by the cached question of {@code key}. */
  private record Lent(AnswerKey key, CachedAnswer answer) {
  }

  /** @param reason why nothing matched (null when a key was accepted) */
  private record Candidates(float[] vector, List<AnswerKey> keys, int rejected, Rejection reason) {
  }

  private final LiveConfig config;
  private final QuestionEmbedder embedder;
  private final AnswerCache answers;
  private final Supplier<MeaningGuard> guardFactory;
  private volatile MeaningGuard guard;
  private final WorkerExecutor workers;
  /** The model's loading by {@link #warmUp()}, which {@link #close()} waits for. */
  private volatile Future<Void> warming = Future.succeededFuture();
  private final WorkerExecutor indexer;
  private final Clock clock;
  private final int maxWaiting;
  private final AtomicInteger waiting = new AtomicInteger();
  private final ConcurrentHashMap<String, SiteQuestionIndex> sites = new ConcurrentHashMap<>();
  private final WrongHits wrongHits = new WrongHits();
  private final FollowUpContexts followUps;
  private final Counter hits;
  private final Counter misses;
  private final Counter skipped;
  private final Counter rejected;
  private final Map<Rejection, Counter> rejections = new EnumMap<>(Rejection.class);
  private final Timer lookupTime;
  private final Timer queuedTime;
  private final Timer embeddingTime;

  /**
   * @param guard makes the meaning guard, on a worker thread when first needed (loading its
   *     dictionary takes about half a second)
   * @param time the clock cached questions age by
   */
  public SemanticCache(Vertx vertx, LiveConfig config, QuestionEmbedder embedder, AnswerCache answers,
      Supplier<MeaningGuard> guard, MeterRegistry registry, Scheduler time) {
    this.config = Objects.requireNonNull(config);
    this.clock = Objects.requireNonNull(time, "time").clock();
    this.embedder = Objects.requireNonNull(embedder);
    this.answers = Objects.requireNonNull(answers);
    this.guardFactory = Objects.requireNonNull(guard);
    int threads = config.get().cache().embedderThreads();
    this.workers = vertx.createSharedWorkerExecutor(EXECUTOR_NAME, threads);
    // inserts have a thread of their own, so that filling the index never queues ahead of a lookup
    this.indexer = vertx.createSharedWorkerExecutor(INDEXER_NAME, 1);
    this.maxWaiting = threads * QUEUE_PER_THREAD;
    // as many contexts as conversations whose earlier turns the edge remembers: no other follow-up has a key
    this.followUps = new FollowUpContexts(config.get().cache().followUps());
    this.hits = lookups(registry, "hit");
    this.misses = lookups(registry, "miss");
    this.skipped = lookups(registry, "skipped");
    this.rejected = Counter.builder("edgechat.cache.semantic.rejected")
        .description("cached questions close enough by cosine that the meaning guard rejected").register(registry);
    for (Rejection reason : Rejection.values()) {
      rejections.put(reason, Counter.builder("edgechat.cache.semantic.rejections").tag("reason", reason.tag)
          .description("semantic lookups that found no answer, by why (for the nearest cached question)")
          .register(registry));
    }
    Gauge.builder("edgechat.cache.semantic.entries", this, cache -> cache.sites.values().stream()
            .mapToInt(SiteQuestionIndex::size).sum() + cache.followUps.size())
        .description("cached questions in the semantic index (first questions and follow-ups), all sites")
        .register(registry);
    Gauge.builder("edgechat.cache.semantic.blocked", wrongHits, WrongHits::size)
        .description("cached questions reported as wrong hits, which no longer answer by meaning, all sites")
        .register(registry);
    this.lookupTime = Timer.builder("edgechat.cache.semantic.lookup")
        .description("time of a semantic lookup: embedding, index search, meaning guard and fetching the answer")
        .publishPercentileHistogram().register(registry);
    this.queuedTime = Timer.builder("edgechat.cache.semantic.queued")
        .description("time a semantic lookup waited for an embedder thread (cache.embedderThreads)")
        .publishPercentileHistogram().register(registry);
    this.embeddingTime = Timer.builder("edgechat.cache.semantic.embedding")
        .description("time of a semantic lookup's embedding of the question, on the embedder thread")
        .publishPercentileHistogram().register(registry);
  }

  private static Counter lookups(MeterRegistry registry, String result) {
    return Counter.builder("edgechat.cache.semantic.lookups").tag("result", result)
        .description("semantic lookups: hit, miss, or skipped because the embedding workers were saturated")
        .register(registry);
  }

  /** The name of the model questions are embedded with ({@link QuestionEmbedder#modelName()}), or null when unknown. */
  public String embedderModel() {
    return embedder.modelName();
  }

  /** Loads the model and the guard's dictionary on a worker now, so that the first question does not wait for them. */
  public Future<Void> warmUp() {
    Future<Void> loading = workers.executeBlocking(() -> {
      embedder.embedNow("warm up");
      guard();
      return null;
    }, false);
    warming = loading;
    return loading;
  }

  /** The meaning guard, made on first use; only called on worker threads. */
  private MeaningGuard guard() {
    MeaningGuard made = guard;
    if (made == null) {
      synchronized (this) {
        made = guard;
        if (made == null) {
          made = Objects.requireNonNull(guardFactory.get(), "guard");
          guard = made;
        }
      }
    }
    return made;
  }

  /** {@link #find(AnswerKey, String, SiteSemantic)} with the edge's settings. */
  public Future<Probe> find(AnswerKey key, String question) {
    return find(key, question, SiteSemantic.NONE);
  }

  /**
   * A cached answer to a question meaning the same as {@code question} (whose exact key is
   * {@code key}): for a first question, among the site's cached first questions; for a follow-up,
   * among the follow-ups cached after the same earlier turns (when {@code cache.semanticFollowUps}
   * is on). Only when the semantic level is on for the site
   * ({@code cache.semantic} and the site's {@code site.enabled()}), held to the site's tolerated
   * share of wrong hits. Never fails.
   */
  public Future<Probe> find(AnswerKey key, String question, SiteSemantic site) {
    EdgechatConfig.Cache settings = config.get().cache();
    boolean followUp = !key.opensConversation();
    if (!site.enabledOver(settings.semantic()) || followUp && !settings.semanticFollowUps()) {
      return Future.succeededFuture(Probe.none());
    }
    SiteQuestionIndex index = sites.get(key.site());
    if (followUp ? !followUps.has(key, clock.millis())
        : index == null || index.kbVersion() != key.kbVersion() || index.size() == 0) {
      // nothing of this site to match (new site, new version, restarted edge): no embedding on the
      // visitor's time; the question is embedded off the request path when its answer is stored
      misses.increment();
      rejections.get(Rejection.NO_CANDIDATE).increment();
      return Future.succeededFuture(Probe.none());
    }
    if (waiting.incrementAndGet() > maxWaiting) {
      waiting.decrementAndGet();
      skipped.increment();
      return Future.succeededFuture(Probe.none());
    }
    long started = System.nanoTime();
    double threshold = settings.semanticThreshold();
    double maxWrongShare = site.maxWrongShareOver(settings.semanticMaxWrongShare());
    int wanted = settings.semanticCandidates();
    Span span = Spans.semanticLookup();
    return Spans.endWith(span, workers.executeBlocking(() -> {
          queuedTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
          return candidates(key, question, new SemanticMatcher(threshold, guard()), maxWrongShare, wanted, span);
        }, false))
        .onComplete(done -> waiting.decrementAndGet())
        .compose(found -> {
          rejected.increment(found.rejected());
          if (found.reason() != null) {
            rejections.get(found.reason()).increment();
          }
          return firstAnswer(key.site(), found.keys(), 0).map(lent -> {
            if (lent.isEmpty() && found.reason() == null) {
              rejections.get(Rejection.ANSWER_GONE).increment();
            }
            return new Probe(lent.map(Lent::answer), found.vector(), lent.map(l -> l.key().question()).orElse(null));
          });
        })
        .otherwise(e -> {
          LOG.debug("semantic lookup failed, served as a miss [site: {}, reason: {}]", key.site(), e.toString());
          rejections.get(Rejection.FAILED).increment();
          return Probe.none();
        })
        .onSuccess(probe -> {
          (probe.answer().isPresent() ? hits : misses).increment();
          lookupTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        });
  }

  /**
   * On a worker: embeds the question and finds the nearest cached question the matcher accepts
   * (the guard runs only on candidates above the threshold, nearest first, until one passes).
   */
  private Candidates candidates(AnswerKey key, String question, SemanticMatcher matcher, double maxWrongShare,
      int wanted, Span lookup) {
    Span embedding = Spans.embedding(lookup);
    long started = System.nanoTime();
    float[] vector;
    try {
      vector = embedder.embedNow(ChatShorthand.expand(question));
    } finally {
      embeddingTime.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      embedding.end();
    }
    SiteQuestionIndex index = sites.get(key.site());
    boolean followUp = !key.opensConversation();
    if (!followUp && (index == null || index.kbVersion() != key.kbVersion())) {
      return new Candidates(vector, List.of(), 0, Rejection.NO_CANDIDATE);
    }
    Span searching = Spans.index(lookup);
    List<SiteQuestionIndex.Entry> nearest;
    try {
      nearest = followUp ? followUps.nearest(key, vector, wanted, clock.millis())
          : index.nearest(vector, wanted, clock.millis());
    } finally {
      searching.end();
    }
    int rejectedHere = 0;
    Rejection reason = Rejection.NO_CANDIDATE;
    Anchors asked = null; // read once, for the first candidate near enough, and kept for the others
    Span guarding = Spans.guard(lookup);
    try {
      for (SiteQuestionIndex.Entry entry : nearest) {
        double cosine = SemanticMatcher.cosine(vector, entry.vector());
        if (cosine < matcher.threshold()) {
          if (rejectedHere == 0) {
            reason = Rejection.BELOW_THRESHOLD;
          }
          break; // nearest first: the rest are farther still
        }
        if (wrongHits.blocks(key.site(), entry.key().question())) {
          continue; // reported while this lookup was under way: it leaves the index on the indexer's thread
        }
        if (asked == null) {
          asked = Anchors.of(question);
        }
        SemanticMatcher.Judgement judged = matcher.judge(cosine, asked, Anchors.of(entry.question()), maxWrongShare);
        if (judged.matches()) {
          return new Candidates(vector, List.of(entry.key()), rejectedHere, null);
        }
        if (rejectedHere == 0) {
          reason = judged.verdict().doubtOnly() ? Rejection.GUARD_DOUBTED : Rejection.GUARD_DIFFERENT;
        }
        rejectedHere++;
      }
      return new Candidates(vector, List.of(), rejectedHere, reason);
    } finally {
      guarding.setAttribute(Spans.REJECTED, rejectedHere);
      guarding.end();
    }
  }

  /** The answer of the first accepted key still in the cache; a key whose answer is gone leaves the index. */
  private Future<Optional<Lent>> firstAnswer(String site, List<AnswerKey> keys, int from) {
    if (from >= keys.size()) {
      return Future.succeededFuture(Optional.empty());
    }
    AnswerKey candidate = keys.get(from);
    return answers.find(candidate).compose(answer -> {
      if (answer.isPresent()) {
        return Future.succeededFuture(Optional.of(new Lent(candidate, answer.get())));
      }
      SiteQuestionIndex index = sites.get(site);
      if (index != null) {
        index.remove(candidate);
      }
      followUps.remove(candidate);
      return firstAnswer(site, keys, from + 1);
    });
  }

  /** {@link #remember(AnswerKey, String, float[], long, SiteSemantic)} with the edge's settings. */
  public Future<Void> remember(AnswerKey key, String question, float[] vector, long lifeMs) {
    return remember(key, question, vector, lifeMs, SiteSemantic.NONE);
  }

  /**
   * Makes a stored first question findable by meaning for {@code lifeMs}, unless the semantic
   * level is off for the site or the question was reported as a wrong hit. {@code vector} is the one
   * {@link #find} computed, or null to embed it now (on a worker). Best effort: the future
   * completes when the question is in the index, or was not added (logged), never failed.
   */
  public Future<Void> remember(AnswerKey key, String question, float[] vector, long lifeMs, SiteSemantic site) {
    EdgechatConfig.Cache settings = config.get().cache();
    boolean followUp = !key.opensConversation();
    if (!site.enabledOver(settings.semantic()) || followUp && !settings.semanticFollowUps()
        || wrongHits.blocks(key.site(), key.question())) {
      return Future.succeededFuture();
    }
    long expiresAt = clock.millis() + lifeMs;
    int maxEntries = settings.semanticMaxEntries();
    return indexer.executeBlocking(() -> {
      float[] v = vector != null ? vector : embedder.embedNow(ChatShorthand.expand(question));
      if (followUp) {
        followUps.add(key, question, v, expiresAt);
        return null;
      }
      SiteQuestionIndex index = indexOf(key.site(), key.kbVersion(), v.length, maxEntries);
      if (index != null) {
        index.add(key, question, v, expiresAt);
      }
      return null;
    }, false).<Void>mapEmpty().recover(e -> {
      LOG.debug("question not added to the semantic index [site: {}, reason: {}]", key.site(), e.toString());
      return Future.succeededFuture();
    });
  }

  /** The index of {@code site} at {@code kbVersion}, replacing an older version's; null if a newer one is there. */
  private SiteQuestionIndex indexOf(String site, long kbVersion, int dimensions, int maxEntries) {
    SiteQuestionIndex index = sites.compute(site, (s, existing) -> existing == null || existing.kbVersion() < kbVersion
        ? new SiteQuestionIndex(kbVersion, dimensions, maxEntries)
        : existing);
    return index.kbVersion() == kbVersion ? index : null;
  }

  /**
   * Cached questions of {@code site} (normalized) were reported as wrong hits: they no longer
   * answer by meaning on this edge, and leave the index (on the indexer's thread). Completes when
   * they left it; never fails.
   */
  public Future<Void> blockWrongHits(String site, Collection<String> questions) {
    java.util.Set<String> added = wrongHits.block(site, questions);
    if (added.isEmpty()) {
      return Future.succeededFuture();
    }
    return indexer.executeBlocking(() -> {
      SiteQuestionIndex index = sites.get(site);
      for (String question : added) {
        if (index != null) {
          index.remove(new AnswerKey(site, index.kbVersion(), question, ConversationDigests.NONE));
        }
        followUps.removeQuestion(site, question);
      }
      return null;
    }, false).<Void>mapEmpty().otherwiseEmpty();
  }

  /** Drops every question of {@code site} (its knowledge base changed). */
  public void forgetSite(String site) {
    sites.remove(site);
    followUps.forgetSite(site);
  }

  /**
   * Drops the given questions of {@code site}, whose answers a purge by document retired (on the
   * indexer's thread: removing from the graph is an index write). Questions whose answers were
   * retired elsewhere (in Redis) leave the index when a lookup finds their answer gone.
   */
  public Future<Void> forget(String site, Collection<AnswerKey> keys) {
    SiteQuestionIndex index = sites.get(site);
    if (keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<AnswerKey> gone = List.copyOf(keys);
    return indexer.executeBlocking(() -> {
      if (index != null) {
        gone.forEach(index::remove);
      }
      gone.forEach(followUps::remove);
      return null;
    }, false).mapEmpty();
  }

  /** Cached questions of {@code site} in the index, for tests and diagnostics. */
  public int size(String site) {
    SiteQuestionIndex index = sites.get(site);
    return index == null ? 0 : index.size();
  }

  /** Releases this cache's hold on the worker pool, once the model's loading (if under way) ended. */
  public Future<Void> close() {
    // a process must not exit while the model loads: ONNX Runtime's native code, still running, would
    // meet its library being torn down (the edge died of SIGBUS when stopped during the warm-up)
    return warming.otherwiseEmpty()
        .transform(v -> Future.join(workers.close(), indexer.close()))
        .mapEmpty();
  }
}
