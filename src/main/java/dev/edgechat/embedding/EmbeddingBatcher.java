package dev.edgechat.embedding;

import dev.edgechat.time.Scheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Groups concurrent {@link #embed} calls into few calls of the wrapped model: a remote endpoint
 * charges per request in latency and rate limit, not per input, so twenty chunks in one request
 * cost about what one does.
 *
 * <h2>How it works</h2>
 * Every call is handed to one Vert.x context, so the state below is touched by one thread and
 * needs no locks; callers may be on any thread, and their futures complete on their own context.
 * The context keeps one open batch: a map from distinct text to the callers (call, position) that
 * want its vector. A text already in the open batch is not added again, only its waiter: identical
 * inputs of one window go upstream once. The batch is sent when it holds {@code maxBatch} distinct
 * texts (at once, within the call that filled it) or when {@code windowMs} have passed since its
 * first text, whichever is first; with a window of 0 it is sent at the end of each call, so only
 * texts asked together share a request. A call with more texts than fit is spread over several
 * batches and completes when the last of them answers. A failed batch fails exactly the calls that
 * had a text in it (each once); the others go on. Vectors of a deduplicated text are copied per
 * caller, so no two callers share an array. Texts already sent are not joined by later identical
 * texts: the cache in front ({@link CachedEmbeddingModel}) answers repeats once the first is back.
 *
 * <h2>Why hand-written</h2>
 * No library at hand batches asynchronous calls by size-or-window with deduplication on a Vert.x
 * context: langchain4j's and OpenAI's clients batch only a list they are given, Caffeine's bulk
 * loads batch only misses of one {@code getAll}, and a reactive-streams buffer would add a second
 * concurrency model. The window is measured by an injected {@link Scheduler}, so tests end windows
 * by moving its time, without sleeping.
 */
public final class EmbeddingBatcher implements EmbeddingModel {

  private final Context context;
  private final EmbeddingModel model;
  private final IntSupplier maxBatch;
  private final LongSupplier windowMs;
  private final Scheduler time;
  private final DistributionSummary batchSizes;
  private final Counter duplicates;

  // confined to the context
  private Map<String, List<Waiter>> open = new LinkedHashMap<>();
  private Scheduler.Timer window;
  private long generation;

  /**
   * A batcher with fixed limits.
   *
   * @param context where the batching runs (one event loop)
   * @param maxBatch the most distinct texts in one call of {@code model}, at least 1
   * @param windowMs the longest the first text of a batch waits for others, at least 0
   * @param time measures the windows
   * @param registry where batch sizes are recorded; null for none
   */
  public EmbeddingBatcher(Context context, EmbeddingModel model, int maxBatch, long windowMs, Scheduler time,
      MeterRegistry registry) {
    this(context, model, () -> maxBatch, () -> windowMs, time, registry);
    checkLimits(maxBatch, windowMs);
  }

  /**
   * A batcher whose limits are read for each batch, so that reloaded settings apply at once.
   *
   * @see #EmbeddingBatcher(Context, EmbeddingModel, int, long, Scheduler, MeterRegistry)
   */
  public EmbeddingBatcher(Context context, EmbeddingModel model, IntSupplier maxBatch, LongSupplier windowMs,
      Scheduler time, MeterRegistry registry) {
    this.context = Objects.requireNonNull(context, "context");
    this.model = Objects.requireNonNull(model, "model");
    this.maxBatch = Objects.requireNonNull(maxBatch, "maxBatch");
    this.windowMs = Objects.requireNonNull(windowMs, "windowMs");
    this.time = Objects.requireNonNull(time, "time");
    MeterRegistry meters = registry != null ? registry : Meters.none();
    this.batchSizes = DistributionSummary.builder("edgechat.embedding.batch.size").tag("model", model.name())
        .description("distinct texts per call of the embedding model behind the batcher").register(meters);
    this.duplicates = Counter.builder("edgechat.embedding.batch.duplicates").tag("model", model.name())
        .description("texts answered by an identical text of the same batch, not sent again").register(meters);
  }

  private static void checkLimits(int maxBatch, long windowMs) {
    if (maxBatch < 1) {
      throw new IllegalArgumentException("embeddings.batchSize must be at least 1, was " + maxBatch);
    }
    if (windowMs < 0) {
      throw new IllegalArgumentException("embeddings.batchWindowMs must be at least 0, was " + windowMs);
    }
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public int dimensions() {
    return model.dimensions();
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    List<String> copy = List.copyOf(texts);
    if (copy.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Call call = new Call(copy.size(), Vertx.currentContext());
    onContext(() -> add(call, copy));
    return call.promise.future();
  }

  /** Puts a call's texts into the open batch, sending batches as they fill. */
  private void add(Call call, List<String> texts) {
    int limit = Math.max(1, maxBatch.getAsInt());
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      List<Waiter> waiters = open.get(text);
      if (waiters == null) {
        if (open.size() >= limit) {
          send();
        }
        waiters = new ArrayList<>(1);
        open.put(text, waiters);
      }
      waiters.add(new Waiter(call, i));
    }
    long wait = windowMs.getAsLong();
    if (open.size() >= limit || wait <= 0) {
      send();
    } else if (window == null) {
      long batch = generation;
      window = time.after(wait, () -> onContext(() -> windowEnded(batch)));
    }
  }

  private void windowEnded(long batch) {
    if (batch == generation && !open.isEmpty()) {
      window = null;
      send();
    }
  }

  /** Sends the open batch and opens a new one. */
  private void send() {
    if (window != null) {
      window.cancel();
      window = null;
    }
    generation++;
    if (open.isEmpty()) {
      return;
    }
    Map<String, List<Waiter>> batch = open;
    open = new LinkedHashMap<>();
    List<String> texts = new ArrayList<>(batch.keySet());
    int waiters = batch.values().stream().mapToInt(List::size).sum();
    batchSizes.record(texts.size());
    duplicates.increment(waiters - texts.size());
    Future<List<float[]>> vectors;
    try {
      vectors = model.embed(texts);
    } catch (RuntimeException e) {
      vectors = Future.failedFuture(e);
    }
    vectors.onComplete(result -> onContext(() -> answer(batch, texts, result)));
  }

  /** Hands each waiter of a batch its vector, or the batch's failure. */
  private void answer(Map<String, List<Waiter>> batch, List<String> texts, AsyncResult<List<float[]>> result) {
    Throwable failure = result.failed() ? result.cause() : null;
    if (failure == null && result.result().size() != texts.size()) {
      failure = new EmbeddingException("model " + model.name() + " returned " + result.result().size()
          + " vectors for " + texts.size() + " texts", 0, false, null);
    }
    for (int i = 0; i < texts.size(); i++) {
      List<Waiter> waiters = batch.get(texts.get(i));
      for (int w = 0; w < waiters.size(); w++) {
        Waiter waiter = waiters.get(w);
        if (failure != null) {
          waiter.call.fail(failure);
        } else {
          float[] vector = result.result().get(i);
          waiter.call.fill(waiter.index, w == 0 ? vector : vector.clone());
        }
      }
    }
  }

  private void onContext(Runnable task) {
    if (Vertx.currentContext() == context) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  private record Waiter(Call call, int index) {
  }

  /** One {@link #embed} call: its vectors so far; touched only on the batcher's context. */
  private static final class Call {

    final Promise<List<float[]>> promise = Promise.promise();
    final float[][] vectors;
    final Context caller;
    int missing;
    boolean done;

    Call(int texts, Context caller) {
      this.vectors = new float[texts][];
      this.missing = texts;
      this.caller = caller;
    }

    void fill(int index, float[] vector) {
      if (done || vectors[index] != null) {
        return;
      }
      vectors[index] = vector;
      if (--missing == 0) {
        done = true;
        List<float[]> all = List.of(vectors);
        complete(() -> promise.complete(all));
      }
    }

    void fail(Throwable cause) {
      if (!done) {
        done = true;
        complete(() -> promise.fail(cause));
      }
    }

    /** Completes on the caller's context, so its handlers run where it expects them. */
    private void complete(Runnable completion) {
      if (caller == null || caller == Vertx.currentContext()) {
        completion.run();
      } else {
        caller.runOnContext(v -> completion.run());
      }
    }
  }
}
