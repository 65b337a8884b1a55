package dev.edgechat.cache.semantic;

import dev.edgechat.embedding.QuestionEmbedder;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.CachedAnswer;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
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
import java.util.List;
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

  /** What a lookup found, and the question's vector (null if it was not embedded), to store it by later. */
  public record Probe(Optional<CachedAnswer> answer, float[] vector) {

    static Probe none() {
      return new Probe(Optional.empty(), null);
    }
  }

  private record Candidates(float[] vector, List<AnswerKey> keys, int rejected) {
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
  private final Counter hits;
  private final Counter misses;
  private final Counter skipped;
  private final Counter rejected;
  private final Timer lookupTime;

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
    this.hits = lookups(registry, "hit");
    this.misses = lookups(registry, "miss");
    this.skipped = lookups(registry, "skipped");
    this.rejected = Counter.builder("edgechat.cache.semantic.rejected")
        .description("cached questions close enough by cosine that the meaning guard rejected").register(registry);
    Gauge.builder("edgechat.cache.semantic.entries", sites, all -> all.values().stream()
            .mapToInt(SiteQuestionIndex::size).sum())
        .description("cached questions in the semantic index, all sites").register(registry);
    this.lookupTime = Timer.builder("edgechat.cache.semantic.lookup")
        .description("time of a semantic lookup: embedding, index search, meaning guard and fetching the answer")
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

  /**
   * A cached answer to a question meaning the same as {@code question} (whose exact key is
   * {@code key}), for first questions only, when {@code cache.semantic} is on. Never fails.
   */
  public Future<Probe> find(AnswerKey key, String question) {
    EdgechatConfig.Cache settings = config.get().cache();
    if (!settings.semantic() || !key.opensConversation()) {
      return Future.succeededFuture(Probe.none());
    }
    SiteQuestionIndex index = sites.get(key.site());
    if (index == null || index.kbVersion() != key.kbVersion() || index.size() == 0) {
      // nothing of this site to match (new site, new version, restarted edge): no embedding on the
      // visitor's time; the question is embedded off the request path when its answer is stored
      misses.increment();
      return Future.succeededFuture(Probe.none());
    }
    if (waiting.incrementAndGet() > maxWaiting) {
      waiting.decrementAndGet();
      skipped.increment();
      return Future.succeededFuture(Probe.none());
    }
    long started = System.nanoTime();
    double threshold = settings.semanticThreshold();
    int wanted = settings.semanticCandidates();
    Span span = Spans.semanticLookup();
    return Spans.endWith(span, workers.executeBlocking(() -> candidates(key, question,
            new SemanticMatcher(threshold, guard()), wanted, span), false))
        .onComplete(done -> waiting.decrementAndGet())
        .compose(found -> {
          rejected.increment(found.rejected());
          return firstAnswer(key.site(), found.keys(), 0).map(answer -> new Probe(answer, found.vector()));
        })
        .otherwise(e -> {
          LOG.debug("semantic lookup failed, served as a miss [site: {}, reason: {}]", key.site(), e.toString());
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
  private Candidates candidates(AnswerKey key, String question, SemanticMatcher matcher, int wanted, Span lookup) {
    Span embedding = Spans.embedding(lookup);
    float[] vector;
    try {
      vector = embedder.embedNow(question);
    } finally {
      embedding.end();
    }
    SiteQuestionIndex index = sites.get(key.site());
    if (index == null || index.kbVersion() != key.kbVersion()) {
      return new Candidates(vector, List.of(), 0);
    }
    Span searching = Spans.index(lookup);
    List<SiteQuestionIndex.Entry> nearest;
    try {
      nearest = index.nearest(vector, wanted, clock.millis());
    } finally {
      searching.end();
    }
    int rejectedHere = 0;
    Span guarding = Spans.guard(lookup);
    try {
      for (SiteQuestionIndex.Entry entry : nearest) {
        if (SemanticMatcher.cosine(vector, entry.vector()) < matcher.threshold()) {
          break; // nearest first: the rest are farther still
        }
        if (matcher.matches(vector, question, entry.vector(), entry.question())) {
          return new Candidates(vector, List.of(entry.key()), rejectedHere);
        }
        rejectedHere++;
      }
      return new Candidates(vector, List.of(), rejectedHere);
    } finally {
      guarding.setAttribute(Spans.REJECTED, rejectedHere);
      guarding.end();
    }
  }

  /** The answer of the first accepted key still in the cache; a key whose answer is gone leaves the index. */
  private Future<Optional<CachedAnswer>> firstAnswer(String site, List<AnswerKey> keys, int from) {
    if (from >= keys.size()) {
      return Future.succeededFuture(Optional.empty());
    }
    AnswerKey candidate = keys.get(from);
    return answers.find(candidate).compose(answer -> {
      if (answer.isPresent()) {
        return Future.succeededFuture(answer);
      }
      SiteQuestionIndex index = sites.get(site);
      if (index != null) {
        index.remove(candidate);
      }
      return firstAnswer(site, keys, from + 1);
    });
  }

  /**
   * Makes a stored first question findable by meaning for {@code lifeMs}. {@code vector} is the one
   * {@link #find} computed, or null to embed it now (on a worker). Best effort: the future
   * completes when the question is in the index, or was not added (logged), never failed.
   */
  public Future<Void> remember(AnswerKey key, String question, float[] vector, long lifeMs) {
    EdgechatConfig.Cache settings = config.get().cache();
    if (!settings.semantic() || !key.opensConversation()) {
      return Future.succeededFuture();
    }
    long expiresAt = clock.millis() + lifeMs;
    int maxEntries = settings.semanticMaxEntries();
    return indexer.executeBlocking(() -> {
      float[] v = vector != null ? vector : embedder.embedNow(question);
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

  /** Drops every question of {@code site} (its knowledge base changed). */
  public void forgetSite(String site) {
    sites.remove(site);
  }

  /**
   * Drops the given questions of {@code site}, whose answers a purge by document retired (on the
   * indexer's thread: removing from the graph is an index write). Questions whose answers were
   * retired elsewhere (in Redis) leave the index when a lookup finds their answer gone.
   */
  public Future<Void> forget(String site, Collection<AnswerKey> keys) {
    SiteQuestionIndex index = sites.get(site);
    if (index == null || keys.isEmpty()) {
      return Future.succeededFuture();
    }
    List<AnswerKey> gone = List.copyOf(keys);
    return indexer.executeBlocking(() -> {
      gone.forEach(index::remove);
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
